"""Pinyin typed for Chinese, read as the Chinese meant: tui货 → 退货, kuai di yuan shen me shi hou lai → 快递员什么时候来.

Shoppers on a phone without a Chinese keyboard at hand (or in a hurry) type toneless pinyin, alone
or mixed with characters. This turns every run of Latin letters that spells whole pinyin syllables
into characters, choosing the likeliest words the way an input method does: a dynamic programme
over the syllables (and the characters typed next to them, which must stay as typed) maximising
the summed log frequency of the words used. Word frequencies are jieba's dictionary (the same words
the tokenizer knows) and each character's readings are pypinyin's; the shop's own words (after-sales
words, the catalog vocabulary) are preferred, since this is a shop's chat.

Not pinyin, left as typed: English words the vocabulary knows (cotton, ok, xl …), one letter alone,
a single syllable standing alone (pin, man), anything with a digit in it. The result may be
shorter than the text, so this runs before the one-for-one normal form (shop.text.normalize), at
the entrance of the NLU pipeline (custom_components/text_normalizer.py).
"""
from __future__ import annotations

import math
import re
from functools import lru_cache
from pathlib import Path

MIN_FREQ = 20          # jieba words rarer than this are left out (noise for an input method)
MAX_WORD = 4           # characters
SHOP_FREQ = 2_000_000  # the shop's own words: ahead of any everyday homophone (退货 before 推货)
TOTAL = 60_000_000     # about the sum of jieba's frequencies: a word's score is log P(word), so more words cost more
# Words of a shop's service chat that an everyday corpus ranks below their homophones.
SHOP_WORDS = ("退货 退款 换货 取消 订单 单号 快递 快递员 物流 发货 到货 收货 签收 验证 验证码 手机 手机号 地址 修改 发票 抬头 "
              "税号 人工 客服 转人工 优惠券 补偿 多久 什么时候 怎么 到哪了 在哪 毯子 被子 褥子 枕头 枕套 口红 衣服 外套 "
              "开衫 砧板 围嘴 鞋子 尺码 颜色 取消掉 不要了 算了 能不能 可以 没有 还没 为什么 怎么办 多少钱 有人吗 "
              "等多久 白色 黄色 黑色 大一号 小一号 改成 老板 多买 那单 这单 东西 来取 没动 不动 寄了 寄出 发了 发货了 "
              "到了 没到 退钱 到账 支付宝 微信 银行卡 买小了 买大了 买小 买大 想换 想退 想要 不改了 不退了 不换了 "
              "那券 券呢 要券 不要券 换个 换成 换一个 换一条 退一条 退一个")
# A run's last syllable read as the particle a chat sentence ends with (fa huo le ma → 发货了吗, not 码)
FINAL_PARTICLES = {"ma": "吗", "ba": "吧", "ne": "呢", "a": "啊", "la": "啦", "ya": "呀", "o": "哦"}
_LATIN = re.compile(r"[A-Za-z]+(?:['\s]+[A-Za-z]+)*")
# Brands and labels that happen to spell pinyin (nike would read 你可); all-capital tokens (XL, NIKE) too.
_NOT_PINYIN = {"nike", "puma", "anta", "fila", "muji", "ok", "xl", "xxl", "xs", "vip", "app", "upf", "spf", "hi", "ai"}


@lru_cache(maxsize=1)
def _tables() -> tuple[dict, dict, set]:
    """(pinyin key → [(word, log freq)], syllable → [(char, log freq)], syllables)."""
    import jieba
    from pypinyin import lazy_pinyin

    words: dict[tuple, list] = {}
    chars: dict[str, list] = {}
    path = Path(jieba.__file__).parent / "dict.txt"
    shop = set(SHOP_WORDS.split())
    try:
        from shop.search.lexicon import lexicon
        shop |= {w for w in lexicon().terms if 1 < len(w) <= MAX_WORD and all("\u4e00" <= c <= "\u9fff" for c in w)}
    except Exception:  # the catalog is optional here; the service words alone still help
        pass
    seen = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) < 2:
            continue
        word, freq = parts[0], int(parts[1])
        if len(word) > MAX_WORD or not all("\u4e00" <= c <= "\u9fff" for c in word):
            continue
        if freq < MIN_FREQ and word not in shop:
            continue
        seen.add(word)
        _add(words, chars, word, max(freq, SHOP_FREQ) if word in shop else freq, lazy_pinyin(word))
    for word in shop - seen:
        _add(words, chars, word, SHOP_FREQ, lazy_pinyin(word))
    for table in (words, chars):
        for key in table:
            table[key].sort(key=lambda x: -x[1])
            del table[key][12:]
    return words, chars, set(chars)


def _add(words: dict, chars: dict, word: str, freq: int, syllables: list) -> None:
    if len(syllables) != len(word) or not all(s.isascii() and s.isalpha() for s in syllables):
        return
    score = math.log(freq / TOTAL)
    words.setdefault(tuple(syllables), []).append((word, score))
    if len(word) == 1:
        chars.setdefault(syllables[0], []).append((word, score))


def syllables(token: str) -> list[str] | None:
    """The token spelled as pinyin syllables (dingdan → [ding, dan]), longest first; None when it is not."""
    known = _tables()[2]
    token = token.lower()
    best: dict[int, list[str] | None] = {len(token): []}
    for i in range(len(token) - 1, -1, -1):
        best[i] = None
        for j in range(min(len(token), i + 6), i, -1):
            if token[i:j] in known and best.get(j) is not None:
                best[i] = [token[i:j]] + best[j]
                break
    return best[0]


def _convert(units: list[tuple[str, str]]) -> str:
    """units: ("py", syllable) or ("zh", character). The likeliest characters for the syllables, the
    characters typed kept as they are."""
    words, chars, _ = _tables()
    from pypinyin import lazy_pinyin
    n = len(units)
    best: list[tuple[float, str] | None] = [None] * (n + 1)
    best[0] = (0.0, "")
    for i in range(n):
        if best[i] is None:
            continue
        for j in range(i + 1, min(n, i + MAX_WORD) + 1):
            span = units[i:j]
            key = tuple(u if kind == "py" else (lazy_pinyin(u) or [u])[0] for kind, u in span)
            options = words.get(key, [])
            fixed = [(k, u) for k, (kind, u) in enumerate(span) if kind == "zh"]
            for word, score in options:
                if all(word[k] == u for k, u in fixed):
                    cand = (best[i][0] + score, best[i][1] + word)
                    if best[j] is None or cand[0] > best[j][0]:
                        best[j] = cand
                    break
            if j == i + 1 and not options:
                kind, u = span[0]
                # a character typed that no word covers stays; a syllable no word covers: its likeliest character
                fallback = u if kind == "zh" else (chars.get(u) or [(u, 0.0)])[0][0]
                cand = (best[i][0] - 30.0, best[i][1] + fallback)
                if best[j] is None or cand[0] > best[j][0]:
                    best[j] = cand
            elif j == i + 1 and span[0][0] == "zh":
                cand = (best[i][0] - 30.0, best[i][1] + span[0][1])
                if best[j] is None or cand[0] > best[j][0]:
                    best[j] = cand
    return best[n][1] if best[n] else "".join(u for _, u in units)


def warm_up() -> None:
    """Build the tables now (about 2 s, once per process)."""
    _tables()


@lru_cache(maxsize=1)
def _english() -> frozenset:
    """The English words the vocabulary reads (once per process, not per message)."""
    try:
        from shop.search.lexicon import lexicon
        return frozenset(lexicon().english)
    except Exception:
        return frozenset()


def _pinyin_runs(text: str, english: set) -> list[tuple[int, int, list]]:
    """(start, end, syllables of each token) of every run of consecutive pinyin tokens (a token that is
    not pinyin, like XL, splits a run)."""
    runs = []
    for m in _LATIN.finditer(text):
        current: list = []
        for t in re.finditer(r"[A-Za-z]+", m.group()):
            word = t.group().lower()
            s = None if word in _NOT_PINYIN or word in english or (len(word) < 2 and word not in "aoe") \
                or (len(t.group()) > 1 and t.group().isupper()) else syllables(word)
            if s:
                current.append((m.start() + t.start(), m.start() + t.end(), s))
                continue
            if current:
                runs.append((current[0][0], current[-1][1], [c[2] for c in current]))
            current = []
        if current:
            runs.append((current[0][0], current[-1][1], [c[2] for c in current]))
    return runs


def to_hanzi(text: str | None) -> str:
    """The text with its pinyin runs written in characters; any other text unchanged."""
    if not text or not re.search(r"[A-Za-z]", text):
        return text or ""
    english = _english()
    out, last = [], 0
    for start0, end0, spelled in _pinyin_runs(text, english):
        glued = (start0 > 0 and "\u4e00" <= text[start0 - 1] <= "\u9fff") or \
                (end0 < len(text) and "\u4e00" <= text[end0] <= "\u9fff")
        # A lone letter is a letter (A类, a款, e人): a run needs a token of two letters or more, and two
        # syllables unless it is typed onto characters (tui货)
        tokens = text[start0:end0].split()
        if not any(len(t) >= 2 for t in tokens) or (sum(len(s) for s in spelled) < 2 and not glued):
            continue
        # the characters typed right next to the run take part (tui货: 退 because 退货 is a word)
        start = start0
        while start > last and start > start0 - 2 and "\u4e00" <= text[start - 1] <= "\u9fff":
            start -= 1
        end = end0
        while end < len(text) and end < end0 + 2 and "\u4e00" <= text[end] <= "\u9fff":
            end += 1
        units = [("zh", c) for c in text[start:start0]] + [("py", s) for sp in spelled for s in sp] + \
                [("zh", c) for c in text[end0:end]]
        ends_sentence = end0 == len(text) or not ("\u4e00" <= text[end0] <= "\u9fff" or text[end0].isalnum())
        last_py = max(i for i, (kind, _) in enumerate(units) if kind == "py")
        if ends_sentence and last_py > 0 and units[last_py][1] in FINAL_PARTICLES and last_py == len(units) - 1:
            units[last_py] = ("zh", FINAL_PARTICLES[units[last_py][1]])
        out.append(text[last:start])
        out.append(_convert(units))
        last = end
    out.append(text[last:])
    return "".join(out)
