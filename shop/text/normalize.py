"""One normal form for what shoppers type, before anything reads it.

Full-width letters, digits and punctuation become half-width (ＸＬ → XL, １７５ → 175)
by Unicode NFKC; traditional characters become simplified (運費怎麼算 → 运费怎么算) by
OpenCC's t2s table (opencc-python-reimplemented). Both map one character to one
character for everything a shopper types, so entity offsets found on the normal form
are offsets into the original text too (`same_length` says whether that held).
"""
from __future__ import annotations

import unicodedata
from functools import lru_cache

import opencc

# NFKC would turn these into something longer or into nothing; leave them as typed.
_KEEP = {"\u2026", "\u00a0"}  # … and no-break space
# Emoji shoppers type for a word (多少💰 = 多少钱), one character for one.
EMOJI_WORDS = {"💰": "钱", "💴": "钱", "💵": "钱", "💸": "钱", "👕": "衣", "👗": "裙", "👟": "鞋", "👠": "鞋", "👢": "靴",
               "🧥": "衣", "👖": "裤", "🧦": "袜", "☕": "咖", "❓": "?", "❔": "?"}


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def _fold(ch: str) -> str:
    if ch in _KEEP:
        return ch
    if ch in EMOJI_WORDS:
        return EMOJI_WORDS[ch]
    folded = unicodedata.normalize("NFKC", ch)
    return folded if len(folded) == 1 else ch  # ligatures (ﬁ) and the like keep their length


def normalize(text: str | None) -> str:
    """Half-width, simplified text of the same length as `text` ('' for None)."""
    if not text:
        return ""
    folded = "".join(_fold(ch) for ch in text)
    simplified = _t2s().convert(folded)
    # OpenCC's phrase tables may rewrite a multi-character word; keep offsets safe.
    return simplified if len(simplified) == len(folded) else "".join(_t2s().convert(ch) for ch in folded)


def same_length(original: str, normal: str) -> bool:
    return len(original) == len(normal)
