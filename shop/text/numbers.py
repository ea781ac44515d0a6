"""Numbers as shoppers write them: Chinese numerals, units, ranges and rough amounts.

cn2an (a maintained Chinese-numeral library) does the arithmetic of a numeral
(一百二十 → 120, 三百五 → 350, 两千 → 2000); this module only decides *which* runs of
numeral characters are numbers — 一件 and 一百二十件 are, 一样, 一下 and 统一 are not —
and reads what the shopper measures with them:

- `to_digits(text)`: numerals that are amounts written as digits (same meaning, new text);
- `price_range(text)`: a budget as (low, high) yuan — 300以内, 两百左右, 一百到两百, 一百多;
- `measures(text)`: body measures {'height': cm, 'weight': kg, 'foot': mm} — 一米七,
  一百六十斤, 175 70公斤, 脚长25.5;
- `quantity(text)`: a count of items — 两件, 改成一百二十件.

Every function returns None / {} when the text does not say, never a guess.
"""
from __future__ import annotations

import re
import warnings

import cn2an

DIGITS = "零〇一二两三四五六七八九"
PLACES = "十百千万"
_RUN = re.compile(f"[{DIGITS}{PLACES}]+")
# What may follow a single numeral for it to be a count or an amount: 一件, 两双, 三百块.
UNITS = ("件", "个", "双", "套", "条", "盒", "瓶", "支", "包", "只", "台", "块", "元", "斤", "公斤", "千克", "米",
         "床", "把", "本", "副", "顶", "盏", "桶", "卷",
         "码", "岁", "个月", "月", "天", "周", "年", "人", "张", "片", "份", "箱", "袋", "罐", "杯", "号", "单",
         "次", "分", "层", "寸", "厘米", "公分", "毫升", "克", "kg", "cm", "款", "种", "样", "位", "折",
         "百", "千", "万", "以内", "以下", "左右", "多", "到", "至")
# Runs that are words, not numbers, even though a unit may follow (十分好看 = very).
NOT_NUMBERS = ("十分", "一点点", "一点儿", "万一", "一样", "一直", "一起", "一定", "一般", "一些", "一下")


def _convert(run: str) -> str | None:
    if all(ch in DIGITS for ch in run) and len(run) > 1:
        return "".join(str("零一二三四五六七八九".find(ch)) if ch not in "〇两" else "02"["〇两".index(ch)]
                       for ch in run)  # 七五 (as in 一米七五), 一八零: digit by digit
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # cn2an warns on runs it cannot read; we check instead
        try:
            value = cn2an.cn2an(run, "smart")
        except (ValueError, KeyError, IndexError):
            return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def _is_amount(text: str, start: int, end: int) -> bool:
    run = text[start:end]
    after = text[end:end + 4]
    before = text[max(0, start - 1):start]
    if any(text.startswith(w, start) for w in NOT_NUMBERS) and not after.startswith(("十", "百")):
        return False
    if before in ("几", "每", "同", "唯", "统", "万") or (before in ("这", "那", "哪") and run == "一"):
        return False  # 几十 (a rough amount, read by price_range), 这一款, 每一件, 统一 — but 那两瓶 is two
    if before in ("米", "点", "."):
        return True   # 一米七五, 二点五
    if any(ch in PLACES for ch in run) and len(run) >= 2:
        return True  # 二十, 一百二十, 两千, 三百五
    if before == "第":
        return True  # 第二个
    return after.startswith(UNITS)


# 大写数字 as on receipts and cheques (壹佰陆拾玖元): the plain numerals, where two or more run together (a
# lone 陆 is the 陆 of 大陆, a lone 伍 of 队伍)
_FINANCIAL = re.compile(r"[零壹贰貳叁參肆伍陆陸柒捌玖拾佰仟]{2,}")
_PLAIN = str.maketrans("壹贰貳叁參肆伍陆陸柒捌玖拾佰仟", "一二二三三四五六六七八九十百千")


def to_digits(text: str | None) -> str:
    """The text with every Chinese numeral that is an amount written in digits.

    '一米七，一百六十斤' → '1米7，160斤'; '便宜一点的' and '一样' stay as they are.
    """
    text = _FINANCIAL.sub(lambda m: m.group().translate(_PLAIN), text or "")
    out, last = [], 0
    for match in _RUN.finditer(text):
        if not _is_amount(text, match.start(), match.end()):
            continue
        digits = _convert(match.group())
        if digits is None:
            continue
        out.append(text[last:match.start()])
        out.append(digits)
        last = match.end()
    out.append(text[last:])
    return "".join(out)


# -- prices --------------------------------------------------------------------------------------
_NUM = r"(\d+(?:\.\d+)?)\s*(?:k|K|千)?"
_YUAN = r"\s*(?:元|块钱|块|蚊|rmb|RMB|￥)?"  # 蚊: Cantonese for 元
_RANGE = re.compile(rf"(?<![\d.])(?:¥|￥)?{_NUM}{_YUAN}\s*(?:到|至|-|~|～|—)\s*(?:¥|￥)?{_NUM}{_YUAN}"
                    r"(?![\d.]|\s*(?:码|cm|厘米|斤|公斤|kg|岁|个月|毫升|ml|米|号))")
_MAX_AFTER = re.compile(rf"(?:¥|￥)?{_NUM}{_YUAN}\s*(?:以内|以下|之内|内|封顶|为限|上限)")
# A number a time, a count or a measure follows is not money (超过七天, 不到3个月, 最多两件).
_NOT_MONEY = r"(?![\d.]|\s*(?:天|日|号|周|星期|个月|月|年|小时|分钟|次|件|个|单|码|cm|厘米|斤|公斤|kg|岁|毫升|ml|米|%))"
_MAX_BEFORE = re.compile(rf"(?:不超过|不要超过|别超过|不能超过|低于|少于|不到|最多|顶多|最高|控制在|预算(?:是|在|只有|有)?)\s*(?:¥|￥)?{_NUM}{_YUAN}{_NOT_MONEY}(?!\s*(?:以上|左右|上下|出头))")
_AROUND = re.compile(rf"(?:¥|￥)?{_NUM}{_YUAN}\s*(?:左右|上下|前后|差不多)")
_MIN = re.compile(rf"(?:¥|￥)?{_NUM}{_YUAN}\s*(?:以上|起|往上|朝上)|(?:高于|超过|不低于|至少)\s*(?:¥|￥)?{_NUM}{_YUAN}{_NOT_MONEY}")
_MORE = re.compile(r"(\d+)多\s*(?:元|块)")          # 一百多块 → 100-199
_ABOUT_LAI = re.compile(r"(?<![\d.])(\d+)来\s*(?:元|块|蚊)")   # 一百来块 / 五十来块
_JUST_OVER = re.compile(rf"(?<![\d.])(?:¥|￥)?{_NUM}{_YUAN}\s*出头")
_FEW = re.compile(r"(几十|十几|几百|几千)\s*(?:元|块)")
AROUND_SHARE = 0.2  # "两百左右" accepts ±20 % (what most of the blind writers read it as; ±25 % let 150左右 take 189)


def _amount(number: str, thousands: str) -> float:
    value = float(number)
    return value * 1000 if thousands else value


def _num(match: re.Match, group: int) -> float:
    """The number in `group`, times 1000 when the text after it is k/千 (2k, 1千)."""
    raw = match.group(group)
    tail = match.string[match.end(group):match.end(group) + 2].strip()
    return float(raw) * 1000 if tail[:1] in ("k", "K", "千") else float(raw)


_ROUGH = re.compile(r"([一二两三四五六七八九])([二三四五六七八九])(十|百|千)")  # 七八十, 三四百, 两三千


_TOP_UP = re.compile(r"(?:还差|差)\s*(\d{1,4})\s*(多)?\s*(?:块|元|rmb)?(?!\d)", re.I)


def _rough(text: str) -> tuple[float, float] | None:
    """'七八十' → (70, 80), '三四百' → (300, 400): two neighbouring digits before a place, read as the span
    they name (449 is 四百多, not 三四百)."""
    m = _ROUGH.search(text or "")
    if not m:
        return None
    place = {"十": 10, "百": 100, "千": 1000}[m.group(3)]
    low = "一二三四五六七八九".find(m.group(1).replace("两", "二")) + 1
    high = "一二三四五六七八九".find(m.group(2)) + 1
    return (float(low * place), float(high * place)) if high == low + 1 else None


def price_range(text: str | None) -> tuple[float, float] | None:
    """(low, high) in yuan for a budget in the text, else None. Unbounded sides are 0 / inf.

    '300以内' → (0, 300); '两百左右' → (160, 240); '一百到两百' → (100, 200); '500以上' → (500, inf);
    '一百多块' → (100, 200); '一百来块' → (95, 150); '一千出头' → (1000, 1200); '几十块' → (10, 100); '还差三十多' (a top-up) → (30, 40)."""
    rough = _rough(text)
    if rough and re.search(r"(?:十|百|千)\s*(?:元|块|蚊)?\s*(?:左右|的|块|元|以内|$)|差", text or ""):
        return rough
    t = to_digits(text)
    m = _TOP_UP.search(t)
    if m:   # 还差三十多 (包邮/满减): something that fills the gap without overshooting much
        v = float(m.group(1))
        step = 10 ** (len(m.group(1)) - 1) if v >= 10 else 1
        return (v, v + step) if m.group(2) else (v, v * 1.5)
    m = _RANGE.search(t)
    if m:
        low, high = sorted((_num(m, 1), _num(m, 2)))
        return (low, high) if high > 0 else None
    m = _MAX_AFTER.search(t) or _MAX_BEFORE.search(t)
    if m:
        return (0.0, _num(m, 1))
    m = _AROUND.search(t)
    if m:
        v = _num(m, 1)
        return (v * (1 - AROUND_SHARE), v * (1 + AROUND_SHARE))
    m = _MIN.search(t)
    if m:
        group = 1 if m.group(1) else 2
        return (_num(m, group), float("inf"))
    m = _MORE.search(t)
    if m:
        v = float(m.group(1))
        step = 10 ** (len(m.group(1)) - 1) if v >= 10 else 1
        return (v, v + step)
    m = _JUST_OVER.search(t)
    if m:   # 一千出头: a little over, up to a fifth more
        v = _num(m, 1)
        return (v, v * 1.2)
    m = _ABOUT_LAI.search(t)
    if m:   # 一百来块: about a hundred, a little more rather than less
        v = float(m.group(1))
        return (v * 0.95, v * 1.5)
    m = _FEW.search(t)
    if m:
        return {"几十": (10.0, 100.0), "十几": (10.0, 20.0), "几百": (100.0, 1000.0),
                "几千": (1000.0, 10000.0)}[m.group(1)]
    return None


# -- body measures ----------------------------------------------------------------------------------
_METRE = re.compile(r"(?<![\d.])1\s*(?:米|m)\s*(\d{1,2})(?![\d.])|(?<![\d.])1\.(\d{1,2})\s*(?:米|m)(?![a-z])", re.I)
_CM = re.compile(r"(?<![\d.])(1\d{2}|2[0-2]\d|[4-9]\d)(?:\.\d)?\s*(?:cm|厘米|公分)", re.I)  # 45 cm: a baby
_HEIGHT_WORD = re.compile(r"(?:身高|个子|height|高)\s*(?:是|有)?\s*(1\d{2}|2[0-2]\d)(?![\d.])")
_BARE_HEIGHT = re.compile(r"(?<![\d.¥￥])(1[4-9]\d|20\d)(?![\d.]|\s*(?:码|元|块|斤|公斤|kg|的|rmb))", re.I)  # "175 70公斤"
_WEIGHT = re.compile(r"(?<![\d.])(\d{1,3}(?:\.\d)?)\s*(公斤|kg|千克|斤)", re.I)  # 5公斤: a baby
_WEIGHT_WORD = re.compile(r"(?:体重|weight|重)\s*(?:是|有)?\s*(\d{2,3}(?:\.\d)?)(?![\d.]|\s*(?:cm|厘米|公分|码))", re.I)
_BARE_PAIR = re.compile(r"(?<![\d.])(1[4-9]\d|20\d)\s*[,，/、\s]\s*(\d{2,3})(?![\d.]|\s*(?:码|元|块|cm|厘米))")
_HALF = re.compile(r"(?<![\d.])(\d{1,3})\s*(厘米|公分|cm|斤|公斤|码)半", re.I)   # 二十五厘米半 → 25.5厘米
# 二十五厘米八 / 25公分8: a tenth said after the unit, as a length is read aloud → 25.8厘米
_TENTH = re.compile(r"(?<![\d.])(\d{1,2})\s*(厘米|公分|cm)(\d|[一二三四五六七八九])(?![\d.]|\s*(?:斤|公斤|kg|岁|码|元|块|cm|厘米|公分|mm|毫米|米))", re.I)
# 一米 三十斤: a metre and no more (a small child), read only beside a weight (a 1米 bed is no height)
_ONE_METRE = re.compile(r"(?<![\d.])1\s*米(?![\d.]|[宽长高的])")
_FOOT = re.compile(r"(?:脚长|脚的长度|脚掌长|foot\s*length|feet\s*length|foot|脚)\s*(?:是|有)?\s*(?:大概|大约|差不多|约|应该)?\s*(?:是|有)?\s*(?:大概|大约|差不多|约)?\s*(\d{2,3}(?:\.\d)?)"
                   r"\s*(mm|毫米|cm|厘米|公分)?", re.I)
_BARE_FOOT_MM = re.compile(r"(?<![\d.])(1[5-9]\d|2[0-9]\d)\s*(?:mm|毫米)", re.I)   # 238mm: a foot, shoes are sized by it
# 他的脚我量了一下 大概是25.8厘米: a length in centimetres a foot can have, in words about a foot
_BARE_FOOT_CM = re.compile(r"(?<![\d.])((?:1[2-9]|2\d|3[0-2])(?:\.\d)?)\s*(?:cm|厘米|公分)", re.I)
_DECIMAL_POINT = re.compile(r"(?<=\d)点(?=\d)")   # 二十三点二 → 23点2 → 23.2


# 一米七八一百四十斤: a height and a weight said in one run of numerals, which read as one number
_HEIGHT_WEIGHT_RUN = re.compile(r"一米([一二三四五六七八九])([一二三四五六七八九])?([一二两三四五六七八九十百]+)(斤|公斤|千克|kg)", re.I)


def _split_run(text: str) -> str:
    """Put a space between the height and the weight of 一米七八一百四十斤 (or 一米七八十斤: 一米七, 八十斤),
    the split that gives a weight a person has (60-400 斤, 25-200 kg)."""
    def split(m: re.Match) -> str:
        first, second, rest, unit = m.group(1), m.group(2) or "", m.group(3), m.group(4)
        low, high = (60, 400) if unit == "斤" else (25, 200)
        for height, weight in ((first + second, rest), (first, second + rest)):
            value = to_digits(weight)
            if value.isdigit() and low <= int(value) <= high:
                return f"一米{height} {weight}{unit}"
        return m.group(0)
    return _HEIGHT_WEIGHT_RUN.sub(split, text)


def measures(text: str | None) -> dict:
    """{'height': cm, 'weight': kg, 'foot': mm} the text gives (only those it gives).

    '一米七，一百六十斤' → {'height': 170, 'weight': 80}; '175 70公斤' → {'height': 175, 'weight': 70};
    '1.75m 65kg', '身高170体重120' (a bare weight ≥ 100 is 斤) and '脚长25.5' are read too;
    '脚长二十五厘米半' is 25.5 cm (半 after a unit is half of it), '二十五厘米八' 25.8 cm (a tenth after it);
    '一米 三十斤' is 100 cm beside a weight."""
    t = _HALF.sub(lambda m: f"{m.group(1)}.5{m.group(2)}", _DECIMAL_POINT.sub(".", to_digits(_split_run(text or ""))))
    t = _TENTH.sub(lambda m: f"{m.group(1)}.{'一二三四五六七八九'.find(m.group(3)) + 1 or m.group(3)}{m.group(2)}", t)
    out: dict = {}
    foot = _FOOT.search(t)
    if foot:
        v = float(foot.group(1))
        unit = (foot.group(2) or "").lower()
        out["foot"] = v * 10 if unit in ("cm", "厘米", "公分") or v < 40 else v
        t = t.replace(foot.group(0), " ")
    else:
        bare = _BARE_FOOT_MM.search(t)
        bare_cm = None if bare or "脚" not in t else _BARE_FOOT_CM.search(t)
        if bare:
            out["foot"] = float(bare.group(1))
            t = t.replace(bare.group(0), " ")
        elif bare_cm:
            out["foot"] = float(bare_cm.group(1)) * 10
            t = t.replace(bare_cm.group(0), " ")
    w = _WEIGHT.search(t)
    if w:
        v = float(w.group(1))
        out["weight"] = v / 2 if w.group(2) == "斤" else v
        t = t.replace(w.group(0), " ")
    m = _METRE.search(t)
    if m:
        cm = m.group(1) or m.group(2)
        out["height"] = 100 + int(cm.ljust(2, "0")[:2])
        t = t.replace(m.group(0), " ")
    else:
        m = _CM.search(t) or _HEIGHT_WORD.search(t) or ("weight" in out and _BARE_HEIGHT.search(t))
        if m:
            out["height"] = float(m.group(1))
            t = t.replace(m.group(0), " ")
        elif "weight" in out and _ONE_METRE.search(t):
            out["height"] = 100.0
    if "weight" not in out:
        m = _WEIGHT_WORD.search(t)
        if m:
            v = float(m.group(1))
            out["weight"] = v / 2 if v >= 100 else v  # 体重120 is 斤 in everyday speech; 体重60 is kg
    if "height" not in out and "weight" not in out:
        m = _BARE_PAIR.search(t)  # "175 70", "170/120"
        if m:
            out["height"] = float(m.group(1))
            v = float(m.group(2))
            out["weight"] = v / 2 if v >= 100 else v
    if "foot" in out and not 100 <= out["foot"] <= 330:
        del out["foot"]   # 脚42: a shoe size said, not a length
    if "height" in out and not 40 <= out["height"] <= 230:
        del out["height"]
    if "weight" in out and not 2 <= out["weight"] <= 200:
        del out["weight"]
    return out


# -- quantities --------------------------------------------------------------------------------------
# The counting words (量词) after a number of items; a bedding item also comes by the 床.
_COUNTS = "件|个|双|套|盒|瓶|条|份|包|只|台|支|袋|罐|箱|床|张|把|本|副|顶|盏|口|桶|卷"
COUNT_WORDS = _COUNTS   # the measure words that count items (一床褥子, 两把椅子); 块 is money too, so not here
_QTY = re.compile(rf"(?<![第\d])(\d{{1,6}})\s*(?:{_COUNTS})(?!邮)")   # 灰的42 包邮不: 42 is a size, 包邮 no 包
_QTY_AFTER = re.compile(r"(?:改成|改为|改到|换成|要|买|数量(?:是|为|改成|改为)?)\s*(\d{1,6})(?![\d.]|\s*(?:码|元|块|号|cm|斤|公斤))")


def quantity(text: str | None) -> int | None:
    """How many items the text asks for; the last amount wins ('多买一件，改成2件' → 2).

    Chinese numerals are read whole: '改成一百二十件' → 120 (the order rules then refuse it)."""
    t = to_digits(text)
    found = list(_QTY_AFTER.finditer(t)) or list(_QTY.finditer(t))
    if found:
        return int(found[-1].group(1))
    bare = re.fullmatch(r"\s*(\d{1,6})\s*[。.!！]?\s*", t)
    if bare:
        return int(bare.group(1))
    # 数量改成零: a lone 零 (left as it is by to_digits: 零钱, 零食) said as the new amount is nought
    return 0 if _ZERO_AFTER.search(t) else None


_ZERO_AFTER = re.compile(r"(?:改成|改为|改到|减到|减成|数量(?:是|为)?)\s*零(?!钱|食|售|头|花|件套)")


# -- part of an item's quantity (returns, exchanges) ------------------------------------------------
_UNIT = rf"(?:{_COUNTS}|床)"
_ALL_OF = re.compile(rf"(?:\d{{1,2}}\s*{_UNIT}|全部|全)都|都(?:要)?(?:退|换)|全部(?:退|换)|全(?:退|换)|一起(?:退|换)")
_NONE_KEPT = re.compile(rf"(?:1|一)\s*{_UNIT}\s*都不(?:要|留)")
_PART = re.compile(rf"(?:只|就|先|仅)?(?:退|换|要退|要换|退掉|换掉)(?:其中)?\s*(\d{{1,2}})\s*{_UNIT}"
                   rf"|(?:只|就|仅)?(?:退|换)?(?:其中)?\s*(\d{{1,2}})\s*{_UNIT}\s*(?:就好|就行|就够|就可以|就成)"
                   rf"|(?:只|仅)(?:退|换)?(?:其中)?\s*(\d{{1,2}})\s*{_UNIT}")


def part_quantity(text: str | None) -> int | None:
    """How many of an item a return or an exchange is for, when the shopper says so:
    '换一条就好，另一条留着' → 1, '只退两件' → 2; 0 for all of them ('两条都换', '全部退');
    None when the text says nothing about it (a size like '换小一号' is no amount)."""
    t = to_digits(text)
    if _ALL_OF.search(t) or _NONE_KEPT.search(t):
        return 0     # 两条都退 一条都不要了: all of them, whatever number comes after
    part = _PART.search(t)
    return int(next(g for g in part.groups() if g)) if part else None
