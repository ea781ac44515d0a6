"""Delexicalising product names and long numbers before intent classification.

A full catalog name ("宽松连帽羽绒服男女同款") says nothing about what the shopper
wants, but its characters dominate a short question and pull the classifier towards
whatever intent its words resemble (羽绒服 → recommendation …). Replacing every known
name by one placeholder makes "<name>多少钱" look like "这款商品多少钱" whatever the
product, including products added after training. Entity extraction still sees the
original text; only the intent classifier reads the masked one.

Long digit runs (order numbers, phones) are masked the same way, for the same reason:
twelve digits outweigh the four characters of "取消订单", and every order number is
a different string.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable, Sequence

PLACEHOLDER = "这款商品"
NUMBER_PLACEHOLDER = "单号"
LONG_NUMBER = re.compile(r"\d{7,}")


class NameMasker:
    def __init__(self, names: Iterable[str], placeholder: str = PLACEHOLDER):
        # Longest first, so a name that contains another is replaced whole.
        self.names = tuple(sorted({n for n in names if len(n) >= 3}, key=len, reverse=True))
        self.placeholder = placeholder

    def spans(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, placeholder) of every name and long number, not overlapping."""
        taken: list[tuple[int, int, str]] = []

        def free(a: int, b: int) -> bool:
            return all(b <= x or a >= y for x, y, _ in taken)
        for name in self.names:
            start = text.find(name)
            while start != -1:
                end = start + len(name)
                if free(start, end):
                    taken.append((start, end, self.placeholder))
                start = text.find(name, end)
        for match in LONG_NUMBER.finditer(text):
            if free(match.start(), match.end()):
                taken.append((match.start(), match.end(), NUMBER_PLACEHOLDER))
        return sorted(taken)

    def mask(self, text: str, words: Sequence[str] | None = None) -> tuple[str, list[str] | None]:
        """(masked text, masked words): words inside a span are replaced by its placeholder once."""
        spans = self.spans(text)
        if not spans:
            return text, list(words) if words is not None else None
        out, last = [], 0
        for a, b, placeholder in spans:
            out.append(text[last:a])
            out.append(placeholder)
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
            if not any(a <= start and pos <= b for a, b, _ in spans):
                kept.append(w)
        return masked, kept + [p for _, _, p in spans]


@lru_cache(maxsize=1)
def catalog_masker() -> NameMasker:
    from shop.catalog import load_catalog
    return NameMasker(p["name"] for p in load_catalog().products)
