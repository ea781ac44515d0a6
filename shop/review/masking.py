"""Personal data out of shoppers' messages before anyone reviews them.

``mask(text, known=())`` returns the text with phone numbers, order numbers, tracking
numbers, other long digit runs (codes, cards, ids), e-mail addresses, street-level
addresses and names replaced by placeholders (``MASKS``), plus the spans it replaced.
``known`` are values the conversation itself revealed (its slots: the phone it gave,
the new address, the invoice title …); they are masked wherever they appear, in the
shopper's words and in the bot's. City-level places (上海, 杭州市) stay: they say where
goods go, not who someone is, and shipping questions need them.

Over-masking is the safe error: a reviewer can still tell what a message asks with a
placeholder in it; a phone number that slipped through cannot be taken back.
"""
from __future__ import annotations

import re
from typing import Iterable

PHONE, ORDER, TRACKING, NUMBER, EMAIL, ADDRESS, NAME = (
    "〈手机号〉", "〈订单号〉", "〈运单号〉", "〈数字〉", "〈邮箱〉", "〈地址〉", "〈姓名〉")
MASKS = (PHONE, ORDER, TRACKING, NUMBER, EMAIL, ADDRESS, NAME)
MASK_RE = re.compile("|".join(re.escape(m) for m in MASKS))

_CN_DIGIT = "0-9０-９零〇一二三四五六七八九十百"
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
# 11-digit mobile numbers, also written 138 0013 8000 / 138-0013-8000 / +86 …
_PHONE = re.compile(r"(?<![0-9])(?:\+?86[\s-]?)?1[3-9][0-9](?:[\s-]?[0-9]{4}){2}(?![0-9])")
_ORDER = re.compile(r"(?<![0-9])20[0-9]{10}(?![0-9])")  # the shop's order numbers: yyyymmdd + 4
_TRACKING = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{1,4}[0-9]{8,}(?![0-9])")
_LONG_NUMBER = re.compile(r"(?<![0-9])[0-9](?:[\s-]?[0-9]){5,}(?![0-9])")  # codes, cards, id numbers
_STREET = (r"[\u4e00-\u9fffA-Za-z0-9]{1,12}?(?:路|街|大道|大街|巷|弄|胡同|里)\s*(?:[一二三四五六七八九十]段)?\s*[" + _CN_DIGIT + r"]+\s*(?:号|弄|巷)"
           r"|[\u4e00-\u9fffA-Za-z]{2,12}(?:小区|花园|公寓|大厦|广场|新村|苑|村)"
           r"|[" + _CN_DIGIT + r"A-Za-z]+\s*(?:号楼|栋|幢|座|单元|室)")
_ADMIN = r"[\u4e00-\u9fff]{1,8}?(?:省|自治区|市|区|县|镇|乡|街道)"
_ADDRESS = re.compile(r"(?:" + _ADMIN + r")*(?:" + _STREET + r")(?:[\u4e00-\u9fffA-Za-z" + _CN_DIGIT
                      + r"#\-]*(?:号|楼|层|栋|幢|座|单元|室|户))*")
# A name after the words that introduce one: 我叫王小明, 收件人李娜, 联系人：陈先生
# Words that lead into an address but are not part of it (改到杭州市… keeps 改到).
_ADDRESS_LEAD = re.compile(r"(?:改到|改成|改为|换成|换到|寄到|送到|发到|邮到|住在|地址是|地址为|地址|收货地|在)")
_NAME_LEAD = re.compile(r"(?:我叫|我的名字是|名字(?:是|叫)|姓名[:：]?|本人|收件人|收货人|联系人|寄件人|"
                        r"收件人改成|收货人改成|收货人改为|收件人改为|抬头(?:是|为|写)?个人)[:：\s]*"
                        r"(?P<name>[\u4e00-\u9fff]{2,3}?)(?=$|[\s,，。.!！?？;；、]|的|电话|手机|地址|先生|女士|小姐)")
# The most common family names (about 85 % of people in China), for 我是王芳 / 张先生 / 李女士.
_SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
             "姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
_I_AM = re.compile(r"(?:我是|我叫|这边是)(?P<name>[" + _SURNAMES + r"][\u4e00-\u9fff]{1,2}?)(?=$|[\s,，。.!！?？]|啊|呀|哈)")
_TITLE = re.compile(r"(?<![\u4e00-\u9fff])[" + _SURNAMES + r"](?:[\u4e00-\u9fff])?(?=先生|女士|小姐)")

_KNOWN_MIN_CHARS = 2
# jieba's part-of-speech tagger marks person names "nr"; these words it also marks are a
# shopper's family, fruit or gear, which the question needs.
_NOT_NAMES = frozenset("孙子 孙女 孙儿 孙辈 杨梅 杨桃 高跟 马甲 马丁 马靴 金桔 石榴 白露 江米 方糖 何时 于是".split())


def _tagged_names(text: str) -> list[tuple[int, int]]:
    """Spans jieba tags as person names (2–3 characters, a common family name first): 王芳 in
    "手机… 王芳 地址…", which no lead word introduces."""
    import jieba
    import jieba.posseg

    jieba.setLogLevel(60)
    out, pos = [], 0
    for pair in jieba.posseg.cut(text):
        end = pos + len(pair.word)
        if pair.flag == "nr" and 2 <= len(pair.word) <= 3 and pair.word[0] in _SURNAMES \
                and pair.word not in _NOT_NAMES:
            out.append((pos, end))
        pos = end
    return out


def mask(text: str, known: Iterable[str] = ()) -> tuple[str, list[tuple[int, int, str]]]:
    """``(masked text, [(start, end, placeholder)] on the ORIGINAL text)``.

    Spans never overlap; the earlier rule in the list below wins (phones before
    long numbers, addresses before names).
    """
    if not isinstance(text, str) or not text:
        return "", []
    spans: list[tuple[int, int, str]] = []

    def take(start: int, end: int, placeholder: str) -> None:
        if end > start and all(end <= a or start >= b for a, b, _ in spans):
            spans.append((start, end, placeholder))

    for value in sorted({k.strip() for k in known if isinstance(k, str)}, key=len, reverse=True):
        if len(value) >= _KNOWN_MIN_CHARS and not value.isspace():
            for found in re.finditer(re.escape(value), text):
                take(found.start(), found.end(), _placeholder_for(value))
    for pattern, placeholder in ((_EMAIL, EMAIL), (_PHONE, PHONE), (_ORDER, ORDER), (_TRACKING, TRACKING),
                                 (_LONG_NUMBER, NUMBER), (_ADDRESS, ADDRESS)):
        for found in pattern.finditer(text):
            start = found.start()
            if placeholder == ADDRESS:
                ends = [m.end() for m in _ADDRESS_LEAD.finditer(found.group())
                        if _ADDRESS.fullmatch(found.group()[m.end():])]
                start += max(ends, default=0)
            take(start, found.end(), placeholder)
    for pattern in (_NAME_LEAD, _I_AM):
        for found in pattern.finditer(text):
            take(found.start("name"), found.end("name"), NAME)
    for found in _TITLE.finditer(text):
        take(found.start(), found.end(), NAME)
    for start, end in _tagged_names(text):
        take(start, end, NAME)
    spans.sort()
    out, last = [], 0
    for start, end, placeholder in spans:
        out.append(text[last:start])
        out.append(placeholder)
        last = end
    out.append(text[last:])
    return "".join(out), spans


def _placeholder_for(value: str) -> str:
    """What a value the conversation revealed is, judged by its shape."""
    if _PHONE.fullmatch(value):
        return PHONE
    if _ORDER.fullmatch(value):
        return ORDER
    if _EMAIL.fullmatch(value):
        return EMAIL
    if re.fullmatch(r"[0-9\s-]+", value):
        return NUMBER
    if len(value) <= 4 and re.fullmatch(r"[\u4e00-\u9fff]+", value):
        return NAME
    return ADDRESS


def shift_entities(text: str, spans: list[tuple[int, int, str]], entities: Iterable[dict]) -> list[dict]:
    """The model's entities moved onto the masked text; those inside a masked span become the
    placeholder (kept for order_id/phone, whose value is the placeholder itself), others dropped."""
    kept = []
    for e in entities or []:
        if not isinstance(e, dict) or not isinstance(e.get("start"), int) or not isinstance(e.get("end"), int):
            continue
        start, end, name = e["start"], e["end"], e.get("entity")
        if not isinstance(name, str) or not 0 <= start < end <= len(text):
            continue
        hit = [(a, b, p) for a, b, p in spans if start < b and end > a]
        if hit:
            if len(hit) == 1 and name in ("order_id", "phone"):
                a, b, p = hit[0]
                new_start = _moved(a, spans)
                kept.append({"start": new_start, "end": new_start + len(p), "entity": name, "value": p})
            continue
        new_start = _moved(start, spans)
        kept.append({"start": new_start, "end": new_start + (end - start), "entity": name,
                     "value": text[start:end]})
    # Several extractors may find the same words (the CRF and the shop vocabulary): one span each,
    # the longest first, so a reviewer starts from a label that can be saved as it is.
    chosen: list[dict] = []
    for e in sorted(kept, key=lambda x: (-(x["end"] - x["start"]), x["start"])):
        if all(e["end"] <= c["start"] or e["start"] >= c["end"] for c in chosen):
            chosen.append(e)
    return sorted(chosen, key=lambda x: x["start"])


def _moved(position: int, spans: list[tuple[int, int, str]]) -> int:
    shift = sum(len(p) - (b - a) for a, b, p in spans if b <= position)
    inside = [(a, b, p) for a, b, p in spans if a <= position < b]
    if inside:
        a, _, _ = inside[0]
        return a + sum(len(p) - (b2 - a2) for a2, b2, p in spans if b2 <= a)
    return position + shift
