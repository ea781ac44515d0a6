"""Where the BERT encoder comes from: pretrained weights on disk, or a compact one built here.

Nothing here downloads: pretrained weights are read from a local directory or
from the local Hugging Face cache (``local_files_only=True``). When neither has
them, a compact BERT over a character vocabulary of the training data is built
and trained from scratch, and the log says so.
"""
from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import torch
from transformers import AutoTokenizer, BertConfig, BertModel

from shop.nlu.config import IntentModelConfig
from shop.nlu.network import compact_bert_config
from shop.nlu.text import SPECIALS, UNK, CharVocab, normalise

logger = logging.getLogger(__name__)


class Encoder:
    kind = ""
    bert_config: BertConfig
    unk_id: int
    special_ids: List[int]

    def batch(self, texts: Sequence[str], max_length: int) -> Tuple[torch.Tensor, torch.Tensor]:
        raise NotImplementedError

    def initialise(self, bert: BertModel) -> None:
        """Put starting weights into a freshly built encoder (no-op when training from scratch)."""

    def save(self, directory: Path) -> None:
        raise NotImplementedError

    def describe(self) -> str:
        raise NotImplementedError


class CharEncoder(Encoder):
    kind = "char"

    def __init__(self, vocab: CharVocab, bert_config: BertConfig):
        self.vocab = vocab
        self.bert_config = bert_config
        self.unk_id = vocab.index[UNK]
        self.special_ids = [vocab.index[s] for s in SPECIALS]

    def batch(self, texts, max_length):
        pairs = [self.vocab.encode(t, max_length) for t in texts]
        ids = torch.tensor([p[0] for p in pairs], dtype=torch.long).reshape(len(texts), max_length)
        mask = torch.tensor([p[1] for p in pairs], dtype=torch.long).reshape(len(texts), max_length)
        return ids, mask

    def save(self, directory):
        self.vocab.save(Path(directory) / "vocab.txt")
        (Path(directory) / "encoder.json").write_text(json.dumps({"kind": self.kind}))

    def describe(self):
        cfg = self.bert_config
        return (f"compact BERT trained from scratch on a {len(self.vocab)}-character vocabulary "
                f"({cfg.num_hidden_layers} layers, hidden {cfg.hidden_size})")


class PretrainedEncoder(Encoder):
    kind = "pretrained"

    def __init__(self, tokenizer, bert_config: BertConfig, source: str,
                 weights: Optional[Dict[str, torch.Tensor]] = None):
        self.tokenizer = tokenizer
        self.bert_config = bert_config
        self.source = source
        self._weights = weights
        self.unk_id = tokenizer.unk_token_id
        self.special_ids = list(tokenizer.all_special_ids)

    def batch(self, texts, max_length):
        encoded = self.tokenizer(
            [normalise(t) for t in texts], max_length=max_length, padding="max_length",
            truncation=True, return_tensors="pt", return_token_type_ids=False,
        )
        return encoded["input_ids"], encoded["attention_mask"]

    def initialise(self, bert):
        if self._weights is not None:
            missing, _ = bert.load_state_dict(self._weights, strict=False)
            if missing:
                raise ValueError(f"pretrained weights from {self.source} lack {missing[:5]}")

    def save(self, directory):
        self.tokenizer.save_pretrained(str(Path(directory) / "tokenizer"))
        (Path(directory) / "encoder.json").write_text(
            json.dumps({"kind": self.kind, "source": self.source}, ensure_ascii=False)
        )

    def describe(self):
        cfg = self.bert_config
        return (f"pretrained BERT from {self.source} ({cfg.num_hidden_layers} layers, "
                f"hidden {cfg.hidden_size}, vocabulary {cfg.vocab_size})")


def _load_pretrained(source: str) -> Tuple[BertModel, object]:
    # local_files_only: a directory, or a hub name already in the local cache; never the network.
    tokenizer = AutoTokenizer.from_pretrained(source, local_files_only=True)
    bert = BertModel.from_pretrained(source, local_files_only=True, add_pooling_layer=False)
    return bert, tokenizer


def build_encoder(config: IntentModelConfig, texts: Sequence[str]) -> Encoder:
    if config.pretrained:
        try:
            bert, tokenizer = _load_pretrained(config.pretrained)
        except (OSError, ValueError) as error:
            logger.warning(
                "Pretrained BERT %r is not available offline (%s); building a compact BERT "
                "from the training data's characters instead.", config.pretrained,
                str(error).splitlines()[0],
            )
        else:
            if config.max_length > bert.config.max_position_embeddings:
                raise ValueError(
                    f"max_length {config.max_length} exceeds the pretrained model's "
                    f"{bert.config.max_position_embeddings} positions"
                )
            return PretrainedEncoder(tokenizer, bert.config, str(config.pretrained),
                                     bert.state_dict())
    vocab = CharVocab.build(texts)
    bert_config = compact_bert_config(
        len(vocab), config.hidden_size, config.num_layers, config.num_heads,
        config.intermediate_size, config.max_length, config.dropout,
    )
    return CharEncoder(vocab, bert_config)


def load_encoder(directory: Path, bert_config: BertConfig) -> Encoder:
    directory = Path(directory)
    meta = json.loads((directory / "encoder.json").read_text())
    if meta["kind"] == "char":
        return CharEncoder(CharVocab.load(directory / "vocab.txt"), bert_config)
    if meta["kind"] == "pretrained":
        tokenizer = AutoTokenizer.from_pretrained(str(directory / "tokenizer"), local_files_only=True)
        return PretrainedEncoder(tokenizer, bert_config, meta.get("source", "?"))
    raise ValueError(f"unknown encoder kind {meta['kind']!r} in {directory}")
