"""The shop's vocabulary: every word a shopper may use for a type, category, attribute,
audience, skin type, scene, season, material or colour, mapped to the catalog's values.

Built once from the curated tables (shop/catalog/data: types.yaml, vocabulary.yaml,
categories.yaml, materials.yaml, colors.yaml) — the shop edits those, not this code.
`find(text)` reads the terms in a (normalised) message by longest match, correcting
homophone slips first (衬杉 → 衬衫, 羽绒副 → 羽绒服) with pypinyin; `tokenizer()` is a
jieba tokenizer that knows every term, for BM25 (shop.search.index).
"""
from __future__ import annotations

import logging
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import jieba
from pypinyin import lazy_pinyin

from shop.catalog import COLORS, Catalog, load_catalog

logger = logging.getLogger(__name__)
PROJECT_DIR = Path(__file__).resolve().parents[2]
JIEBA_DICT_DIR = PROJECT_DIR / "data" / "jieba"

# Numerals and particles are typed on purpose: 一百的 is not a slip for 白的.
_NOT_SLIPS = set("零一二两三四五六七八九十百千万亿的了吗呢吧啊么个把被给让")
_LATIN_RUN = re.compile(r"[a-z]+(?:\s+[a-z]+)*")   # text is lower-cased before it is read
# Kinds of term, in the order a tie at one position is broken (a type word beats a scene word).
KINDS = ("name", "alias", "type", "need", "not_sold", "category", "audience", "skin", "attribute", "material", "scene", "season",
         "color")


@dataclass(frozen=True)
class Term:
    """A vocabulary word found in a message: text[start:end] (after correction) means `value` of `kind`."""
    kind: str
    word: str
    value: object
    start: int                      # offsets into the message as given
    end: int
    corrected_from: str | None = None
    at: int = -1                    # offsets into the corrected text
    to: int = -1


@dataclass
class Lexicon:
    terms: dict[str, dict[str, object]] = field(default_factory=lambda: defaultdict(dict))  # word → {kind: value}
    types: dict[str, dict] = field(default_factory=dict)
    attribute_tags: dict[str, frozenset] = field(default_factory=dict)
    category_names: dict[str, str] = field(default_factory=dict)
    max_len: int = 1
    english: dict[str, str] = field(default_factory=dict)
    descriptions: dict[str, str] = field(default_factory=dict)
    tag_words: dict[str, str] = field(default_factory=dict)   # a question's word → the tag that answers it
    _by_pinyin: dict[tuple, list[str]] = field(default_factory=lambda: defaultdict(list))

    def add(self, word: str, kind: str, value: object) -> None:
        word = word.strip().lower()
        if not word:
            return
        entry = self.terms[word]
        if kind in ("type", "category", "need"):  # a word may name several types (外套 ⊃ 大衣, 羽绒服 …)
            entry[kind] = frozenset(entry.get(kind, frozenset())) | frozenset(value)
        else:
            entry.setdefault(kind, value)
        self.max_len = max(self.max_len, len(word))

    # -- reading a message -------------------------------------------------------------------------------
    def correct(self, text: str, known_word) -> tuple[str, list[tuple[int, str, str]]]:
        """The text with homophone slips of vocabulary words replaced: (text, [(pos, typed, meant)]).

        A span is corrected only when it is not itself a word (jieba's dictionary, the vocabulary;
        words jieba has seen fewer than RARE times are slips too: 帐蓬) and differs from a
        vocabulary word of the same pinyin (with the sounds people confuse merged) in one character:
        大姨 stays 大姨. Words typed right are never "corrected" (要带防晒霜 is not 要带饭晒霜)."""
        chars = list(text)
        fixes: list[tuple[int, str, str]] = []
        exact = self._exact_spans(text)
        i = 0
        while i < len(chars):
            done = False
            for n in (4, 3, 2):
                span = "".join(chars[i:i + n])
                if len(span) < n or not all("\u4e00" <= c <= "\u9fff" for c in span):
                    continue
                if span in self.terms or known_word(span) or any(c in _NOT_SLIPS for c in span):
                    continue
                if any(a < i + n and i < b and not (i <= a and b <= i + n) for a, b in exact):
                    continue  # it would cut a word typed right (带防|晒霜); a word inside it may grow (羽绒|副)
                for cand in (c for key in readings(span) for c in self._by_pinyin.get(key, ())):
                    diff = sum(a != b for a, b in zip(span, cand))
                    # One slip in any word; two in a longer one only when the sounds are exactly the
                    # same (法郎锅 → 珐琅锅), never through the merged "模糊音".
                    if diff == 1 or (diff == 2 and n >= 3 and lazy_pinyin(span) == lazy_pinyin(cand)):
                        chars[i:i + n] = list(cand)
                        fixes.append((i, span, cand))
                        i += n
                        done = True
                        break
                if done:
                    break
            if not done:
                i += 1
        return "".join(chars), fixes

    def _exact_spans(self, text: str) -> list[tuple[int, int]]:
        """Spans of vocabulary words (two characters or more) typed exactly, longest first."""
        spans, i = [], 0
        while i < len(text):
            for n in range(min(self.max_len, len(text) - i), 1, -1):
                if text[i:i + n] in self.terms:
                    spans.append((i, i + n))
                    i += n
                    break
            else:
                i += 1
        return spans

    def translate(self, text: str) -> tuple[str, list[tuple[int, int]]]:
        """English shopping words as the Chinese word (yoga裤 → 瑜伽裤), whole Latin words only;
        with, for every character of the result, the span of `text` it came from."""
        out: list[str] = []
        spans: list[tuple[int, int]] = []
        last = 0
        for start, end, word in self._latin_words(text) if self.english else ():
            out.append(text[last:start])
            spans += [(i, i + 1) for i in range(last, start)]
            out.append(word)
            spans += [(start, end)] * len(word)
            last = end
        out.append(text[last:])
        spans += [(i, i + 1) for i in range(last, len(text))]
        return "".join(out), spans

    def _latin_words(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, Chinese word) for the English or pinyin words of the text, the longest run
        of up to four Latin words first, read as typed ("body lotion") or run together ("ru jiao
        zhen" → rujiaozhen → 乳胶枕: pinyin typed a syllable at a time)."""
        found = []
        for run in _LATIN_RUN.finditer(text):
            words = [(run.start() + m.start(), run.start() + m.end()) for m in re.finditer(r"[a-z]+", run.group())]
            i = 0
            while i < len(words):
                for j in range(min(len(words), i + 4), i, -1):
                    a, b = words[i][0], words[j - 1][1]
                    typed = re.sub(r"\s+", " ", text[a:b])
                    word = self.english.get(typed) or self.english.get(typed.replace(" ", ""))
                    if word:
                        found.append((a, b, word))
                        i = j
                        break
                else:
                    i += 1
        return found

    def _longer_inside(self, text: str, start: int, end: int) -> bool:
        """Does a longer vocabulary word begin inside text[start:end] and run past its end?"""
        for j in range(start + 1, end):
            for m in range(min(self.max_len, len(text) - j), end - j, -1):
                if text[j:j + m] in self.terms and m > end - start:
                    return True
        return False

    def find(self, text: str, known_word=lambda w: False) -> tuple[str, list[Term]]:
        """(corrected text, terms) — longest match first, left to right; text is lower-cased.
        Each term's start/end are offsets into `text` (the message as given), even when an English
        word was read as Chinese; the corrected text itself may be of another length."""
        translated, origin = self.translate(text.lower())
        corrected, fixes = self.correct(translated, known_word)
        fixed_at = {pos: typed for pos, typed, _ in fixes}
        found: list[Term] = []
        i = 0
        last_end = -1   # where the last word found ends: 运动|手表 — 动手 is no word across that border
        while i < len(corrected):
            for n in range(min(self.max_len, len(corrected) - i), 0, -1):
                word = corrected[i:i + n]
                entry = self.terms.get(word)
                if not entry:
                    continue
                if n <= 2 and not _short_word_ok(word, corrected, i, after_word=i == last_end):
                    continue
                if n <= 2 and self._longer_inside(corrected, i, i + n):
                    continue    # 有没电饭煲: 电饭煲, not the 没电 of a dead phone
                if word[0].isascii() and word[0].isalpha() and not _latin_word_alone(corrected, i, i + n):
                    continue  # "rice" inside "price" is not rice
                for kind in KINDS:
                    if kind in entry:
                        found.append(Term(kind, word, entry[kind], origin[i][0], origin[i + n - 1][1],
                                          fixed_at.get(i), i, i + n))
                i += n
                last_end = i
                break
            else:
                i += 1
        return corrected, found


# Sounds people mix up when typing pinyin (the "模糊音" of Chinese input methods):
# retroflex and flat initials, and front and back nasals. 防嗮 (fang sai) is 防晒 (fang shai).
_FUZZY = (("zh", "z"), ("ch", "c"), ("sh", "s"))
_FUZZY_FINALS = (("ing", "in"), ("eng", "en"), ("ang", "an"))


def _fuzzy(syllable: str) -> str:
    for a, b in _FUZZY:
        if syllable.startswith(a):
            syllable = b + syllable[len(a):]
            break
    for a, b in _FUZZY_FINALS:
        if syllable.endswith(a):
            return syllable[: -len(a)] + b
    return syllable


lexicon_terms_cache: dict = {}  # filled by build(): the vocabulary's own words are never "another word"


def readings(span: str) -> list[tuple[str, ...]]:
    """The span's pinyin key: its usual toneless reading, with the sounds people confuse merged.
    (Every heteronym would let 还 read as the rare "fu" and turn 防晒还是 into 防晒服是.)"""
    return [tuple(_fuzzy(s) for s in lazy_pinyin(span))]


def _latin_word_alone(text: str, start: int, end: int) -> bool:
    before, after = text[start - 1:start], text[end:end + 1]
    return not (before.isascii() and before.isalpha()) and not (after.isascii() and after.isalpha())


# One-character goods words that are also grammar: 被 is the passive marker (申请被拒了, 我被重复扣款了,
# 被客服怼了) unless it ends the phrase or a question or a property follows (盖的被有吗, 这个被多重).
_GRAMMAR_TOO = {"被": re.compile(r"$|[\s,，.。!！?？~～、吗呢吧啊呀嘛哈有多怎是的要还适能可好太哪什几芯套子]")}


_UNIT_CHARS = "米寸斤克号码个件套毫升"


def _short_word_ok(word: str, text: str, i: int, *, after_word: bool = False) -> bool:
    # Short words only when they do not make another word with the character before them
    # ("白的" in "高蛋白的" no: 蛋白 is a word; "鞋" in "什么鞋" yes) — and, for one character,
    # after them ("轻" in "年轻", "女" in "女儿" no).
    before, after = text[i - 1:i], text[i + len(word):i + len(word) + 1]
    if word in _GRAMMAR_TOO and not _GRAMMAR_TOO[word].match(after):
        return False
    if before and (before.isdigit() or before in "一二两三四五六七八九十百千") and word[0] in _UNIT_CHARS:
        return False    # 1.8米的 is a length, not 米色; 两件套 a count
    if before and not after_word and known_word(before + word[0]) and (before + word[0]) not in lexicon_terms_cache:
        return False
    return len(word) > 1 or not (after and known_word(word + after))


def _types_by_broader(catalog: Catalog) -> dict[str, set[str]]:
    wide: dict[str, set[str]] = defaultdict(set)
    for t in catalog.types:
        for word in t.get("broader", []):
            wide[word].add(t["type"])
    # A broader word that is itself a type name (T恤 ⊃ 运动T恤) covers that type too.
    names = {t["type"] for t in catalog.types}
    for word in list(wide):
        if word in names:
            wide[word].add(word)
    return wide


def build(catalog: Catalog) -> Lexicon:
    lex = Lexicon()
    vocab = catalog.vocabulary
    lex.types = {t["type"]: t for t in catalog.types}
    for t in catalog.types:
        for word in (t["type"], *t.get("synonyms", [])):
            lex.add(word, "type", {t["type"]})
    for word, types in _types_by_broader(catalog).items():
        lex.add(word, "type", types)
    in_category: dict[str, set[str]] = defaultdict(set)
    for t in catalog.types:
        in_category[t["category"]].add(t["type"])
    scene_words = set(vocab.get("scenes", {}))
    for c in catalog.categories:
        lex.category_names[c["code"]] = c["name"]
        for word in (c["name"], *vocab.get("categories", {}).get(c["code"], [])):
            if word not in scene_words:  # 户外运动 is where one goes, not only the 户外运动 aisle
                lex.add(word, "category", frozenset(in_category[c["code"]]))
    for key, tags in vocab.get("attributes", {}).items():
        lex.attribute_tags[key] = frozenset(tags)
        lex.add(key, "attribute", key)
    for word, key in vocab.get("attribute_synonyms", {}).items():
        lex.add(word, "attribute", key)
    for word, who in vocab.get("audiences", {}).items():
        lex.add(word, "audience", dict(who))
    for word, profile in vocab.get("skin_types", {}).items():
        lex.add(word, "skin", profile)
    for word, scene in vocab.get("scenes", {}).items():
        lex.add(word, "scene", scene)
    for word, season in vocab.get("seasons", {}).items():
        lex.add(word, "season", tuple(season) if isinstance(season, list) else (season,))
    for word, types in vocab.get("needs", {}).items():
        lex.add(word, "need", frozenset(types))
    # Everyday names from the detail-page copy, where no other table already gives the word a
    # meaning (防晒 stays an attribute even if the copy calls sunscreen 防晒).
    for entry in catalog.descriptions:
        lex.descriptions[entry["type"]] = entry.get("description") or ""
        for word in entry.get("also_called") or []:
            if len(word) >= 2 and word.lower() not in lex.terms:
                lex.add(word, "type", {entry["type"]})
    lex.english = {k.lower(): v for k, v in vocab.get("english", {}).items()}
    # Kinds typed in pinyin (fangshaiyi, xiaobaixie): the toneless pinyin of every type word of
    # two or more characters, where no English word is spelled so.
    from pypinyin import lazy_pinyin
    for t in catalog.types:
        for word in t["synonyms"]:
            if word.isascii() and any(ch.isalpha() for ch in word):
                # yoga pants as one kind, before yoga and pants are read word by word (瑜伽 / 裤子)
                lex.english.setdefault(re.sub(r"\s+", " ", word.lower()), t["type"])
        for word in (t["type"], *t["synonyms"]):
            if len(word) >= 2 and not word.isascii():
                spelled = "".join(lazy_pinyin(word)).lower()
                if len(spelled) >= 5 and spelled.isascii() and spelled.isalpha():
                    lex.english.setdefault(spelled, word)
    lex.tag_words = dict(vocab.get("tag_words", {}))
    for word, name_word in vocab.get("name_words", {}).items():
        lex.add(word, "alias", name_word)
    for word in vocab.get("not_sold", []):
        lex.add(word, "not_sold", word)
    for m in catalog.materials:
        lex.add(m["name"], "material", m["name"])
    for word, material in vocab.get("material_synonyms", {}).items():
        lex.add(word, "material", material)
    for color in COLORS:
        lex.add(color, "color", color)
        stem = color[:-1] if color.endswith("色") and len(color) > 2 else None
        if stem:
            lex.add(stem, "color", color)  # 藏青 → 藏青色; one-character stems (黑) need 色 or 的
        if color.endswith("色"):
            lex.add(color[:-1] + "颜色", "color", color)  # 粉颜色的有吗
        if color.endswith("色") and len(color) == 2:
            lex.add(color[0] + "的", "color", color)  # 黑的
    lexicon_terms_cache.clear()
    lexicon_terms_cache.update(lex.terms)
    # Pinyin keys of words worth correcting (two characters or more).
    for word, kinds in lex.terms.items():
        # Two characters are easily another everyday word (我把 ≠ 我爸): only kinds of product are
        # worth correcting that short; longer words of any kind.
        if len(word) == 2 and not {"type", "category", "material", "need"} & set(kinds):
            continue
        if len(word) >= 2 and all("\u4e00" <= c <= "\u9fff" and c not in _NOT_SLIPS for c in word):
            lex._by_pinyin[readings(word)[0]].append(word)
    return lex


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    return build(load_catalog())


@lru_cache(maxsize=1)
def tokenizer() -> jieba.Tokenizer:
    """A jieba tokenizer of its own (Rasa's JiebaTokenizer keeps the global one) that knows the
    shop dictionary in data/jieba and every vocabulary word, so 冲锋衣 and 洗面奶 stay whole."""
    jieba.setLogLevel(logging.WARNING)
    tok = jieba.Tokenizer()
    tok.initialize()
    for path in sorted(JIEBA_DICT_DIR.glob("*.txt")):
        tok.load_userdict(str(path))
    for word in lexicon().terms:
        if len(word) >= 2:
            tok.add_word(word, freq=3000)
    return tok


@lru_cache(maxsize=1)
def core_words() -> frozenset:
    """Every word of every product's name, type, synonyms and tags (what the shop does sell)."""
    from shop.catalog import load_catalog
    lex = lexicon()
    tok = tokenizer()
    words = set()
    for p in load_catalog().products:
        t = lex.types.get(p["type"], {})
        for text in (p["name"], p["type"], *t.get("synonyms", []), *p["tags"]):
            words |= {w.lower() for w in tok.cut_for_search(text) if w.strip()}
    return frozenset(words)


RARE = 20  # jieba's dictionary counts; below this a "word" is most likely a slip (帐蓬 6, 大姨 30)


def known_word(word: str) -> bool:
    """Is `word` a word of its own (jieba's dictionary, seen at least RARE times, or a word of a
    product's name: 轻奢), not a typo?"""
    return (tokenizer().FREQ.get(word) or 0) >= RARE or word in core_words()
