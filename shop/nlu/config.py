"""Hyper-parameters of the intent model, with the defaults measured in bench/."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Dict, Optional


@dataclass
class IntentModelConfig:
    # A local directory (or a Hugging Face hub name already in the local cache)
    # holding BERT weights. None, or a path that is not there, builds a compact
    # BERT over a character vocabulary of the training data instead.
    pretrained: Optional[str] = None
    # Compact encoder sizes (ignored when pretrained weights are used).
    hidden_size: int = 256
    num_layers: int = 4
    num_heads: int = 4
    intermediate_size: int = 1024
    lstm_hidden: int = 128
    max_length: int = 48
    epochs: int = 25
    learning_rate: float = 3e-4
    # Pretrained encoders need a much smaller step than the fresh layers on top.
    encoder_learning_rate: Optional[float] = None
    batch_size: int = 32
    dropout: float = 0.2
    label_smoothing: float = 0.1
    weight_decay: float = 0.01
    # Randomly replaces characters by [UNK] while training: robustness to typos
    # and to characters never seen in training.
    char_dropout: float = 0.05
    random_seed: int = 42
    # 0 keeps torch's own choice.
    num_threads: int = 0
    # Share of training examples held back to fit the confidence temperature.
    calibration_fraction: float = 0.1
    # Weight of a char/word n-gram logistic regression averaged with the
    # network's probabilities (0 = network alone). See bench/ for why.
    ngram_weight: float = 0.5
    # Choose the weight on the held-back examples instead (lowest calibrated
    # negative log-likelihood over 0.1 .. 0.9); needs calibration_fraction > 0.
    tune_ngram_weight: bool = False
    # Number of networks trained with different seeds and averaged.
    ensemble_size: int = 1
    ranking_length: int = 10

    @classmethod
    def from_dict(cls, values: Dict[str, Any]) -> "IntentModelConfig":
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = set(values) - known
        if unknown:
            raise ValueError(f"unknown intent model settings: {sorted(unknown)}")
        config = cls(**values)
        config.validate()
        return config

    def to_dict(self) -> Dict[str, Any]:
        return dataclasses.asdict(self)

    def validate(self) -> None:
        positive = [
            "hidden_size", "num_layers", "num_heads", "intermediate_size",
            "lstm_hidden", "epochs", "batch_size", "ensemble_size", "ranking_length",
        ]
        for name in positive:
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if not isinstance(self.max_length, int) or self.max_length < 4:
            raise ValueError(f"max_length must be an integer >= 4, got {self.max_length!r}")
        if self.hidden_size % self.num_heads:
            raise ValueError("hidden_size must be a multiple of num_heads")
        if not 0 < float(self.learning_rate) < 1:
            raise ValueError(f"learning_rate must be in (0, 1), got {self.learning_rate!r}")
        for name in ["dropout", "label_smoothing", "char_dropout", "calibration_fraction"]:
            value = float(getattr(self, name))
            if not 0 <= value < 1:
                raise ValueError(f"{name} must be in [0, 1), got {value!r}")
        if not 0 <= float(self.ngram_weight) <= 1:
            raise ValueError(f"ngram_weight must be in [0, 1], got {self.ngram_weight!r}")
        if not isinstance(self.num_threads, int) or self.num_threads < 0:
            raise ValueError(f"num_threads must be an integer >= 0, got {self.num_threads!r}")
