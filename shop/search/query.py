"""What a shopper's words ask for, as facets of the catalog: `parse(text) -> ProductQuery`.

The text is normalised (full-width, traditional → shop.text.normalize), numerals read
(shop.text.numbers), homophone slips corrected and vocabulary words found
(shop.search.lexicon). The result names product types (洗面奶 → 洁面乳; 外套 → every kind
of coat), attributes (保暖), the cut and audience (给老妈 → 女 + 老人), skin type, scene,
season, material, colour, a budget, "cheaper"/"dearer", products named in full, and the
remaining words for BM25 ranking. It is the same reading for search, recommendations and
entity extraction (custom_components/shop_entities.py).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from shop.search.lexicon import Term, known_word, lexicon, tokenizer
from shop.text.normalize import normalize
from shop.text.numbers import price_range, to_digits

CHEAPER = ("便宜点", "便宜些", "便宜一点", "便宜的", "更便宜", "再便宜", "实惠", "平价", "平替", "性价比", "划算", "便宜")
DEARER = ("贵一点", "贵点", "贵些", "更好的", "好一点的", "好点的", "高档", "高端", "档次高", "更贵")
# Words that carry no product meaning for ranking (question words, politeness, chat).
STOPWORDS = set("""的 了 吗 呢 吧 啊 呀 哦 嘛 么 有 没有 有没有 是 不是 我 你 您 他 她 它 我们 想 要 想要 需要 买 购买 给 帮 帮我
请 请问 问 问下 一下 推荐 推荐一下 介绍 看看 看 瞧瞧 找 找找 什么 哪些 哪个 哪款 啥 多少 怎么 怎样 如何 这个 那个 这款
那款 这件 那件 一个 一款 一件 个 款 件 双 适合 合适 用 穿 戴 用的 穿的 比较 好 好的 好用 最好 一些 点 些 就 也 还 都
和 跟 与 及 或 或者 还是 能 可以 会 可 在 里 上 下 中 店 店里 你们 亲 客服 款式 东西 商品 宝贝 产品 货 价格 钱 元 块
左右 以内 以下 以上 之内 预算 不超过 最多 大概 差不多 便宜 贵 平替 实惠 性价比 谢谢 好吗 行 呗 哈 嗯
随便 随便什么 都行 凑 凑单 凑满 满减 包邮 免邮 还差 差 满 卖 有卖""".split())
_NOT_WORDS = re.compile(r"(?<![a-z])(?:xxxl|xxl|xl|xs|[2-5]xl|s|m|l)(?![a-z])\s*码?|(?<![a-z\d])\d+(?:\.\d+)?\s*"
                        r"(?:米|cm|厘米|公分|斤|公斤|kg|千克|码|号|元|块钱|块|岁|个月|件|个|双|k|w)?|均码|大码|小码")
_AGE = re.compile(r"(\d{1,3})\s*(?:周岁|岁|多岁|多了|岁了)")
_MONTHS = re.compile(r"(?<!怀孕)(?<!怀孕了)(?<!孕)(?<!怀了)(\d{1,2})\s*个?月(?:大|了|的?宝宝|的?孩子|的?婴儿|的?娃)")   # 怀孕五个月了: not a baby


_NEWBORN = re.compile(r"新生儿|刚出生|刚生(?:了|完|的)?|才出生|满月|出月子|月子里|初生")


def baby_months(text: str) -> float | None:
    """A baby's age in months when the text gives one: 新生儿 / 刚生了宝宝 → 0, 8个月大 → 8, 2岁 → 24."""
    t = to_digits(text)
    if _NEWBORN.search(t):
        return 0.0
    m = _MONTHS.search(t)
    if m:
        return float(m.group(1))
    m = _AGE.search(t)
    if m and int(m.group(1)) < 3:
        return 12.0 * int(m.group(1))
    return None


def age_profile(text: str) -> str | None:
    """The catalog profile an age implies: 七十多了 → 老人, 3岁 → 儿童, 8个月大 → 婴幼儿."""
    t = to_digits(text)
    if _MONTHS.search(t):
        return "婴幼儿"
    m = _AGE.search(t)
    if not m:
        return None
    age = int(m.group(1))
    return "老人" if age >= 55 else "儿童" if 3 <= age <= 12 else "婴幼儿" if age < 3 else None


@dataclass
class ProductQuery:
    text: str                                        # normalised, corrected, lower-case
    types: frozenset = frozenset()                   # product types asked for (from type words)
    type_words: tuple = ()                           # the words that named them
    category_types: frozenset = frozenset()          # types of a category word (鞋子, 护肤品)
    not_sold: tuple = ()                             # goods the shop does not carry (手机)
    attributes: frozenset = frozenset()              # keys of vocabulary.yaml attributes
    gender: str | None = None                        # 男 / 女 when the cut is asked for
    profiles: frozenset = frozenset()                # who it is for (老人, 孕妇, 敏感肌 …)
    scenes: frozenset = frozenset()
    seasons: frozenset = frozenset()
    materials: frozenset = frozenset()
    colors: frozenset = frozenset()
    price: tuple | None = None                       # (low, high) yuan
    no_such_kind: bool = False                       # the kind asked for is not sold for these people
    unknown_kinds: tuple = ()                        # product-like words the shop has no such goods for (护臀膏)
    cheaper: bool = False
    dearer: bool = False
    named: tuple = ()                                # ids of products named in full
    keywords: tuple = ()                             # remaining words, for BM25
    corrections: tuple = ()                          # (typed, meant)
    terms: tuple = field(default=(), repr=False)     # every Term found
    # what the shopper does not want (不要黄色的, 羊毛过敏, 羽绒的不要): kind → values, never shown
    # (a colour: never shown when it is the only colour a product comes in)
    excluded: dict = field(default_factory=dict)     # {"materials"|"colors"|"types"|"attributes": frozenset}
    baby_months: float | None = None                 # a baby's age said (新生儿 → 0): types.yaml from_months

    @property
    def wanted_types(self) -> frozenset:
        """The types a result may have: the type words' if any, else the category's, else any."""
        return self.types or self.category_types

    def facets(self) -> dict:
        """The facets asked for besides type, price and cut (for explaining a recommendation)."""
        return {k: v for k, v in (("attributes", self.attributes), ("profiles", self.profiles),
                                  ("scenes", self.scenes), ("seasons", self.seasons),
                                  ("materials", self.materials), ("colors", self.colors)) if v}

    def is_empty(self) -> bool:
        return not (self.wanted_types or self.facets() or self.price or self.named or self.keywords
                    or self.gender or self.not_sold or self.excluded)


@lru_cache(maxsize=1)
def _names() -> tuple[tuple[str, str], ...]:
    """(lower-cased full name, id), longest first."""
    from shop.catalog import load_catalog
    return tuple(sorted(((p["name"].lower(), p["id"]) for p in load_catalog().products),
                        key=lambda x: len(x[0]), reverse=True))


def named_products(text: str) -> list[str]:
    """Ids of products whose full name is in the (normalised, lower-case) text, longest first,
    names inside a longer one found skipped. A 的 the shopper put inside a name (A类纯棉的婴儿连体衣,
    宽松的真丝衬衫) does not hide it: no product's name holds 的, so it is read without them."""
    text = text.replace("的", "")
    found, taken = [], []
    for name, pid in _names():
        start = text.find(name)
        if start != -1 and not any(a <= start < b for a, b in taken):
            found.append(pid)
            taken.append((start, start + len(name)))
    return found


# Last characters of Chinese words for goods (护臀膏, 蛋白粉, 电热毯, 手表 …).
GOODS_ENDINGS = set("膏粉霜液乳油器机仪表车包盒杯瓶鞋靴衣裤裙帽袜巾被垫枕毯锅壶碗盘线壳套架灯镜伞箱桌椅柜笔药酒糖饼罩贴膜棒刀剪梳"
                    "计盆秤扇炉桶钟链锁篮凳")


def _looks_like_goods(word: str) -> bool:
    """A word the vocabulary did not explain that names goods (its last character says so), and
    that no product's name, type or tags contain: the shop does not sell it."""
    from shop.search.lexicon import core_words
    return (len(word) >= 2 and word[-1] in GOODS_ENDINGS and all("\u4e00" <= c <= "\u9fff" for c in word)
            and word not in core_words())


def keywords(text: str) -> tuple[str, ...]:
    words = []
    for w in tokenizer().cut_for_search(text):
        w = w.strip().lower()
        if not w or w in STOPWORDS or not re.search(r"[\w\u4e00-\u9fff]", w) or re.fullmatch(r"[\d.]+", w):
            continue
        words.append(w)
    return tuple(words)


def _narrowest(type_sets: list[set]) -> set:
    """The kinds several type words mean together: a word inside a wider one's kinds narrows it
    (西服 + 外套 → 西装), and a specific need beats a catch-all (围兜 + 衣服 → 围兜)."""
    if not type_sets:
        return set()
    kept = [a for a in type_sets if not any(b < a for b in type_sets)]
    specific = [a for a in kept if len(a) <= 2]
    if specific and any(len(a) > 4 for a in kept):
        kept = [a for a in kept if len(a) <= 4]
    return set().union(*kept)


YOUNG = frozenset({"婴幼儿", "儿童"})


def with_young(profiles) -> set:
    """孩子, 孙子 and 宝宝 do not say an age: a kind made for babies or for children may be meant by
    either word (a grandson eating 辅食 is a baby)."""
    profiles = set(profiles)
    return profiles | YOUNG if profiles & YOUNG else profiles


def _for_whom(types: set, terms, profiles: set, adult: bool = False, self_too: bool = False) -> frozenset:
    """Drop types made for other people (儿童羽绒服 for a plain 羽绒服) unless the shopper asked for
    them by name or asked for their people; when every type is such a type (奶粉), keep them all.
    An adult (大人睡的) never gets a kind made only for babies or children, even named."""
    info = lexicon().types
    young = with_young(profiles)
    if adult:
        types = {t for t in types if not set(info[t].get("for") or []) <= {"婴幼儿", "儿童"} or not info[t].get("for")}
        if not types:
            return frozenset()
    # named by its own name or a synonym, or by a longer word ending in its name (中老年健步鞋)
    named = {w for t in terms if t.kind == "type" for w in t.value
             if t.word in (w.lower(), *(s.lower() for s in info[w].get("synonyms", []))) or t.word.endswith(w.lower())}
    kept = {t for t in types if t in named or not info[t].get("for") or set(info[t]["for"]) & young}
    # 给孙子买保温杯: the kind made for the people asked about (儿童水杯 ⊂ 保温杯) belongs too.
    kept |= {u for u, e in info.items() if set(e.get("for") or []) & profiles and kept & set(e.get("broader", []))}
    # ... and then only that kind: a child's cup, not an adult's, for the grandson. Kinds for older
    # people (健步鞋) sit beside the general ones instead: grandma wears snow boots too.
    made_for = {t for t in kept if set(info[t].get("for") or []) & young - {"老人"}}
    if not made_for and profiles & {"婴幼儿", "儿童"} and not any(info[t].get("for") for t in kept):
        # 一岁宝宝学走路穿的鞋: no child's kind among those read, but one of the same family
        # (a broader word shared: 学步鞋 and 健步鞋 are both 鞋子) is made for them.
        family = {b for t in kept for b in info[t].get("broader", [])}
        made_for = {u for u, e in info.items() if set(e.get("for") or []) & profiles
                    and set(e.get("broader", [])) & family}
    if made_for and self_too:
        # 给自己和娃各买件羽绒服: the kind for the child and the plain kind for the shopper
        return frozenset(made_for | {t for t in kept if not info[t].get("for")})
    return frozenset(made_for or kept or types)


# 给自己和娃各买一件 / 大人小孩都要 / 全家: the shopper buys for themself (or adults) as well
_SELF_TOO = re.compile(r"自己和|自己跟|我和|我跟|我俩|大人和|大人小孩|大人孩子|大人跟|一家|全家|亲子|各买|各一|各来")


# "…用的小锅": a purpose clause (what it is used for, eaten with, worn for) just before the next kind
_OF_THE_NEXT = re.compile(r"(?:用|吃|喝|穿|装|放|煮|做|泡|洗|擦|盖|铺|垫|背|配)的[\u4e00-\u9fff]{0,2}$")
# "…辅食了 想买个小锅": what is bought is the kind wanted, what came before says what for
_BUYING = re.compile(r"(?:买|要|找|选|挑|来)(?:个|只|口|把|双|件|台|一个|一口|一只|点|些)?[\u4e00-\u9fff]?$")
_AND = re.compile(r"和|跟|与|还有|还要|也要|以及|或者|或|、|;|；|。|再")


def _heads(type_terms: list, text: str) -> list:
    """The kind words that are wanted, not those that only say what the wanted one is for: in
    吃辅食…用的小锅 the head is 锅 (a Chinese noun phrase ends in its head), so 辅食 is left out;
    two kinds joined (锅和碗, 辅食、锅) are both wanted."""
    kept = []
    for i, t in enumerate(type_terms):
        nxt = type_terms[i + 1] if i + 1 < len(type_terms) else None
        between = text[t.to:nxt.at] if nxt else ""
        if nxt and not set(t.value) & set(nxt.value) and not _AND.search(between) and (
                _OF_THE_NEXT.search(between) or _BUYING.search(between)):
            continue
        kept.append(t)
    return kept


# 送他个 / 想买一个 / 要双: a buying verb right before a kind word makes that kind the thing bought
_BOUGHT = re.compile(r"(?:买|送|要|找|选|挑|入|整)(?:给)?(?:他|她|我|你|它|他们|她们|ta)?(?:一)?"
                     r"(?:个|只|口|把|双|件|台|条|套|款|瓶|支|盒|点|些)?\s*$", re.I)


def _bought_after_need(terms, type_terms: list, text: str) -> bool:
    """A need said first and then a kind bought (我爸每天泡茶 想送他个保温杯) or a kind it is for (泡茶用的保温杯):
    the need describes the kind's use, so it adds no kinds of its own."""
    needs = [t for t in terms if t.kind == "need"]
    # 泡茶用的保温杯: the need is what the kind named after it is for (_OF_THE_NEXT, as between two kinds)
    return any(t.at >= n.to and (_BOUGHT.search(text[:t.at]) or _OF_THE_NEXT.search(text[n.to:t.at]))
               for n in needs for t in type_terms)


# 手机13812345678 / 电话：138… — the word names the number that follows, not goods wanted.
_NUMBER_AFTER = re.compile(r"\s*(?:号码|号)?\s*(?:是|为)?\s*[:：]?\s*\+?\d[\d\s-]{5,}")


# 坐在电脑前面一整天 / 天天对着手机: a thing the shopper sits at or looks at, the scene of the wish, not the wish
_SCENE_BEFORE = re.compile(r"(?:对着|坐在|坐喺|盯着|看着|玩|刷|用|骑着?|开着?|坐着?)\s*$")   # 骑电动车上班: how, not what
_SCENE_AFTER = re.compile(r"\s*(?:前面|前|跟前|旁边|桌前|瘦|扁|空空|空了|不鼓)")   # 钱包瘦瘦: a saying about money


# Said of what the shopper does not want: 不要/别/除了 … before the word, 过敏/不行/扎 … after it.
# (是不是纯棉的 asks; 有没有纯棉的 wishes: neither says no to 纯棉.)
_NO_BEFORE = re.compile(r"(?:不要|不想要|不需要|(?<![特分区差个告级类性识鉴])别要?|不含|除了|除开|不喜欢|讨厌|不能有|不能是|不考虑|拒绝|排除|去掉)"
                        r"(?:带|是|用|要|含|有|那种|这种|那些)?$")
_NO_AFTER = re.compile(r"^(?:的|类的|材质的?|做的|料的?|款的?)?(?:衣服|东西|那种|那些|这种)?(?:都|也|一律)?"
                       r"(?:过敏|不行|不要|不可以|不能|不喜欢|扎|不考虑|免了|就算了|pass|不穿|穿不了|用不了|受不了|别推)")
_NO_JOIN = re.compile(r"^\s*(?:和|跟|与|或者?|还有|、|/|,|，)\s*$")
NEGATABLE = {"material": "materials", "color": "colors", "type": "types", "attribute": "attributes"}


def _refused(text: str, terms: list) -> set:
    """The terms the shopper says no to (by identity), 羊毛和羊绒的都不行 counting both."""
    mine = sorted((t for t in terms if t.kind in NEGATABLE), key=lambda t: t.at)
    refused: set = set()
    for i in range(len(mine) - 1, -1, -1):
        t = mine[i]
        before = text[max(0, t.at - 6):t.at]
        after = text[t.to:t.to + 12]
        no = bool(_NO_BEFORE.search(before)) and not before.endswith(("是不是", "有没有"))
        no = no or bool(_NO_AFTER.match(after))
        if not no and i + 1 < len(mine) and id(mine[i + 1]) in refused and _NO_JOIN.match(text[t.to:mine[i + 1].at]):
            no = True
        if not no and i > 0 and id(mine[i - 1]) in refused and _NO_JOIN.match(text[mine[i - 1].to:t.at]):
            no = True   # 不要羊毛和羊绒的: the no before the first holds for the second
        if no:
            refused.add(id(t))
    return refused


def _a_scene(text: str, term) -> bool:
    start = term.at if term.at >= 0 else term.start
    end = term.to if term.to >= 0 else term.end
    return bool(_SCENE_BEFORE.search(text[max(0, start - 3):start]) or _SCENE_AFTER.match(text, end))


def _labels_a_number(text: str, term) -> bool:
    end = term.to if term.to >= 0 else term.end
    return bool(_NUMBER_AFTER.match(text, end))


# 炖个汤 / 煲一锅汤 / 泡壶茶: a verb and its object split by a measure word (a separable verb, 离合词)
# still say the need 炖汤; the vocabulary holds the joined form only.
SPLIT_NEED = re.compile(r"([炖煲煮炒泡蒸烤煎])(?:个|点|一?锅|一?壶|一?下|了个|一顿)([汤肉菜茶饭鱼])")


def parse(text: str | None) -> ProductQuery:
    """Read a shopper's message (any form) as a product query."""
    normal = SPLIT_NEED.sub(r"\1\2", normalize(text).lower())
    corrected, terms = lexicon().find(normal, known_word)  # also reads English words (yoga → 瑜伽)
    q = ProductQuery(text=corrected, terms=tuple(terms))
    types: set = set()
    category_types: set = set()
    values: dict[str, set] = {k: set() for k in ("attribute", "profile", "scene", "season", "material", "color")}
    genders: set = set()
    adult = False
    type_sets: list[set] = []
    need_sets: list[set] = []
    refused = _refused(corrected, list(terms))
    excluded: dict[str, set] = {}
    for t in terms:
        if id(t) in refused:
            value = t.value if t.kind == "type" else (t.value if isinstance(t.value, str) else None)
            if value is not None:
                excluded.setdefault(NEGATABLE[t.kind], set()).update(value if t.kind == "type" else {value})
    every_term, terms = list(terms), [t for t in terms if id(t) not in refused]
    q.terms = tuple(terms)
    type_terms = _heads([t for t in terms if t.kind == "type"], corrected)
    for t in terms:
        if t.kind == "type":
            if t in type_terms:
                type_sets.append(set(t.value))
        elif t.kind == "need":
            need_sets.append(set(t.value))
        elif t.kind == "category":
            category_types |= set(t.value)
        elif t.kind == "audience":
            adult = adult or bool(t.value.get("adult"))
            if t.value.get("gender"):
                genders.add(t.value["gender"])
            if t.value.get("profile"):
                values["profile"].add(t.value["profile"])
        elif t.kind == "skin":
            values["profile"].add(t.value)
        elif t.kind == "season":
            values["season"] |= set(t.value)
        elif t.kind in values:
            values[t.kind].add(t.value)
    # A need (脚冰凉 → 拖鞋, 尿床 → 隔尿垫) adds its kinds to those named; the wishes (保暖, 睡觉, 宝宝)
    # then rank them (床上用的保暖的东西 → a blanket; 宝宝尿床 床垫湿透了 → a pad, not a mattress).
    # a need that the kind named already meets only describes it (中老年健步鞋…走路滑不滑: not 跑步鞋 too)
    named_kinds, needed = _narrowest(type_sets), _narrowest(need_sets)
    if _bought_after_need(terms, type_terms, corrected):
        needed = set()   # 每天泡茶 想送他个保温杯: the need says what the cup is for; the cup is what is bought
    types = named_kinds | (set() if named_kinds & needed else needed)
    aged = age_profile(corrected)
    if aged:
        values["profile"].add(aged)
    q.baby_months = baby_months(corrected)
    if q.baby_months is not None:
        values["profile"].add("婴幼儿")
    self_too = bool(_SELF_TOO.search(corrected))
    q.types = _for_whom(types, terms, values["profile"], adult, self_too)
    q.no_such_kind = bool(types) and not q.types
    q.type_words = tuple(t.word for t in terms if t.kind == "type")
    q.category_types = _for_whom(category_types, terms, values["profile"], adult, self_too)
    q.not_sold = tuple(t.word for t in terms if t.kind == "not_sold" and not _labels_a_number(corrected, t)
                       and not _a_scene(corrected, t))
    q.attributes = frozenset(values["attribute"])
    q.profiles = frozenset(values["profile"])
    q.scenes = frozenset(values["scene"])
    q.seasons = frozenset(values["season"])
    q.materials = frozenset(values["material"])
    q.colors = frozenset(values["color"])
    q.gender = next(iter(genders)) if len(genders) == 1 else None
    q.excluded = {k: frozenset(v) for k, v in excluded.items() if v}
    q.price = price_range(corrected)
    q.cheaper = any(w in corrected for w in CHEAPER) and q.price is None
    q.dearer = any(w in corrected for w in DEARER) and q.price is None
    q.named = tuple(named_products(corrected))
    # BM25 ranks on what the vocabulary did not explain (简约, 氨基酸, 冰丝 …): the words it did
    # explain are already filters or facets, and counting them again only adds length noise.
    rest = list(corrected)
    for t in every_term:   # a word said no to is not a word to rank by either
        rest[t.at:t.to] = [" "] * (t.to - t.at)
    # Sizes, measures, amounts and prices are conditions on a variant or a budget, not words of a name.
    q.keywords = keywords(_NOT_WORDS.sub(" ", to_digits("".join(rest))))
    # how a name says it (带帽子的 → 连帽): ranks like the shopper had typed the name's word
    q.keywords += tuple(t.value for t in terms if t.kind == "alias")
    # 坐在电脑前面 脖子硬: the thing of the scene ranks what goes with it (电脑支架), though it is not sold itself
    q.keywords += tuple(t.word for t in terms if t.kind == "not_sold" and _a_scene(corrected, t))
    q.corrections = tuple((t.corrected_from, t.word) for t in terms if t.corrected_from)
    q.unknown_kinds = tuple(w for w in q.keywords if _looks_like_goods(w))
    return q


def describe_terms(terms: tuple[Term, ...]) -> list[dict]:
    """Terms as plain dicts (for logs and entity extraction)."""
    return [{"kind": t.kind, "word": t.word, "start": t.start, "end": t.end} for t in terms]
