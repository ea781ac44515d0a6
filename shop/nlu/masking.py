"""Delexicalising product names before intent classification.

A full catalog name ("宽松连帽羽绒服男女同款") says nothing about what the shopper
wants, but its characters dominate a short question and pull the classifier towards
whatever intent its words resemble (羽绒服 → recommendation …). Replacing every known
name by one placeholder makes "<name>多少钱" look like "这款商品多少钱" whatever the
product, including products added after training. Entity extraction still sees the
original text; only the intent classifier reads the masked one.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Iterable, Sequence

PLACEHOLDER = "这款商品"


class NameMasker:
    def __init__(self, names: Iterable[str], placeholder: str = PLACEHOLDER):
        # Longest first, so a name that contains another is replaced whole.
        self.names = tuple(sorted({n for n in names if len(n) >= 3}, key=len, reverse=True))
        self.placeholder = placeholder

    def spans(self, text: str) -> list[tuple[int, int]]:
        taken: list[tuple[int, int]] = []
        for name in self.names:
            start = text.find(name)
            while start != -1:
                end = start + len(name)
                if all(end <= a or start >= b for a, b in taken):
                    taken.append((start, end))
                start = text.find(name, end)
        return sorted(taken)

    def mask(self, text: str, words: Sequence[str] | None = None) -> tuple[str, list[str] | None]:
        """(masked text, masked words): words inside a name are replaced by the placeholder once."""
        spans = self.spans(text)
        if not spans:
            return text, list(words) if words is not None else None
        out, last = [], 0
        for a, b in spans:
            out.append(text[last:a])
            out.append(self.placeholder)
            last = b
        out.append(text[last:])
        masked = "".join(out)
        if words is None:
            return masked, None
        kept, pos = [], 0
        for w in words:  # tokens are the text's characters in order: find each one's span
            start = text.find(w, pos)
            if start == -1:
                kept.append(w)
                continue
            pos = start + len(w)
            if not any(a <= start and pos <= b for a, b in spans):
                kept.append(w)
        return masked, kept + [self.placeholder] * len(spans)


@lru_cache(maxsize=1)
def catalog_masker() -> NameMasker:
    from shop.catalog import load_catalog
    return NameMasker(p["name"] for p in load_catalog().products)
