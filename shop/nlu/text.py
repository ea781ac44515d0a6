"""Text normalisation and the character vocabulary of the compact encoder."""
from __future__ import annotations

import unicodedata
from collections import Counter
from typing import Iterable, List, Sequence, Tuple

PAD, UNK, CLS, SEP, MASK = "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"
SPECIALS = (PAD, UNK, CLS, SEP, MASK)


def normalise(text: str) -> str:
    """NFKC folds full-width letters and digits (ＸＬ -> xl), which shoppers mix freely."""
    return unicodedata.normalize("NFKC", text or "").lower().strip()


def characters(text: str) -> List[str]:
    return [ch for ch in normalise(text) if not ch.isspace()]


class CharVocab:
    """Maps characters to ids; its file format is BERT's vocab.txt (one token a line)."""

    def __init__(self, tokens: Sequence[str]):
        if list(tokens[: len(SPECIALS)]) != list(SPECIALS):
            raise ValueError("vocabulary must start with the special tokens")
        self.tokens = list(tokens)
        self.index = {tok: i for i, tok in enumerate(self.tokens)}

    @classmethod
    def build(cls, texts: Iterable[str], min_count: int = 1) -> "CharVocab":
        counts = Counter(ch for text in texts for ch in characters(text))
        chars = sorted(ch for ch, n in counts.items() if n >= min_count)
        return cls(list(SPECIALS) + chars)

    def __len__(self) -> int:
        return len(self.tokens)

    def unseen_share(self, text: str) -> float:
        """The share of the text's characters (spaces aside) that never occurred in training: 0.0–1.0."""
        chars = [ch for ch in characters(text) if not ch.isspace()]
        return sum(ch not in self.index for ch in chars) / len(chars) if chars else 0.0

    def encode(self, text: str, max_length: int) -> Tuple[List[int], List[int]]:
        # Keep the head of very long messages: shoppers state the request first.
        chars = characters(text)[: max_length - 2]
        unk = self.index[UNK]
        ids = [self.index[CLS]] + [self.index.get(ch, unk) for ch in chars] + [self.index[SEP]]
        mask = [1] * len(ids)
        pad = max_length - len(ids)
        return ids + [self.index[PAD]] * pad, mask + [0] * pad

    def save(self, path) -> None:
        with open(path, "w", encoding="utf-8") as handle:
            handle.write("\n".join(self.tokens) + "\n")

    @classmethod
    def load(cls, path) -> "CharVocab":
        with open(path, encoding="utf-8") as handle:
            # Only the trailing newline is dropped: a token may itself be whitespace-free
            # punctuation, and lines are never empty.
            return cls(handle.read().split("\n")[:-1])
