"""Training, calibration, persistence and prediction of the intent model."""
from __future__ import annotations

import json
import logging
import math
import random
import time
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch
from torch import nn
from transformers import BertConfig

from shop.nlu.calibration import fit_temperature, negative_log_likelihood
from shop.nlu.config import IntentModelConfig
from shop.nlu.encoders import Encoder, build_encoder, load_encoder
from shop.nlu.network import BertBiLstmNet, describe
from shop.nlu.ngram import NgramClassifier
from shop.nlu.text import normalise

logger = logging.getLogger(__name__)
# A message at least half of whose characters never occurred in training gets no confident intent.
UNSEEN_SHARE = 0.5

# Below this a fitted temperature mostly reflects noise.
MIN_CALIBRATION_EXAMPLES = 30

Words = Optional[Sequence[Optional[Sequence[str]]]]


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def calibration_split(labels: Sequence[int], fraction: float, seed: int) -> Tuple[List[int], List[int]]:
    """Stratified split; intents with fewer than 5 examples stay wholly in training."""
    rng = random.Random(seed)
    by_label: Dict[int, List[int]] = {}
    for i, label in enumerate(labels):
        by_label.setdefault(label, []).append(i)
    train, held = [], []
    for label in sorted(by_label):
        idx = by_label[label][:]
        rng.shuffle(idx)
        take = int(round(len(idx) * fraction)) if len(idx) >= 5 else 0
        held += idx[:take]
        train += idx[take:]
    return sorted(train), sorted(held)


class IntentModel:
    """BERT -> BiLSTM -> pooling -> linear, optionally averaged with an n-gram regression."""

    def __init__(self, config: IntentModelConfig, labels: List[str], encoder: Encoder,
                 nets: List[BertBiLstmNet], ngram: Optional[NgramClassifier], temperature: float,
                 ngram_weight: Optional[float] = None):
        self.config = config
        self.ngram_weight = config.ngram_weight if ngram_weight is None else ngram_weight
        self.labels = labels
        self.encoder = encoder
        self.nets = nets
        self.ngram = ngram
        self.temperature = temperature
        for net in nets:
            net.eval()

    # ------------------------------------------------------------------ training
    @classmethod
    def train(cls, texts: Sequence[str], intents: Sequence[str], config: IntentModelConfig,
              words: Words = None) -> "IntentModel":
        config.validate()
        if config.num_threads:
            torch.set_num_threads(config.num_threads)
        labels = sorted(set(intents))
        if len(labels) < 2:
            raise ValueError("the intent model needs at least two intents to train")
        label_ids = [labels.index(i) for i in intents]
        words = list(words) if words is not None else [None] * len(texts)

        train_idx, held_idx = calibration_split(label_ids, config.calibration_fraction,
                                                config.random_seed)
        if len(held_idx) < max(MIN_CALIBRATION_EXAMPLES, len(labels)):
            # Too few to fit a temperature honestly: train on everything, keep T = 1.
            train_idx, held_idx = list(range(len(texts))), []
        pick = lambda seq, idx: [seq[i] for i in idx]  # noqa: E731
        tr_texts, tr_labels, tr_words = pick(texts, train_idx), pick(label_ids, train_idx), pick(words, train_idx)

        seed_everything(config.random_seed)
        encoder = build_encoder(config, tr_texts)
        logger.info("Intent model encoder: %s", encoder.describe())
        nets = []
        for member in range(config.ensemble_size):
            seed = config.random_seed + 1000 * member
            nets.append(cls._train_net(encoder, tr_texts, tr_labels, len(labels), config, seed))

        ngram = None
        if config.ngram_weight > 0:
            ngram = NgramClassifier(labels, seed=config.random_seed).fit(tr_texts, tr_labels, tr_words)

        model = cls(config, labels, encoder, nets, ngram, temperature=1.0)
        if held_idx:
            held_labels = np.asarray(pick(label_ids, held_idx))
            if ngram is not None and config.tune_ngram_weight:
                model.ngram_weight = model._tune_ngram_weight(
                    pick(texts, held_idx), pick(words, held_idx), held_labels)
            probs = model._raw_probabilities(pick(texts, held_idx), pick(words, held_idx))
            model.temperature = fit_temperature(probs, held_labels)
            held_acc = float((probs.argmax(1) == held_labels).mean())
            logger.info("Calibration on %d held-back examples: accuracy %.3f, temperature %.2f, "
                        "n-gram weight %.1f", len(held_idx), held_acc, model.temperature,
                        model.ngram_weight if ngram is not None else 0.0)
        return model

    def _tune_ngram_weight(self, texts: Sequence[str], words: Words, labels: np.ndarray) -> float:
        network = self._network_probabilities(texts)
        ngram = self.ngram.predict_proba(texts, words)
        best = (float("inf"), self.ngram_weight)
        for weight in np.round(np.arange(0.1, 0.91, 0.1), 2):
            mixed = (1 - weight) * network + weight * ngram
            loss = negative_log_likelihood(mixed, labels, fit_temperature(mixed, labels))
            best = min(best, (loss, float(weight)))
        return best[1]

    @staticmethod
    def _train_net(encoder: Encoder, texts: Sequence[str], label_ids: Sequence[int],
                   num_labels: int, config: IntentModelConfig, seed: int) -> BertBiLstmNet:
        seed_everything(seed)
        net = BertBiLstmNet.from_config(encoder.bert_config, config.lstm_hidden, num_labels,
                                        config.dropout)
        encoder.initialise(net.encoder)
        ids, mask = encoder.batch(texts, config.max_length)
        targets = torch.tensor(label_ids, dtype=torch.long)

        encoder_lr = config.encoder_learning_rate or config.learning_rate
        groups = [
            {"params": net.encoder.parameters(), "lr": encoder_lr},
            {"params": [p for n, p in net.named_parameters() if not n.startswith("encoder.")],
             "lr": config.learning_rate},
        ]
        optimiser = torch.optim.AdamW(groups, weight_decay=config.weight_decay)
        steps_per_epoch = math.ceil(len(texts) / config.batch_size)
        total_steps = config.epochs * steps_per_epoch
        if total_steps >= 4:
            schedule = torch.optim.lr_scheduler.OneCycleLR(
                optimiser, max_lr=[encoder_lr, config.learning_rate], total_steps=total_steps,
                # at least two warm-up steps, or the scheduler divides by zero
                pct_start=min(0.5, max(0.1, 2.0 / total_steps)),
            )
        else:  # too few steps for a cycle: keep the rate constant
            schedule = torch.optim.lr_scheduler.LambdaLR(optimiser, lambda _: 1.0)
        loss_fn = nn.CrossEntropyLoss(label_smoothing=config.label_smoothing)
        generator = torch.Generator().manual_seed(seed)
        unk_id = encoder.unk_id
        special = torch.tensor(encoder.special_ids)
        net.train()
        started = time.perf_counter()
        for epoch in range(config.epochs):
            order = torch.randperm(len(texts), generator=generator)
            total = 0.0
            for start in range(0, len(texts), config.batch_size):
                batch = order[start:start + config.batch_size]
                batch_ids = ids[batch].clone()
                if config.char_dropout:
                    drop = torch.rand(batch_ids.shape, generator=generator) < config.char_dropout
                    drop &= ~torch.isin(batch_ids, special)
                    batch_ids[drop] = unk_id
                optimiser.zero_grad()
                loss = loss_fn(net(batch_ids, mask[batch]), targets[batch])
                loss.backward()
                nn.utils.clip_grad_norm_(net.parameters(), 1.0)
                optimiser.step()
                schedule.step()
                total += loss.item() * len(batch)
            logger.debug("epoch %d/%d loss %.4f", epoch + 1, config.epochs, total / len(texts))
        logger.info("Trained %s in %.1fs (seed %d)", describe(net), time.perf_counter() - started, seed)
        net.eval()
        return net

    # ---------------------------------------------------------------- prediction
    @torch.no_grad()
    def _network_probabilities(self, texts: Sequence[str]) -> np.ndarray:
        ids, mask = self.encoder.batch(texts, self.config.max_length)
        probs = np.zeros((len(texts), len(self.labels)))
        for start in range(0, len(texts), 256):
            chunk = slice(start, start + 256)
            for net in self.nets:
                probs[chunk] += torch.softmax(net(ids[chunk], mask[chunk]), dim=-1).numpy()
        return probs / len(self.nets)

    def _raw_probabilities(self, texts: Sequence[str], words: Words = None) -> np.ndarray:
        probs = self._network_probabilities(texts)
        if self.ngram is not None:
            w = self.ngram_weight
            probs = (1 - w) * probs + w * self.ngram.predict_proba(texts, words)
        return probs

    def predict_proba(self, texts: Sequence[str], words: Words = None) -> np.ndarray:
        """Calibrated probabilities, one row per text. Empty texts get an all-zero row."""
        texts = ["" if t is None else str(t) for t in texts]
        result = np.zeros((len(texts), len(self.labels)))
        keep = [i for i, t in enumerate(texts) if normalise(t)]
        if not keep:
            return result
        kept_words = [words[i] for i in keep] if words is not None else None
        raw = self._raw_probabilities([texts[i] for i in keep], kept_words)
        logits = np.log(np.clip(raw, 1e-12, 1.0)) / self.temperature
        logits -= logits.max(axis=1, keepdims=True)
        scaled = np.exp(logits)
        result[keep] = scaled / scaled.sum(axis=1, keepdims=True)
        return result

    def rank(self, text: str, words: Optional[Sequence[str]] = None) -> List[Tuple[str, float]]:
        probs = self.predict_proba([text], [words] if words is not None else None)[0]
        if not probs.any():
            return []
        unseen = self.unseen_share(text)
        if unseen >= UNSEEN_SHARE:
            # 咕噜咕噜哗啦啦: mostly characters the model never saw — it has no evidence for any intent,
            # so no confident one (the fallback answers). Order kept, confidence discounted by the share.
            probs = probs * (1.0 - unseen)
        order = np.argsort(-probs)[: self.config.ranking_length]
        return [(self.labels[i], float(probs[i])) for i in order]

    def unseen_share(self, text: str) -> float:
        """The share of the text's characters the character vocabulary never saw (0.0 for a
        pre-trained encoder, whose tokenizer covers the language)."""
        vocab = getattr(self.encoder, "vocab", None)
        return vocab.unseen_share(text) if vocab is not None and hasattr(vocab, "unseen_share") else 0.0

    # --------------------------------------------------------------- persistence
    def save(self, directory) -> None:
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        self.encoder.save(directory)
        for i, net in enumerate(self.nets):
            torch.save(net.state_dict(), directory / f"net_{i}.pt")
        if self.ngram is not None:
            self.ngram.save(directory)
        meta = {
            "config": self.config.to_dict(),
            "labels": self.labels,
            "temperature": self.temperature,
            "ngram_weight": self.ngram_weight,
            "bert_config": self.encoder.bert_config.to_dict(),
            "nets": len(self.nets),
        }
        (directory / "intent_model.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1),
                                                     encoding="utf-8")

    @classmethod
    def load(cls, directory) -> "IntentModel":
        directory = Path(directory)
        meta = json.loads((directory / "intent_model.json").read_text(encoding="utf-8"))
        config = IntentModelConfig.from_dict(meta["config"])
        bert_config = BertConfig.from_dict(meta["bert_config"])
        encoder = load_encoder(directory, bert_config)
        nets = []
        for i in range(meta["nets"]):
            net = BertBiLstmNet.from_config(bert_config, config.lstm_hidden, len(meta["labels"]),
                                            config.dropout)
            # weights_only: a model file must never execute code when loaded
            state = torch.load(directory / f"net_{i}.pt", map_location="cpu", weights_only=True)
            net.load_state_dict(state)
            nets.append(net)
        ngram = NgramClassifier.load(directory) if config.ngram_weight > 0 else None
        return cls(config, meta["labels"], encoder, nets, ngram, float(meta["temperature"]),
                   float(meta.get("ngram_weight", config.ngram_weight)))
