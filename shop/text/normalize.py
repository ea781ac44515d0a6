"""One normal form for what shoppers type, before anything reads it.

Full-width letters, digits and punctuation become half-width (ＸＬ → XL, １７５ → 175)
by Unicode NFKC; traditional characters become simplified (運費怎麼算 → 运费怎么算) by
OpenCC's t2s table (opencc-python-reimplemented); written Cantonese becomes Mandarin
(有冇 → 有没, 咩 → 啥; shop/text/data/cantonese.yaml); voice-input slips become the after-sales
word meant (推货 → 退货; shop/text/data/homophones.yaml) and order or phone numbers read out digit
by digit become digits (二零二五… → 2025…). All map one character to one
character for everything a shopper types, so entity offsets found on the normal form
are offsets into the original text too (`same_length` says whether that held).
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import opencc
import yaml

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


@lru_cache(maxsize=None)
def _table(name: str, sections: tuple[str, ...]) -> tuple[re.Pattern, dict]:
    """A same-length replacement table (shop/text/data/<name>.yaml, the given sections) as one pattern,
    longest first."""
    doc = yaml.safe_load((Path(__file__).parent / "data" / f"{name}.yaml").read_text(encoding="utf-8"))
    table = {str(k): str(v) for section in sections for k, v in (doc.get(section) or {}).items()}
    bad = [k for k, v in table.items() if len(k) != len(v)]
    if bad:
        raise ValueError(f"{name}.yaml: replacements must keep the length: {bad}")
    return re.compile("|".join(re.escape(k) for k in sorted(table, key=len, reverse=True))), table


def _replace(text: str, name: str, sections: tuple[str, ...] = ("words",)) -> str:
    pattern, table = _table(name, sections)
    return pattern.sub(lambda m: table[m.group()], text)


# 二零二五一一一七零零零二 / 一三五一九零三五六四六: an order or phone number read out digit by digit (voice
# input, older shoppers). Seven or more digit characters in a row are never a word; 幺 is 1 read aloud.
_SPOKEN_DIGITS = re.compile("[零〇幺一二三四五六七八九]{7,}")
_DIGIT_OF = {ch: str(i) for i, ch in enumerate("零一二三四五六七八九")} | {"〇": "0", "幺": "1"}


def spoken_digits(text: str) -> str:
    """Runs of 7+ Chinese digit characters as Arabic digits, one for one (一三五… → 135…)."""
    return _SPOKEN_DIGITS.sub(lambda m: "".join(_DIGIT_OF[ch] for ch in m.group()), text)


def mandarin(text: str) -> str:
    """Written Cantonese as Mandarin, one character for one (有冇 → 有没, 几多钱 → 多少钱)."""
    return _replace(text, "cantonese", ("characters", "words"))


def normalize(text: str | None) -> str:
    """Half-width, simplified, Mandarin text of the same length as `text` ('' for None)."""
    if not text:
        return ""
    folded = "".join(_fold(ch) for ch in text)
    simplified = _t2s().convert(folded)
    # OpenCC's phrase tables may rewrite a multi-character word; keep offsets safe.
    if len(simplified) != len(folded):
        simplified = "".join(_t2s().convert(ch) for ch in folded)
    # voice-input slips for after-sales words (推货 → 退货; shop/text/data/homophones.yaml)
    return spoken_digits(_replace(mandarin(simplified), "homophones"))


def same_length(original: str, normal: str) -> bool:
    return len(original) == len(normal)
