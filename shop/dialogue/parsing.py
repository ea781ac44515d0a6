"""Reading the answers shoppers type into a form: order numbers, choices, addresses, amounts.

NLU gives intents and entities; a form still has to turn "第二个", "改成两件" or
"上海市浦东新区张江路100号" into a value. Each function returns None when the
text does not answer the question, so the form can ask again instead of guessing.
"""
from __future__ import annotations

import re
from typing import Iterable, Sequence

from shop.rules.complaints import QUALITY_WORDS
from shop.rules.formats import normalize_order_no, normalize_phone

_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "壹": 1, "二": 2, "两": 2, "贰": 2, "三": 3, "叁": 3, "四": 4, "肆": 4,
             "五": 5, "伍": 5, "六": 6, "陆": 6, "七": 7, "柒": 7, "八": 8, "捌": 8, "九": 9, "玖": 9}


def ascii_text(text: str | None) -> str:
    return (text or "").translate(_FULLWIDTH)


def cn_number(token: str) -> int | None:
    """'3', '三', '十二', '二十', '两' → int (up to 99, which covers quantities and list picks)."""
    token = token.strip()
    if token.isdigit():
        return int(token)
    if not token or any(ch not in CN_DIGITS and ch != "十" for ch in token):
        return None
    if "十" in token:
        tens, _, ones = token.partition("十")
        t = CN_DIGITS.get(tens, None) if tens else 1
        o = CN_DIGITS.get(ones, None) if ones else 0
        return None if t is None or o is None else t * 10 + o
    if len(token) == 1:
        return CN_DIGITS[token]
    return None


# -- order numbers and phones ---------------------------------------------------------------
_LONG_DIGITS = re.compile(r"\d[\d\s\-]{2,}\d")  # 4+ digits: short ones get the format rule, not a shrug


_ADDRESS_NUMBER = re.compile(r"\s*(?:号|栋|幢|室|楼|层|单元|弄|座|巷|村|组)")
_ADDRESS_BEFORE = re.compile(r"(?:路|街|道|巷|弄|里|村|区|镇|座|栋|幢|楼|单元|广场|大厦|花园|小区|公寓)\s*[A-Za-z]?\s*$")


_IN_CODE = re.compile(r"[A-Za-z]")          # digits running into letters: a code, not an order number
_IN_CODE_BEFORE = re.compile(r"[A-Za-z]$")
_TAX_BEFORE = re.compile(r"(?:税号|纳税人识别号|识别号|信用代码|税务登记号)[：:\s是为]{0,3}[0-9A-Za-z]*$")


def _in_code(text: str, value: str) -> bool:
    """Is `value` (digits an entity extractor tagged) part of a tax number or another code?"""
    at = text.find(value)
    return at >= 0 and bool(_IN_CODE.match(text, at + len(value)) or _IN_CODE_BEFORE.search(text[:at])
                            or _TAX_BEFORE.search(text[:at]))


def _in_address(text: str, value: str) -> bool:
    at = text.find(value)
    return at != -1 and bool(_ADDRESS_NUMBER.match(text, at + len(value)) or _ADDRESS_BEFORE.search(text[:at]))


def find_order_no(text: str | None, entity: str | None = None) -> str | None:
    """The order number the shopper typed (an entity if NLU found one, else the longest digit run
    that is not a phone number). Returned as typed (normalised), not yet validated."""
    t = ascii_text(text)
    if entity and not _in_address(t, str(entity)) and not _in_code(t, str(entity)):
        return normalize_order_no(entity)
    return max(_numbers(t), key=len, default=None)


def find_order_nos(text: str | None) -> list[str]:
    """Every order number typed, in order, once each (202511170002、202511220009 两笔都开票)."""
    return list(dict.fromkeys(_numbers(ascii_text(text))))


def _numbers(t: str) -> list[str]:
    """The digit runs of a message that may be order numbers, as typed (normalised)."""
    out = []
    for match in _LONG_DIGITS.finditer(t):
        value = normalize_order_no(match.group())
        if re.fullmatch(r"1[3-9]\d{9}", value) or _ADDRESS_NUMBER.match(t, match.end()) \
                or _ADDRESS_BEFORE.search(t[:match.start()]):
            continue    # a phone number; a house number (深南大道9988号7栋) is not an order number
        if _IN_CODE.match(t, match.end()) or _IN_CODE_BEFORE.search(t[:match.start()]) \
                or _TAX_BEFORE.search(t[:match.start()]):
            continue    # part of a tax number (91210102MA0P5R2T08 / 税号9121010212345678), not an order
        out.append(value)
    return out


def find_phone(text: str | None, entity: str | None = None) -> str | None:
    if entity:
        return normalize_phone(entity)
    match = re.search(r"(?:\+?86[\s\-]?)?1[3-9]\d[\s\-]?\d{4}[\s\-]?\d{4}", ascii_text(text))
    return normalize_phone(match.group()) if match else None


# -- picking from a list ----------------------------------------------------------------------
_ORDINAL = re.compile(r"第\s*([0-9一二两三四五六七八九十]+)\s*(?:个|单|件|条|款|项|种)?")
_BARE_NUMBER = re.compile(r"^\s*([0-9]{1,2}|[一二两三四五六七八九十])\s*(?:号|个|单|件)?\s*[。.!！]?\s*$")
_LAST = ("最后一个", "最后那个", "最后一单", "最后一件", "最下面")
_FIRST = ("第一个", "最上面", "最新的", "最近的那个", "最近那单", "最近一单")


def pick_index(text: str | None, count: int) -> int | None:
    """0-based index into a list of `count` options shown to the shopper, or None."""
    text = ascii_text(text)
    if count <= 0:
        return None
    if any(w in text for w in _LAST):
        return count - 1
    n = None
    match = _ORDINAL.search(text) or _BARE_NUMBER.match(text)
    if match:
        n = cn_number(match.group(1))
    elif any(w in text for w in _FIRST):
        n = 1
    if n is None or not 1 <= n <= count:
        return None
    return n - 1


# -- yes / no ---------------------------------------------------------------------------------
_YES = ("确认", "确定", "是的", "对的", "好的", "可以", "没问题", "嗯", "行", "要的", "需要", "同意", "接受", "ok", "yes",
        "发吧", "发我", "发给我", "给我发", "办吧", "弄吧", "来吧", "就这样吧", "好吧", "要了", "整吧", "给我吧")
_NO = ("不用", "不要", "不需要", "算了", "先不", "不了", "不对", "别", "不是", "不接受", "不同意", "no", "取消操作", "再想想")


# Saying the task again confirms it: "对 取消" to 确认取消订单吗, "退吧" to 确认退货吗.
TASK_YES = {"cancel": ("取消",), "return": ("退吧", "退了吧", "退货", "要退", "退掉", "都退", "就退", "帮我退", "提交"),
            "exchange": ("换吧", "换货", "要换", "就换", "帮我换", "提交"), "modify": ("改吧", "就改", "帮我改", "要改", "改了吧"),
            "track": ("券要", "要券", "券我要", "要这个券", "要那个券")}   # the delay coupon offered
# A question back (退款退到哪？/ 确定只退身体乳 对吧 / 多久能到) is not a yes, whatever words it holds.
_ASKING = re.compile(r"[?？]|吗|对吧|是吧|多久|哪|怎么|什么|几天|为什么|为啥")
_NEGATED_TASK = re.compile(r"(?:不|别|甭|先不|不要|不用|不想|不必)(?:再)?(?:取消|退|换|改|修改|申请|提交|办)")
_WORDS = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]")
_UNSURE = re.compile(r"^\s*[\u4e00-\u9fffA-Za-z]{0,2}\s*[?？]+\s*$|^\s*(?:啊|哈|呃|额|哦)\s*[?？。.…!！]*\s*$")
# 十块就十块吧 / 行吧就这样吧: taken as it is, grudgingly — a yes; 给我 at the end: hand it over
RESIGNED = re.compile(r"([\u4e00-\u9fff\d]{1,4})就\1(?:吧|呗|了|啦)|给我\s*[吧呗啊!！。~～]*\s*$")
_YES_ALONE = re.compile(r"^\s*(?:对|是|好|嗯|要)(?![了不么吗])[\s,，。!！~～啊呀吧的]*")


# "Don't want it any more" about the goods is a yes to cancelling or returning them (这个订单不要了，帮我取消吧).
TASK_WANT = {"cancel": ("不要了", "不想要了", "不买了", "不要这单"), "return": ("不要了", "不想要了")}
_NEGATION_BEFORE = re.compile(r"(?:不|别|甭|没|不要|不用|不想|不必)(?:再)?$")
_STARTS_NO = re.compile(r"^\s*(?:不用|不要|不需要|算了|先不|别|不了|不是|不对|no\b)")


def _said_plainly(t: str, word: str) -> bool:
    """Is the task word said somewhere without a negation right before it (就退身体乳, 帮我取消吧)?"""
    start = t.find(word)
    while start >= 0:
        if not _NEGATION_BEFORE.search(t[max(0, start - 3):start]):
            return True
        start = t.find(word, start + 1)
    return False


def yes_no(text: str | None, intent: str | None = None, task: str | None = None) -> bool | None:
    """True / False for a confirmation, None when unclear (asked again).

    The words about the task decide first: the task's word said plainly is a yes even beside a no about
    something else (对 就退身体乳 盖毯不退) or goods no longer wanted (这个订单不要了 帮我取消吧); said negated it
    is a no (不取消了 / 别退了), whatever the intent model read. Then the intent, then yes/no words."""
    t = ascii_text(text).lower()
    if not _WORDS.search(t) or _UNSURE.match(t):
        # ，/ 。/ 👌 / 嗯？: no words, or a question back — unclear, so the question is asked again
        # whatever the intent model read into it (a change is made only on a clear yes).
        return None
    words = TASK_YES.get(task or "", ())
    if _ASKING.search(t):
        return None
    if not _STARTS_NO.match(t) and (any(_said_plainly(t, w) for w in words)
                                    or any(w in t for w in TASK_WANT.get(task or "", ()))):
        return True
    if _NEGATED_TASK.search(t) or _STARTS_NO.match(t):
        return False
    if intent == "affirm":
        return True
    if intent == "deny":
        return False
    if any(w in t for w in _NO):
        return False
    if any(w in t for w in _YES) or _YES_ALONE.match(t) or RESIGNED.search(t):
        return True
    return None


# -- what to change, why to return ----------------------------------------------------------------
MODIFY_FIELD_WORDS = (
    ("address", ("地址", "收货地", "送到", "寄到", "搬家")),
    ("phone", ("电话", "手机", "联系方式", "号码")),
    ("quantity", ("数量", "件数", "多买", "少买", "买多", "买少", "再加", "减少", "几件", "改成两件")),
    ("variant", ("颜色", "尺码", "码数", "规格", "型号", "大一码", "小一码", "换成", "款式", "色")),
)
MODIFY_FIELD_CHOICES = ("address", "phone", "variant", "quantity")  # numbered 1-4 in the question


def choice(text: str | None, words: Sequence[tuple[str, Sequence[str]]], numbered: Sequence[str], *,
           as_answer: bool) -> str | None:
    """The option whose words the text uses; or, answering a numbered question, the number picked."""
    t = ascii_text(text)
    for code, keys in words:
        if any(k in t for k in keys):
            return code
    n = pick_index(t, len(numbered)) if as_answer else None
    return numbered[n] if n is not None else None


# 寄到青岛的那个订单的收货电话: where the order goes names the order, not the field to change
_WHERE_IT_GOES = re.compile(r"(?:寄到|送到)[\u4e00-\u9fff]{1,8}?的")


def modify_field(text: str | None, *, as_answer: bool = False) -> str | None:
    return choice(_WHERE_IT_GOES.sub("", text or ""), MODIFY_FIELD_WORDS, MODIFY_FIELD_CHOICES, as_answer=as_answer)


RETURN_REASON_WORDS = (
    ("wrong_item", ("发错", "错发", "不是我买的", "寄错", "给错")),
    ("mismatch", ("不符", "不一样", "色差", "图片", "货不对板", "描述", "和页面")),
    ("quality", QUALITY_WORDS),
    ("size", ("尺码", "大了", "小了", "偏大", "偏小", "不合身", "太大", "太小", "码数", "紧", "松")),
    ("no_reason", ("不想要", "不喜欢", "不太喜欢", "不怎么喜欢", "不好看", "不太好看", "无理由", "买多", "拍错", "不需要了", "不合适", "没用", "用不上", "七天",
                   "不要了", "都不要", "没拆", "未拆", "没开封", "未开封", "没穿过", "全新", "吊牌还在", "没有拆",
                   "没用过", "没有用过", "没动过", "包装还在", "包装都在", "没有开封")),
)
RETURN_REASON_CHOICES = ("no_reason", "size", "quality", "mismatch", "wrong_item")  # numbered 1-5 in the prompt


# 拆开用了两回 / 打开试过 / 抹了几次: the goods were opened; 没拆封 / 还没用过 says the opposite
_OPENED = re.compile(r"拆(?:开|封)|拆了|打开(?:了|过|用)|开封了|用了|用过|试用过|试过|涂了|擦了|抹了|喷了|吃了|喝了")
_NOT_OPENED = re.compile(r"(?:没|未|没有|还没|不曾)(?:有)?(?:拆|开封|打开|用过|用|试|涂|擦|抹|吃|喝)")


def opened(text: str | None) -> bool:
    """Does the shopper say the goods were opened or used (拆开用了两回), and not that they were not?"""
    t = (text or "")[:500]
    return bool(_OPENED.search(t)) and not _NOT_OPENED.search(t)


def return_reason(text: str | None, *, as_answer: bool = False) -> str | None:
    return choice(text, RETURN_REASON_WORDS, RETURN_REASON_CHOICES, as_answer=as_answer)


# -- quantities, variants, addresses ---------------------------------------------------------------
def quantity(text: str | None) -> int | None:
    """How many items: read by shop.text.numbers (Chinese numerals whole: 改成两百件 → 200, which the
    order rules then refuse), the one reader of amounts for orders and products alike."""
    from shop.text.numbers import quantity as read_quantity, to_digits
    found = read_quantity(text)
    if found is None:
        # 砧板改成一块 / 只要两块: 块 counts pieces when nothing in the message is about money
        piece = _PIECES.search(to_digits(text))
        if piece and not _MONEY_WORDS.search(text or ""):
            found = int(piece.group(1))
    return found


_PIECES = re.compile(r"(?:改成|改为|改到|换成|只要|要|留)\s*(\d{1,6})\s*块(?!钱)")
_MONEY_WORDS = re.compile(r"钱|元|价|贵|便宜|优惠|退款|付")


_SIZE = re.compile(r"(?<![A-Za-z])(XXXL|XXL|XL|XS|[2-5]XL|S|M|L)(?![A-Za-z])|(\d{2,3})\s*码|(均码|大码|小码)",
                   re.IGNORECASE)


def size(text: str | None, entity: str | None = None, known: Iterable[str] = ()) -> str | None:
    """A size as the catalog writes it: 'XL', '42', '均码' (a 'M码'/'42码' entity is normalised)."""
    source = entity or ascii_text(text)
    known = tuple(known)
    for k in sorted(known, key=len, reverse=True):  # catalog sizes first: '160/80A', '6-12月' ...
        if k and k in source:
            return k
    flat = re.sub(r"\s*[×*xX]\s*", "x", source)
    for k in sorted(known, key=len, reverse=True):   # 120x150 / 120*150 for 120x150cm: the size without its unit
        core = re.sub(r"(?:cm|mm|ml|g|kg|m)$", "", k or "")
        if re.search(r"\d+x\d+", core) and re.search(rf"(?<![\d.]){re.escape(core)}(?![\d.])", flat):
            return k
    match = _SIZE.search(source.upper() if entity else source)
    if not match:
        return None
    if match.group(1):
        return match.group(1).upper()
    return match.group(2) or match.group(3)


def color(text: str | None, entity: str | None = None, known: Sequence[str] = ()) -> str | None:
    """A colour the product really comes in, matched on the catalog's names (longest first),
    so '黑' finds '黑色' and '雾霾蓝' beats '蓝'."""
    source = entity or ascii_text(text)
    for k in sorted(known, key=len, reverse=True):
        if k and k in source:
            return k
    for k in sorted(known, key=len, reverse=True):
        stem = k[:-1] if k.endswith("色") and len(k) > 1 else k
        if stem and stem in source:
            return k
    return entity or None


_ADDRESS_LEAD = re.compile(r"^.*?(?:改到|改成|改为|换成|换到|寄到|送到|地址是|地址为|新地址[:：是为]?|地址[:：])\s*")
_DISTRICT_LEAD = re.compile(r"^(?P<district>[\u4e00-\u9fff]{1,8}?(?:区|县|旗|市))(?P<rest>.{2,})$")
_PROVINCE_SUFFIX = re.compile(r"(?:省|市|自治区|壮族自治区|回族自治区|维吾尔自治区|特别行政区)$")
_CITY_SUFFIX = re.compile(r"(?:市|地区|自治州|盟)$")


def address(text: str | None) -> dict | None:
    """{'province','city','district','detail'} or None when the city or the detail is missing.

    The divisions come from cpca (China's administrative divisions, adcodes of the National
    Bureau of Statistics), so the province may be left out (广州市天河区体育西路191号 → 广东省)
    and 市/区 may be dropped (杭州西湖区文三路100号). The province or the city must be in the
    text: a district alone (朝阳区…) is in several cities, and cpca's guess is not the shopper's
    word. Municipalities have no separate city ('上海市浦东新区…'): the city is the province.
    A development zone that is not a division (成都高新区…) is taken as the district."""
    t = ascii_text(text).strip()
    t = _ADDRESS_LEAD.sub("", t).strip("。.！! ")
    if len(t) < 6:
        return None
    import cpca   # loads the division table (~0.1 s) on first use only

    row = cpca.transform([t[:200]]).iloc[0]
    province, city, district, detail = (row.get(k) or "" for k in ("省", "市", "区", "地址"))
    if not province:
        return None
    stems = {_PROVINCE_SUFFIX.sub("", province), _CITY_SUFFIX.sub("", city) if city not in ("", "市辖区", "县") else ""}
    if not any(stem and stem in t for stem in stems):
        return None    # a district name only: not the shopper's city
    if city in ("", "市辖区", "县"):
        if not province.endswith("市"):
            return None
        city = province
    detail = str(detail).strip(" ，,。")
    # 江南西路128号5栋701，电话不变，谢谢您: the address ends where the sentence moves on
    detail = re.split(r"\s*[，,。;；！!？?]\s*(?=电话|手机|号码|谢谢|麻烦|辛苦|其他|其它|别的|不用|就这|另外|还有|收件人)",
                      detail)[0].strip(" ，,。")
    if not district:
        lead = _DISTRICT_LEAD.match(detail)
        if not lead:
            return None
        district, detail = lead.group("district"), lead.group("rest").strip(" ，,。")
    if len(detail) < 2:
        return None
    return {"province": province, "city": city, "district": district, "detail": detail}


# A phone given to prove who is asking (not a new number for an order): 手机号是…, 先验证一下, 报个手机号
GIVES_PHONE = re.compile(r"手机号?(?:码)?(?:是|为|:|：)?\s*1\d{10}|号码是|验证|验一下|身份|登录|登陆|报个|报一下|我是.{0,8}(?:的|他|她)")


# -- invoices -----------------------------------------------------------------------------------------
# 个体工商户 invoice too (统一社会信用代码 starting 92): 日杂店, 日用品商行, 建材经营部, 百货, 门市部
_COMPANY_WORDS = ("公司", "有限", "集团", "企业", "研究院", "事务所", "工作室", "中心", "学校", "医院", "大学", "协会",
                  "经营部", "商行", "门市部", "批发部", "商店", "超市", "百货", "店", "厂")
_TAX = re.compile(r"[0-9A-Za-z]{15,20}")
_ORG_NAME = re.compile(r"[\u4e00-\u9fff（）()A-Za-z]{2,40}?(?:股份有限公司|有限责任公司|有限公司|集团|研究院|事务所|工作室|中心|学校|"
                       r"医院|大学|协会|公司|经营部|商行|门市部|批发部|商店|超市|百货|店|厂)(?![\u4e00-\u9fff]{0,1}报销)")
_TITLE_LEAD = re.compile(r"^.*?(?:抬头(?:是|为|写|开)?|开给|单位是|公司是|(?:单位|公司|企业)?名称(?:是|为)?)[:：]?\s*")
# Words of the invoice itself, never a person's name (单位抬头电子发票: the kind of invoice, the title still to come)
_INVOICE_WORDS = re.compile(r"发票|电子|纸质|专票|普票|增值税|单位|抬头|开票|订单")
_PERSONAL = ("个人", "个人发票", "开个人", "个人抬头", "个人的")
_TITLE_TAIL = re.compile(r"(?:就行了?|就可以了?|就好了?|就成|即可|吧|的)$")


def invoice_title(text: str | None) -> tuple[str, str] | None:
    """('personal'|'company', title) from an answer like '抬头：杭州某某科技有限公司' or '个人'."""
    t = ascii_text(text).strip()
    t = _TAX.sub("", t)
    t = re.sub(r"(?:税号|纳税人识别号|信用代码)[:：是为]?", "", t)
    led = _TITLE_LEAD.search(t)
    personal_title = re.search(r"个人的?抬头", t)   # 开个发票 个人抬头 电子的: the kind said before 抬头
    t = _TITLE_LEAD.sub("", t).strip(" ，,。:：")
    clauses = [c for c in re.split(r"[。；;！!？?，,\s]", t) if c]
    if led:   # 个人的就行，抬头写张伟。单号我一会儿找给你: the title is one of the clauses after 抬头, the first that is one
        for clause in clauses:
            found = _title_of(clause)
            if found:
                return found
        if personal_title:
            return "personal", "个人"
    elif any(c in _PERSONAL for c in clauses):
        # 帮我开个发票 个人 张伟: 个人 says the kind, the clause right after it (a name) says whose
        at = next(i for i, c in enumerate(clauses) if c in _PERSONAL)
        name = _title_of(clauses[at + 1]) if at + 1 < len(clauses) else None
        return name if name and name[0] == "personal" else ("personal", "个人")
    return _title_of(t)


def _title_of(t: str) -> tuple[str, str] | None:
    t = _TITLE_TAIL.sub("", t).strip(" ，,。:：")   # 抬头写张伟就行: the name, not 张伟就行
    if not t:
        return None
    if t in _PERSONAL:
        return "personal", "个人"
    if any(w in t for w in _COMPANY_WORDS):
        # 厦门立信贸易有限公司 — a name ending in what organisations are called; 公司报销用 names none
        org = _ORG_NAME.search(t)
        return ("company", org.group()) if org else None
    if re.fullmatch(r"[\u4e00-\u9fff·]{2,6}", t) and not _INVOICE_WORDS.search(t):  # a person's name
        return "personal", t
    return None


def tax_number(text: str | None) -> str | None:
    match = _TAX.search(ascii_text(text))
    return match.group().upper() if match else None
