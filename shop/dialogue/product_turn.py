"""One product turn: what the shopper's message asks about which products, and the answer.

    turn = respond(intent, text, state, shelf)    # → Turn(reply, slots) or None (not a product turn)

The one place that decides a product message's meaning:
1. *Which products*: the n-th of the last list (第二个), products named in full, the product
   in focus for 这个/它 or for a follow-up without words of its own (那L码呢, 多重), or a
   search (shop.search) when the shopper describes products (真丝衬衫, 冬天的靴子).
2. *What is asked*: the aspects the words name (shop.dialogue.aspects), body measures
   (→ size advice), a size or colour alone (→ stock), else the intent's own aspect, else the
   question left pending before, else the last aspect asked, else a summary.
3. *Answer or list*: facts about one to three products for every aspect asked; a list of
   matching products when the shopper describes what they want without asking a fact (a
   recommendation: type first, then cut, budget and facets, then the shopper's own history
   re-ranks); a follow-up like 便宜点的呢 / 那女款呢 / 换一批 refines the last list.
Everything it reads goes through `Shelf` (graph facts, SQL stock, promotions, personal
ranking), so this module has no Rasa and no database of its own.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from typing import Protocol, Sequence

from shop.dialogue import aspects as A
from shop.dialogue import parsing
from shop.dialogue import products as P
from shop.dialogue.order_tasks import size_order
from shop.rules import promotions as promos
from shop.search.index import ProductIndex, SearchResult
from shop.search.query import ProductQuery, parse
from shop.text.normalize import normalize
from shop.text.numbers import measures, price_range, quantity, to_digits

MAX_TEXT = 500
SHOWN = P.SHOWN
FACET_ASPECTS = ("season", "scene", "profile")   # about a kind of product they are wishes, not questions
# Asking to be recommended something: 干皮秋冬面霜求推 is a wish even when one product fits it
RECOMMEND_ASKED = re.compile(r"推荐|推介|求推|推一[下个款]|推个|推款|安利|种草|有啥好的|有什么好的")
# Goods asked for beside another question (有啥 / 有没有 / 推荐): what there is, not only the question.
GOODS_ASKED = re.compile(RECOMMEND_ASKED.pattern + r"|有(?:啥|什么|哪些|哪几|没有|木有|无)|卖不卖|想买|想要|看看")
MORE = ("换一批", "还有别的", "还有其他", "别的呢", "其他的呢", "还有吗", "再推荐", "更多", "再来几款", "再看看别的",
        "有没有别的")
NOT_A_PRODUCT_QUESTION = ("谢谢", "好的", "知道了", "没事了", "不用了", "拜拜", "再见")


@dataclass
class State:
    """What the conversation remembers (Rasa slots), as plain values."""
    focus: str | None = None
    listed: list[str] = field(default_factory=list)
    last_aspect: str | None = None
    last_query: str | None = None
    pending: str | None = None           # "aspect,aspect|question text", waiting for a product
    page_product: str | None = None
    seen: list[str] = field(default_factory=list)   # every product listed for the last query (换一批)
    height: float | None = None
    weight: float | None = None


@dataclass
class Turn:
    reply: str
    slots: dict = field(default_factory=dict)


class Shelf(Protocol):
    """What the dialogue may read about products (graph, SQL stock, rules, the shopper)."""
    def product(self, pid: str) -> dict | None: ...
    def index(self) -> ProductIndex: ...
    def care(self, pid: str) -> list[dict]: ...
    def care_of_material(self, material: str) -> list[dict]: ...
    def size_chart(self, category: str) -> list[dict]: ...
    def size_for(self, pid: str, height, weight, foot) -> str | None: ...
    def stock(self, pid: str, color: str | None = None, size: str | None = None) -> list[dict]: ...
    def today(self) -> dt.date: ...
    def personal_rank(self, pids: Sequence[str]) -> dict[str, float]: ...


# -- reading the message ----------------------------------------------------------------------------
# Words that make a message a shopping request even when the intent model thought otherwise.
SHOPPING_CUES = re.compile(r"买|推荐|有没有|有没|啥码|什么码|多大码|有.{0,10}(?:吗|么|不)|看看|瞧瞧|多少|价格|想要|卖|找|挑|选|要个|要双|要件|来个|来件|"
                           r"怎么样|送|便宜|贵|哪个好|哪款")
_SIZE_BY_UNIT = re.compile(r"\d+(?:\.\d+)?\s*(?:ml|毫升|g|克|kg|cm|mah|寸|英寸|件套|片装|支装|条装|包|人|米的?床|m的?床|l)(?![a-z])",
                           re.I)
# 是纯棉的吗 / 是不是真丝的 / 是nylon吗 (read as 锦纶): a question about what it is made of, not a wish for it
_IS_MADE_OF = r"是(?:不是)?(?:纯|全|100%)?\s*{word}(?:的|做的|材质的?|面料的?)?\s*(?:吗|么|嘛|不|没|呀|啊|呢|$|[?？，,。 ])"


def _material_asked(q: ProductQuery) -> bool:
    return any(t.kind == "material" and re.search(_IS_MADE_OF.format(word=re.escape(t.word)), q.text)
               for t in q.terms)


_SIZE_UNIT_WORDS = re.compile(r"毫升|ml|寸|英寸|件套|片装|支装|条装", re.I)
CHEAPEST = ("最便宜", "最实惠", "价格最低", "最低价")
DEAREST = ("最贵", "价格最高", "最好的")


@dataclass
class Reading:
    text: str                  # normalised
    query: ProductQuery
    aspects: list[str]         # named by the words (product names left out: 新款 in 新款机械键盘 asks nothing)
    measures: dict
    size: str | None
    colors: list[str]
    referring: bool
    pick: int | None           # 1-based
    more: bool
    quantity: int | None
    cue: bool                  # a plain shopping request word


def read(text: str) -> Reading:
    normal = normalize(text)
    q = parse(normal)
    pick = P.LIST_PICK.search(q.text)
    n = parsing.cn_number(pick.group(1)) if pick else None
    if n is None and re.search(r"最后一(?:个|款|件|双)", q.text):
        n = -1
    unnamed = q.text
    for name in P.names_in(q.named):
        unnamed = unnamed.replace(name.lower(), " ")
    for term in q.terms:    # 粉颜色的有吗 names a colour; it does not ask which colours there are
        if term.kind == "color" and term.word.endswith("颜色"):
            unnamed = unnamed.replace(term.word, " ")
    size = parsing.size(to_digits(normal))     # 那三十九码的呢 → 39
    if size is None:
        # 那30ml的呢, 1.8米的, 20000的; 一米八的床 (1米8 → 1.8米)
        unit = _SIZE_BY_UNIT.search(re.sub(r"(?<![\d.])(\d)\s*米\s*(\d)(?![\d.])", r"\1.\2米", to_digits(normal)))
        size = unit.group() if unit else None
    body = measures(normal)
    if size and "床" in size:
        body.pop("height", None)    # 一米八的床 is the bed's width, not the shopper's height
    if size and body.get("weight") and re.fullmatch(r"[\d.]+\s*kg", size, re.I):
        size = None                 # 158 45kg: the shopper's weight, not a 45 kg variant
    if size is not None and not parsing.size(to_digits(normal)):
        unnamed = _SIZE_UNIT_WORDS.sub(" ", unnamed)   # 那五百毫升的呢: the unit names a size, asks none
    aspects = A.asked(unnamed)
    if "material" not in aspects and _material_asked(q):
        aspects.append("material")
    if BULK_DEAL.search(to_digits(normal)):
        # 买两支有便宜吗: the offer for that many (a quote), not something cheaper
        q.cheaper = False
        if "promotion" not in aspects:
            aspects.append("promotion")
    return Reading(text=normal, query=q, aspects=aspects, measures=body,
                   # in the order said (这个绿色L有货吗？米色的呢？ asks green first); unspelled ones last
                   size=size, colors=sorted(q.colors, key=lambda c: (normal.find(c) % (len(normal) + 1), c)),
                   referring=any(w in q.text for w in P.REFERRING), pick=n,
                   more=any(w in q.text for w in MORE), quantity=quantity(normal),
                   cue=bool(SHOPPING_CUES.search(q.text)))


def _name_words(q: ProductQuery, shelf: "Shelf | None" = None) -> list[str]:
    """Words that may be part of a product's name: free words the catalog's names and tags hold, and
    attribute/material words (加厚, 真丝)."""
    words = [k for k in q.keywords if len(k) >= 2 and not A.asked(k)]
    if shelf is not None:
        words = shelf.index().known(words)
    words += [t.word for t in q.terms if t.kind in ("attribute", "material") and len(t.word) >= 2]
    return words


def _describes(q: ProductQuery, shelf: Shelf) -> bool:
    """The words describe products (a kind, a name part the catalog has), not only a wish like
    便宜点 or a question like 多重 / 能机洗吗."""
    words = [k for k in q.keywords if len(k) >= 2 and not A.asked(k)]
    return bool(q.wanted_types or q.named or shelf.index().known(words))


# 买两支有便宜吗 / 要三件能便宜点不: how many to buy, then 便宜 about the deal, not a cheaper product (…便宜的)
BULK_DEAL = re.compile(r"(?:买|要|拿|来|囤)\s*(?:[2-9]|\d{2})\s*(?:支|件|个|瓶|双|盒|条|套|包|袋|罐)[^，。？?]{0,4}"
                       r"(?:有|能|可以|会|还)?便宜(?:点|些)?(?![的点些]*的)")


# 这种衣服 / 这个东西 / 这双鞋: "this" with a plain noun, the goods on the table
# Which one of those on the table (哪一款42码有货), and those but the one just asked about (其他几款里面)
WHICH_ONE = re.compile(r"哪(?:一)?(?:款|个|双|件|种|条|支|瓶|几款|几个|些)")
OTHERS = re.compile(r"其他|其它|别的|另外(?:几|两|那)")
THIS_KIND = re.compile(r"(?:这种|这类|这个|这款|这件|这双|这些|这)(?:衣服|东西|鞋子?|裤子|料子|面料|商品|产品|玩意儿?)")


def _matches(row: dict | None, q: ProductQuery) -> bool:
    """Does the product fit the description (so 这件羽绒服 means the 羽绒服 in focus, 是热插拔的吗 the
    keyboard in focus)?"""
    if not row:
        return False
    if q.wanted_types and row.get("type") not in q.wanted_types:
        return False
    doc = " ".join([row["name"], row.get("type") or "", *row.get("tags", []), *row.get("materials", [])]).lower()
    words = [k for k in q.keywords if len(k) > 1 and not A.asked(k)]
    return all(k in doc for k in words) if words else bool(q.wanted_types)


def _among(rows: list[dict], r: Reading, focus: str | None = None) -> list[dict] | None:
    """The one product of those on the table the words single out: a word of its name only it has
    (经典那款, 加厚的那个), its cut (女款有白色吗), or a colour only it comes in (那个藏青色的)."""
    q = r.query
    rows = [x for x in rows if not q.wanted_types or x.get("type") in q.wanted_types]
    if len(rows) < 2:
        return None
    words = _name_words(q)
    best = _best_by_name(rows, words)
    if best:
        return [best]
    kin = [x for x in rows if words and any(w in x["name"].lower() for w in words)]
    if r.colors and 1 < len(kin) < len(rows):
        # 那支架灰色的还有吗 after a list of stands and mice: the stands of the list that come in it
        hits = [x for x in kin if set(r.colors) <= set(x.get("colors") or [])]
        return hits or kin
    by_price = _by_price(rows, r.text)
    if by_price:
        return [by_price]
    if q.gender:
        hits = [x for x in rows if x.get("gender") == q.gender]
        if len(hits) == 1:
            return hits
    if r.colors and (r.referring or re.search(r"那(?:个|款|件|双)", q.text)):
        hits = [x for x in rows if set(r.colors) <= set(x.get("colors") or [])]
        if 0 < len(hits) < len(rows):
            return hits   # 那个藏青色的 — those of the list that come in it
        if hits and focus not in {x["id"] for x in rows}:
            return hits   # all of them come in it and none was chosen yet: answer for each
    if (r.colors or r.size) and focus is None and not q.wanted_types:
        # 那L码呢 藏青色还有货没 after "您问的是哪一款？" (nothing chosen): each of them that comes in it
        hits = [x for x in rows if set(r.colors) <= set(x.get("colors") or [])]
        if hits:
            return hits
    if focus is None and not q.wanted_types and set(r.aspects) - {"promotion", "shipping"}:
        return rows   # 是纯羊绒的吗 after "您问的是哪一款？" (nothing chosen): the fact, for each of them
    return None


# 二百多那个 / 二百九十九那双 / 299的那款: one of the list by its price (a rough price or the exact one)
PRICE_PICK = re.compile(r"([\d一二两三四五六七八九十百千零.]{2,8}(?:多|来|出头)?)\s*(?:块钱?|元)?\s*的?\s*那(?:个|款|双|件|条|套|支|瓶|只|把|种)")


def _by_price(rows: list[dict], text: str) -> dict | None:
    """The one listed product the price said with 那个 points at, or None (no price said, or not one)."""
    m = PRICE_PICK.search(text or "")
    if not m:
        return None
    said = m.group(1)
    if said[-1] in "多来头":
        span = price_range(said + "块")
        hits = [x for x in rows if span and span[0] <= x["price"] <= span[1]]
    else:
        try:
            exact = float(to_digits(said))
        except ValueError:
            return None
        hits = [x for x in rows if abs(x["price"] - exact) < 1]
    return hits[0] if len(hits) == 1 else None


def _sibling(focus: dict, gender: str, shelf: Shelf) -> dict | None:
    """The same kind of product in the other cut (那女款呢 about a 男款), nearest by name."""
    same = [x for x in shelf.index().rows if x.get("type") == focus.get("type") and x["id"] != focus["id"]
            and x.get("gender") == gender]
    if not same:
        return None
    core = set(focus["name"])
    return shelf.product(max(same, key=lambda x: (len(core & set(x["name"])), -x["price"]))["id"])


# -- which products ----------------------------------------------------------------------------------
@dataclass
class Targets:
    rows: list[dict]
    how: str             # pick | named | among | sibling | referring | focus | search | implicit | page | none
    search: SearchResult | None = None


def targets(r: Reading, state: State, shelf: Shelf) -> Targets:
    q = r.query
    if r.pick is not None and state.listed:
        n = r.pick
        if n == -1 or 1 <= n <= len(state.listed):
            row = shelf.product(state.listed[n - 1] if n > 0 else state.listed[-1])
            if row:
                return Targets([row], "pick")
    if q.named:
        rows = [x for x in (shelf.product(pid) for pid in q.named[:SHOWN]) if x]
        rows.sort(key=lambda x: (q.text.find(x["name"].lower()) + 1) or len(q.text) + 1)   # as the shopper said them
        if rows:
            return Targets(rows, "named")
    several = _several_named(q.text, shelf)
    if several:
        return Targets(several, "named")   # 清润清透防晒霜和积雪草清透防晒霜: each, by its own words
    focus = shelf.product(state.focus) if state.focus else None
    page = shelf.product(state.page_product) if state.page_product else None
    on_table = [x for x in (shelf.product(pid) for pid in state.listed) if x]
    extreme = next((k for k, words in (("cheap", CHEAPEST), ("dear", DEAREST)) if any(w in q.text for w in words)), None)
    if extreme and on_table and not q.wanted_types:   # 最便宜的那个多少: of the list just shown
        pick = min if extreme == "cheap" else max
        return Targets([pick(on_table, key=lambda x: x["price"])], "among")
    if r.colors and len(on_table) > 1 and state.last_aspect == A.LISTING and not q.wanted_types and not q.named \
            and not set(r.aspects) - {"colors", "stock", "price"}:
        # 换个颜色 要绿的 right after a list: the ones of the list that come in it
        hits = [x for x in on_table if set(r.colors) <= set(x.get("colors") or [])]
        if 0 < len(hits) < len(on_table):
            return Targets(hits, "among")
    this_kind = bool(THIS_KIND.search(q.text))    # 这种鞋子: the kind on the table, not every kind of shoe
    if (r.size or r.colors) and len(on_table) > 1 and WHICH_ONE.search(q.text) and not q.named \
            and (not q.wanted_types or this_kind):
        # 哪一款42码有货 / 其他几款里面哪款有藏青色: each of the list (but the one just asked about) in it
        others = [x for x in on_table if x["id"] != state.focus] if OTHERS.search(q.text) else []
        return Targets(others or on_table, "among")
    picked = _among(on_table, r, state.focus)
    if picked:
        return Targets(picked, "among")
    cut_named = any(t.kind == "audience" and t.word[-1:] in ("款", "式") for t in q.terms)
    if (q.gender and focus and not q.wanted_types and not _name_words(q, shelf) and (not r.aspects or cut_named)
            and state.last_aspect != A.LISTING):
        # 那女款呢 about a 男款 or a unisex one; not 我女儿也想要 about a unisex one (it fits her). The cut
        # named with a question (女款黑色M有货没 / 女款多少钱) is that question about the other cut.
        other = (_sibling(focus, q.gender, shelf)
                 if focus.get("gender") != q.gender and (focus.get("gender") or cut_named) else None)
        if other:
            return Targets([other], "sibling")
    if focus and not q.wanted_types and not q.named:
        # 那专研那支呢 about a lipstick: the 专研 one of the same kind, the aspect asked last carried over
        words = [w for w in _name_words(q, shelf) if w not in focus["name"].lower()]
        kin = [x for x in shelf.index().rows if x.get("type") == focus.get("type") and x["id"] != focus["id"]]
        other = _best_by_name(kin, words) if words else None
        if other and not any(w in focus["name"].lower() for w in words):
            return Targets([shelf.product(other["id"]) or other], "among")
    if this_kind and on_table and (not (focus or page) or state.last_aspect == A.LISTING):
        return Targets(on_table, "implicit")   # 这种衣服怎么洗 after a list or an answer about several: those
    if (r.referring or this_kind) and (focus or page) and (not q.wanted_types or this_kind):
        # 它能机洗吗 / 这种衣服平时怎么洗: the product in focus, whatever else is said (a plain noun after
        # "this" names no other kind)
        return Targets([focus or page], "referring")
    if focus and q.wanted_types and FITS_ASKED.search(q.text) and q.wanted_types <= _fits(focus, shelf):
        return Targets([focus], "focus")   # 标准枕头能套吗 about a pillowcase: a question about the pillowcase
    if _describes(q, shelf):
        for row in (focus, page):
            if _matches(row, q):
                return Targets([row], "focus")
        found = _search(shelf, q, k=SHOWN)
        # asked to recommend (阿妈怕冷 想买件外套 有咩推介): the list to choose from, not one product picked for them
        # a budget is a wish too (学生党 跑鞋 男的 四百以内 / 给我妈买个保温杯 一百以内 有吗): what fits is
        # shown with its price, even when only one does, not one product's answer to an aspect
        winner = None if found.unmet or q.price and not q.named \
            or (RECOMMEND_ASKED.search(q.text) and len(found.products) > 1) \
            else _one_clear_winner(found, q, shelf)
        if winner:
            return Targets([winner], "search", found)
        return Targets(found.products, "search", found)
    if r.referring:
        row = focus or page
        return Targets([row], "referring") if row else Targets([], "none")
    if page:
        return Targets([page], "page")
    if focus:
        return Targets([focus], "implicit")
    return Targets([], "none")


# A question whether goods fit something or suit someone (标准枕头能套吗, 适合老人吗, 小孩能穿吗), not who or
# what they are wished for (那小孩的呢, 有没有便宜点的 学生党)
FITS_ASKED = re.compile(r"能套|套得|套进|装得|装下|放得|合适|适合|配得|能用|能装|尺寸|多大|能穿|可以用|可以穿|能吃|可以吃|"
                        r"穿得了|用得了|肤质|皮肤|行不行|可以吗|能不能")


def _fits(row: dict, shelf: Shelf) -> set:
    """The types the product is made to cover or hold (types.yaml `fits`)."""
    from shop.search.lexicon import lexicon
    return set(lexicon().types.get(row.get("type") or "", {}).get("fits") or [])


def _one_clear_winner(found: SearchResult, q: ProductQuery, shelf: Shelf) -> dict | None:
    """A description that fits one product: the only result, or the one of the kind whose name holds
    more of the shopper's words than any other (那个日式的真丝枕套 → 日式真丝枕套)."""
    if len(found.products) == 1:
        return found.products[0]
    words = _name_words(q, shelf)
    if not found.products:
        return None
    pool = [x for x in shelf.index().rows if not q.wanted_types or x.get("type") in q.wanted_types]
    best = _best_by_name(pool, words) if words else None
    if best is None and q.colors and q.wanted_types:
        coloured = [x for x in pool if set(q.colors) <= set(x.get("colors") or [])]   # 那个红色的羽绒服
        best = (_best_by_name(coloured, words) if words else None) or (coloured[0] if len(coloured) == 1 else None)
    return shelf.product(best["id"]) if best else None


_JOINED = re.compile(r"和|跟|与|、|还有|以及|\bvs\b|，|,|；|;")


def _several_named(text: str, shelf: Shelf) -> list[dict]:
    """Two or three products a message names in part, joined by 和/跟/、/，: each part that alone
    describes one product clearly (清润清透防晒霜 → 清润清透防晒霜SPF50+). [] unless at least two."""
    parts = [p for p in _JOINED.split(text) if len(re.sub(r"[^\u4e00-\u9fff]", "", p)) >= 4]
    if len(parts) < 2:
        return []
    found: list[dict] = []
    for part in parts[:4]:
        q = parse(part)
        if not q.wanted_types or not _name_words(q, shelf):
            continue
        row = _one_clear_winner(_search(shelf, q, k=SHOWN), q, shelf)
        if row and row["id"] not in {x["id"] for x in found}:
            found.append(row)
    return found[:SHOWN] if len(found) >= 2 else []


TOTAL_ASKED = re.compile(r"一共|总共|合计|总价|打完折|算下来|加起来|多少钱")


def _cart(rows: list[dict], text: str) -> list[tuple[dict, int]]:
    """Each named product with the quantity said in its own part of the message (两瓶X和一支Y),
    when a total is asked; [] otherwise."""
    if not TOTAL_ASKED.search(text):
        return []
    parts = [p for p in _JOINED.split(text) if p.strip()]
    cart = []
    for i, row in enumerate(rows):
        name = row["name"].lower()
        grams = {name[k:k + 2] for k in range(len(name) - 1)}
        scored = sorted(((sum(g in p for g in grams), -j) for j, p in enumerate(parts)), reverse=True)
        mine = parts[-scored[0][1]] if scored and scored[0][0] else ""
        qty = quantity(mine.split("(")[0].split("（")[0])   # 200ml in brackets is a size, not a count
        if not qty:
            return []
        cart.append((row, qty))
    return cart if any(q > 1 for _, q in cart) or len(cart) > 1 else []


def _best_by_name(rows: list[dict], words: list[str]) -> dict | None:
    """The one row whose name holds more of the words than any other (日式 + 真丝 → 日式真丝枕套)."""
    counts = sorted(((sum(w in x["name"].lower() for w in set(words)), i) for i, x in enumerate(rows)), reverse=True)
    if not counts or counts[0][0] == 0 or (len(counts) > 1 and counts[1][0] == counts[0][0]):
        return None
    return rows[counts[0][1]]


# -- the turn ------------------------------------------------------------------------------------------
def _plain_product_question(r: Reading, state: State) -> bool:
    """Words that are a shopping question whatever the intent model thought (strict mode)."""
    q = r.query
    on_table = bool(state.focus or state.page_product or state.listed)
    return bool(q.named or (r.pick is not None and state.listed)
                or ((r.aspects or r.measures or r.colors or r.size or q.gender or q.cheaper or q.dearer or r.more
                     or q.excluded or _end_size_said(r.text)) and on_table)   # 小号呢！: the smallest size of it
                # a kind with anything a shopper specifies of it: 瑜伽裤 158 45kg, 折叠椅 150以内, 帆布鞋白色
                or (q.wanted_types and (r.cue or r.aspects or r.measures or r.size or r.colors or q.price
                                        or q.facets() or len(q.text) <= 8))
                or ((q.not_sold or q.facets() or q.price) and r.cue)
                or bool({"shipping", "promotion"} & set(r.aspects))
                # 那专研那支呢 / 舒适那款呢 也40: a follow-up about the kind on the table
                or (on_table and bool(q.keywords or q.terms or r.size) and bool(re.search(r"(?:那|这)(?:款|个|支|件|双|条|瓶)?呢|呢\s*[?？]?\s*$", q.text)))
                or promos.mentioned(q.text))


def respond(intent: str | None, text: str | None, state: State, shelf: Shelf, *,
            strict: bool = False, hints: Sequence[str] = ()) -> Turn | None:
    """The product turn for this message, or None when the message is not about products.

    strict: the intent model did not see a product question (fallback, out of scope); answer
    only when the words plainly are one — a kind or a product named with a shopping word, a pick
    from the list, or a question about what is on the table.
    hints: product words the NLU pipeline's learned extractor tagged (product / product_type); those
    the vocabulary did not read still rank the search (a new word the model learned)."""
    r = read((text or "")[:MAX_TEXT])
    q = r.query
    if SHOP_RANGE.search(q.text) and not q.wanted_types and not q.named and not q.facets():
        return Turn(P.shop_range(shelf.index().category_names()), {"last_aspect": None})   # 你们店主要卖哪些类目
    known = {t.word for t in q.terms}
    extra = [w.lower() for w in hints if isinstance(w, str) and w.lower() not in known and w.lower() not in q.keywords]
    if extra:
        q.keywords = tuple(q.keywords) + tuple(shelf.index().known(extra))
    if strict and not _plain_product_question(r, state):
        return None
    if ("promotion" in r.aspects or promos.mentioned(q.text)) and not q.named and r.pick is None:
        offers = _promotions_asked(r, state, shelf)
        if offers:
            return offers
    pair = _compared(r, state, shelf)
    if pair:
        return Turn(P.comparison(*pair), {"listed_products": [x["id"] for x in pair], "last_aspect": "features",
                                          "product_in_focus": pair[0]["id"], "pending_question": None})
    t = targets(r, state, shelf)
    only_shipping = not (set(r.aspects) - {"shipping"}) and not r.quantity
    if "shipping" in r.aspects and (len(t.rows) != 1 or (only_shipping and t.how in ("search", "implicit", "page"))) \
            and not q.named:
        if t.how == "search" and t.rows and q.wanted_types and GOODS_ASKED.search(q.text):
            # 中老年奶粉有啥推荐的 寄内蒙古包邮不: the goods asked for, then the rule for where they go
            listed = _list(q, state, shelf, more=r.more, found=t.search)
            return Turn(f"{listed.reply}\n{P.shipping(r.text)}", listed.slots)
        # 能寄到香港吗 想给他寄点吃的 / 运费怎么算: the shop's rule, not a list of snacks
        row = t.rows[0] if len(t.rows) == 1 and t.how not in ("search",) else None
        return Turn(P.shipping(r.text, row), {"last_aspect": "shipping"})
    # a budget is a wish (学生党 跑鞋 四百以内): what fits is a list to choose from, even of one
    no_one = (t.how == "search" and (len(t.rows) != 1 or t.search.unmet or bool(q.price))) or t.how == "none"
    # about no product in particular, 冬天 / 宝宝 / 送 are wishes for a list, not questions about one
    wished = no_one or (bool(RECOMMEND_ASKED.search(q.text)) and not q.named and t.how == "search")
    fact_aspects = [a for a in r.aspects if not (wished and a in FACET_ASPECTS)]
    if t.how == "search" and len(t.rows) != 1 and "stock" in fact_aspects and not (r.size or r.colors):
        fact_aspects.remove("stock")  # "有没有防晒衣" asks what there is, not a variant's stock
    # 黑色M after a list of one (西装 女的 五百内): that product's variant, not the list filtered again
    one_listed_variant = len(state.listed or []) == 1 and bool(r.colors or r.size) and not (
        q.gender or q.price or q.wanted_types or set(q.facets()) - {"colors"})
    if (q.cheaper or q.dearer or state.last_aspect == A.LISTING) and "profile" in fact_aspects \
            and not FITS_ASKED.search(q.text):
        # 那小孩的呢 after a list / 有没有便宜点的 学生党钱包瘦瘦: who it is for, a wish, not whether it suits them
        fact_aspects.remove("profile")
    # 那小孩的呢 儿子一米 三十斤 after a list: the list for the new wish, and the size for the measures said
    refine = (t.how in ("implicit", "none", "page") and state.last_query and state.last_aspect == A.LISTING
              and not fact_aspects and not r.pick and not one_listed_variant
              and (q.cheaper or q.dearer or q.gender or q.facets() or q.price or r.more or q.excluded)
              and not (r.measures and not (q.gender or q.facets())))
    # 她穿三十八码的要粉颜色的有没有 after a list of several: a size names a variant, so it is each listed
    # product's stock in it (a colour alone, 有没有粉色的, still filters the list)
    end_size = _end_size_said(r.text)    # 粉色 大号的有木有
    listed_variant = (state.last_aspect == A.LISTING and len(state.listed or []) > 1 and bool(r.size or end_size)
                      and t.how in ("implicit", "none", "page") and not r.pick and not r.measures
                      and not (q.gender or q.price or q.wanted_types or q.cheaper or q.dearer
                               or set(q.facets()) - {"colors"}))
    if listed_variant:
        rows = [x for x in (shelf.product(pid) for pid in state.listed) if x]
        if rows:
            return _answer(rows, ["stock"], r, state, shelf)
    if ((q.cheaper or q.dearer) and not state.focus and len(state.listed or []) > 1 and not fact_aspects
            and state.last_aspect != A.LISTING and t.how in ("implicit", "none") and not q.wanted_types):
        # 那便宜点的呢 after an answer about several (their care, their size): those, cheapest first
        rows = sorted((x for x in (shelf.product(pid) for pid in state.listed) if x),
                      key=lambda x: x["price"], reverse=bool(q.dearer))
        if rows:
            return _answer(rows, ["price"], r, state, shelf)
    if refine:
        turn = _list(_merge(parse(state.last_query), q), state, shelf, more=r.more)
        first = shelf.product(turn.slots.get("product_in_focus") or "")
        if r.measures and first:
            advice, got = _size_advice(first, r, replace(state, listed=[]), shelf)
            measured = {k: v for k, v in got.items() if k in ("height", "weight")}
            return Turn(f"{turn.reply}\n{advice.rstrip('。')}。", {**turn.slots, **measured})
        return turn
    if (t.how in ("implicit", "none", "page") and state.last_query and len(state.listed or []) > 1
            and state.last_aspect not in (A.LISTING, "care", "stock", "shipping")
            and not state.last_query.startswith(VARIANT) and not fact_aspects and not r.measures and not r.pick
            and not q.wanted_types and (q.gender or q.price or q.facets())
            and not ((r.colors or r.size) and not (q.gender or q.price or set(q.facets()) - {"colors"}))):
        # (白色L码有吗 after 最便宜的那个多少: a variant of the product in focus, not the list again)
        # 速干运动T恤 男款都有啥颜色 → 那女款呢: the same question about the same kind, for the other wish
        found = _search(shelf, _merge(parse(state.last_query), q), k=SHOWN * 3)
        if found.products:
            return _answer(_personal_order(found, shelf)[:SHOWN], [state.last_aspect], r, state, shelf)
    kin_of_focus = bool(state.focus) and len(t.rows) >= 1 and q.wanted_types and any(
        x["id"] == state.focus for x in t.rows) and (shelf.product(state.focus) or {}).get("type") in q.wanted_types
    if ((q.cheaper or q.dearer) and len(t.rows) == 1 and t.how in ("implicit", "referring", "page")
            and not q.wanted_types or (q.cheaper or q.dearer) and kin_of_focus) \
            and not fact_aspects and not r.measures and state.last_aspect != A.LISTING:
        # 有便宜点的吗 / 有没有便宜点的雪地靴 about the product in focus: others of its kind, cheaper (or
        # dearer) than it
        row = next(x for x in t.rows if x["id"] == state.focus) if kin_of_focus else t.rows[0]
        return _list(_merge(parse(row.get("type") or ""), q), replace(state, listed=[], focus=row["id"]), shelf)
    carried = _carried_aspect(r, state)
    if carried and not fact_aspects and not r.measures and t.rows and t.how == "search" and not q.facets():
        fact_aspects = [carried]  # 纯棉四件套能机洗吗 → 那珊瑚绒毯子呢: the same question about another kind
    apart = kinds_apart(r.text) if t.how in ("search", "none") and not r.measures else None
    if apart and "care" in fact_aspects:
        turn = _care_of_kinds(apart, shelf)   # 莫代尔的家居服能烘干吗？还有乳胶枕能泡水洗不: each kind's care
        if turn:
            return turn
    elif apart:
        return _lists(apart, state, shelf)  # 帐篷预算700以内，椅子200以内，各推荐一款: each kind its own list
    listing = t.how == "search" and (len(t.rows) != 1 or bool(t.search and t.search.unmet) or bool(q.price))
    # A wish without a fact asked (送同事的小礼物 一百以内) is a recommendation, whatever the intent model said;
    # a colour or size alone about the product in focus (那粉色L呢) is still about it.
    wish = not fact_aspects and not r.measures and (q.facets() or q.price or q.wanted_types or q.gender)
    variant_only = (r.colors or r.size) and t.how in ("implicit", "page") and (
        state.last_aspect != A.LISTING or one_listed_variant)
    wants_list = ((intent == "ask_recommendation" or strict) and not fact_aspects and not r.measures
                  and not variant_only and (listing or t.how in ("none", "implicit", "page"))) or (
        listing and not fact_aspects and not r.measures) or (t.how == "none" and wish)
    if wants_list and not (t.how in ("implicit", "page") and not (q.facets() or q.price or q.gender)):
        if q.is_empty():
            return None  # "有什么推荐的": the personal recommender's job
        return _list(q, state, shelf, more=r.more, found=t.search if t.how == "search" else None)
    if "care" in fact_aspects and len(t.rows) > 1:
        shared = {tuple(x.get("materials") or []) for x in t.rows}
        if len(shared) == 1:  # 羊毛开衫能机洗吗: every 开衫 is wool, so the wool's care is the answer
            turn = _with_kind_size(_with_shared_tags(_care_of_materials(list(next(iter(shared))), shelf), t.rows, q),
                                   t.rows, r, state, shelf)
            rest = [a for a in fact_aspects if a != "care"]
            if turn and rest:
                # 其他几款哪款42码有货 另外这种鞋子能机洗吗 / 乳胶枕多少钱 能水洗吗: each one's stock or price first,
                # then their shared care (and they are on the table for 第二个)
                each = _answer(t.rows, rest, r, state, shelf, t.how)
                return Turn(f"{each.reply}\n{turn.reply.removeprefix('亲，')}", {**turn.slots, **each.slots})
            return turn
    if "care" in fact_aspects and q.materials and t.how in ("search", "none", "implicit") and len(t.rows) != 1:
        return _care_of_materials(sorted(q.materials), shelf) or _no_product(r, t, intent, state, shelf)
    if not t.rows:
        return _no_product(r, t, intent, state, shelf)
    asked = _aspects(r, t, intent, state, fact_aspects)
    if asked is None:
        return None
    if asked == ["size_advice"] and t.how == "search" and len(t.rows) > 1:
        # 冲锋衣我一米七八一百四十斤穿什么码: the size in each of the kind (once when they agree), not a list
        return _with_kind_size(Turn("", {"last_aspect": "size_advice"}), t.rows, r, state, shelf)
    return _answer(t.rows, asked, r, state, shelf, t.how)


# 那珊瑚绒毯子呢 / 羊毛的呢: a short follow-up naming another product or kind and asking nothing of its own
FOLLOW_UP = re.compile(r"^\s*(?:那|那么|还有|再问下)?[^，。？?,!！]{1,14}(?:呢|咧|嘞)\s*[?？]?\s*$")
CARRIED = ("care", "price", "material", "colors", "sizes", "season")


def _carried_aspect(r: Reading, state: State) -> str | None:
    """The aspect the last answer was about, when this message is a bare follow-up (那X呢) to it."""
    if state.last_aspect in CARRIED and FOLLOW_UP.match(r.text or "") and not r.aspects:
        return state.last_aspect
    return None


# The shopper's own coupons asked about (我账户里有什么券能用, 我的优惠券), not the shop's offers.
OWN_COUPONS = re.compile(r"我(?:的|账户|账号|这边|这儿|这里|手上|手里|卡包|券包)?[^，。？?,]{0,6}(?:有|还有)?(?:什么|哪些|几张|多少)?"
                         r"(?:优惠)?券(?!码)|我的(?:优惠)?券|券包|卡券")


def asks_own_coupons(text: str | None) -> bool:
    """Does the message ask which coupons the shopper holds (not which offers the shop runs)?"""
    t = normalize(text or "")
    # 我不用券 就买这一个 包邮吗: a coupon refused is no question about the shopper's coupons
    return bool(OWN_COUPONS.search(t)) and not re.search(
        r"新人券|怎么领|领券|在哪领|哪里领|(?:不用|不要|不使用|不想用|不需要|不领|没有)(?:优惠)?券", t)


# What the shop sells at all (你们店主要卖哪些类目, 店里都卖啥).
SHOP_RANGE = re.compile(r"(?:主要|都|一般)卖(?:些|点)?(?:什么|啥|哪些)|卖(?:哪些|什么)(?:类目|东西|品类)|(?:哪些|什么)(?:类目|品类)|"
                        r"经营(?:什么|哪些|范围)")
CHEAPER_OF = re.compile(r"哪(?:个|款|支|件|瓶)(?:更|比较)?(?:便宜|实惠|划算)")
# A shopper saying this is their first order here (the newcomer coupon is theirs).
NEWCOMER = re.compile(r"头一回|头一次|第一次(?:买|来|在|下单|购物)|新人|新用户|新客|首单|第一单|没买过|新注册|刚注册")
COMPARING = re.compile(r"区别|差别|不同|不一样|差在哪|差哪|差啥|哪个好|哪款好|哪个更|哪款更|对比|比一比|比较一下|相比|比起来|"
                       r"有啥差|有什么差|和.{1,12}比|跟.{1,12}比|与.{1,12}比")


def _compared(r: Reading, state: State, shelf: Shelf) -> tuple[dict, dict] | None:
    """The two products a comparison is about (它跟轻奢那款有啥区别, 它和柔软真丝枕套比差在哪, 这两款哪个好):
    two named; the one in focus and one named; the one in focus and the other of its kind a name
    word picks (轻奢那款); or the two on the table. None when it is not a comparison of two."""
    if not COMPARING.search(r.query.text):
        return None
    picks = [parsing.cn_number(m.group(1)) for m in P.LIST_PICK.finditer(r.query.text)]
    picks = [n for n in picks if n and 1 <= n <= len(state.listed)]
    if len(set(picks)) >= 2:    # 第一个和第二个有什么区别
        rows = [shelf.product(state.listed[n - 1]) for n in dict.fromkeys(picks)]
        if all(rows):
            return rows[0], rows[1]
    named = [x for x in (shelf.product(pid) for pid in r.query.named) if x]
    named.sort(key=lambda x: (r.query.text.find(x["name"].lower()) + 1) or len(r.query.text) + 1)
    if len(named) < 2:
        named = _several_named(r.query.text, shelf) or named   # 轻奢纯棉圆领T恤和简约纯棉圆领T恤 有啥区别
    focus = shelf.product(state.focus) if state.focus else None
    if len(named) >= 2:
        return named[0], named[1]
    if focus and named and named[0]["id"] != focus["id"]:
        return focus, named[0]
    if focus and not named:
        words = _name_words(r.query, shelf)
        kin = [x for x in shelf.index().rows if x.get("type") == focus.get("type") and x["id"] != focus["id"]]
        other = _best_by_name(kin, words) if words else None
        if other:
            return focus, shelf.product(other["id"]) or other
    listed = [x for x in (shelf.product(pid) for pid in state.listed) if x]
    if len(listed) == 2 or (len(listed) > 2 and re.search(r"这两|两款|两个", r.query.text) and not focus):
        return listed[0], listed[1]
    return None


def _aspects(r: Reading, t: Targets, intent: str | None, state: State, fact_aspects: list[str]) -> list[str] | None:
    asked = list(fact_aspects)
    if r.measures and any(k in r.measures for k in ("height", "weight", "foot")) and "size_advice" not in asked:
        asked.append("size_advice")
    stock_words = re.search(r"有没|有吗|有么|有不|还有|有货|有没有", r.text)
    by_number = P.size_by_number(r.text, t.rows[0].get("sizes") or []) if len(t.rows) == 1 else None
    shoe_size = bool(by_number and re.fullmatch(r"(?:3[3-9]|4[0-8])(?:\.5)?", by_number))
    has_it = re.search(r"有[^，,。？?！!]{0,12}(?:吗|么|没|不)|有没有|有冇", r.text)
    # 那灰色呢 顺便问下咋洗 / 小号呢！ after a stock answer: that variant's stock (then the new question)
    stock_carried = state.last_aspect == "stock" and "呢" in r.text
    end_size = _end_size_said(r.text) and (has_it or stock_carried)   # 有小瓶的吗
    if (r.size or r.colors or shoe_size and stock_words or end_size) and "stock" not in asked \
            and (not asked or stock_words or stock_carried):
        # 那L码呢, 黑色有没, 42的有没 (a shoe size) — a variant's availability
        asked.append("stock")
    elif has_it and len(t.rows) == 1 \
            and "stock" not in asked and "sizes" not in asked \
            and P.size_by_number(r.text, t.rows[0].get("sizes") or []):
        asked.append("sizes")   # 有87键的吗 / 有24支装的没: a size of its own the product comes in (or not)
    if CHEAPER_OF.search(r.text) and "price" not in asked:
        asked.append("price")   # 哪个便宜: each one's price
    if r.quantity and r.quantity >= 2 and len(t.rows) == 1 and ({"price", "promotion"} & set(asked)):
        asked.append("quote")   # 两瓶一共多少钱: the total with the offer that applies
    if r.query.materials and "material" not in asked and re.search(r"吗|么|不|是不是", r.text) \
            and ("care" not in asked or "是" in r.text):   # 羊毛的咋洗 能机洗不: the wool's care, not what it is
        asked.append("material")  # 是纯棉的吗
    rows_tags = {tag for row in t.rows for tag in row.get("tags", [])}
    said = r.query.text
    for row in t.rows:      # 柔软真丝枕套 names the product; its 柔软 asks nothing
        said = said.replace(row.get("name", ""), "")
        if t.how == "among":    # 舒适那款呢: the word that picked it asks nothing either
            for word in re.findall(r"[\u4e00-\u9fff]{2,}", said):
                for k in range(len(word) - 1):
                    if word[k:k + 2] in row.get("name", "").lower():
                        said = said.replace(word[k:k + 2], "  ")
    attributes = sorted(parse(said).attributes) if said != r.query.text else r.query.attributes
    if rows_tags and P.tags_asked(said, rows_tags, attributes) and "features" not in asked:
        asked.append("tags")    # 含酒精吗, 能带上飞机吗, 是热插拔的吗, 暖和吗: what the tags say
    if asked:
        return asked
    pending = (state.pending or "").partition("|")[0]
    if pending and t.how in ("pick", "named", "search", "focus", "among"):
        return [a for a in pending.split(",") if a]
    if t.how in ("sibling", "among") and state.last_aspect and state.last_aspect not in (A.LISTING, "care"):
        return [state.last_aspect]
    default = A.default_for(intent)
    if default:
        return [default]
    if t.how in ("pick", "named", "search", "focus", "referring", "among", "sibling"):
        return [A.SUMMARY]
    if intent in ("ask_product_info", "ask_recommendation"):
        return [A.SUMMARY]
    if intent == "inform" and state.last_aspect and state.last_aspect != A.LISTING and t.how == "implicit" and r.text.strip():
        return None if any(w in r.text for w in NOT_A_PRODUCT_QUESTION) else [state.last_aspect]
    return None


# -- when no product is meant ---------------------------------------------------------------------------
def _promotions_asked(r: Reading, state: State, shelf: Shelf) -> Turn | None:
    """有什么活动 / 双十二呢 / 买衣服鞋子有满减吗: the shop's offers (for the kinds named), by name
    when one is named, and said honestly when a sales day has none."""
    q = r.query
    named, missing = promos.asked_about(q.text, shelf.today())
    if named or missing:
        return Turn(P.named_promotions(named, missing, promos.active(shelf.today()), shelf.today()),
                    {"last_aspect": "promotion"})
    focus_named = bool(state.focus) and (r.referring or not _describes(q, shelf))
    if focus_named:
        return None
    kinds = q.wanted_types
    if kinds and not _name_words(q, shelf):
        cats = {x["category"] for x in shelf.index().rows if x.get("type") in kinds}
        offers = [p for p in promos.active(shelf.today()) if p.kind == "新人券" or set(p.categories) & cats
                  or (not p.categories and not p.types)]
        return Turn(P.shop_promotions(offers), {"last_aspect": "promotion"})
    if not _describes(q, shelf):
        return Turn(P.shop_promotions(promos.active(shelf.today())), {"last_aspect": "promotion"})
    return None


def _no_product(r: Reading, t: Targets, intent: str | None, state: State, shelf: Shelf) -> Turn | None:
    q = r.query
    if t.search is not None and not t.search.products:
        return Turn(_nothing_found(t.search, shelf), {"last_aspect": A.LISTING, "last_query": q.text})
    if q.not_sold:
        return Turn(P.not_sold(q.not_sold[0]), {})
    if "care" in r.aspects:
        materials = sorted(q.materials) or (
            sorted(parse(state.last_query).materials) if state.last_aspect == "care" and state.last_query else [])
        turn = _care_of_materials(materials, shelf) if materials else None
        if turn:
            return turn
    if "shipping" in r.aspects:
        return Turn(P.shipping(r.text), {"last_aspect": "shipping"})
    if (intent == "ask_price_promotion" and not r.aspects) or r.aspects == ["promotion"]:
        return Turn(P.shop_promotions(promos.active(shelf.today())), {"last_aspect": "promotion"})
    asked = r.aspects or ([A.default_for(intent)] if A.default_for(intent) else [])
    if r.measures:
        asked = asked or ["size_advice"]
    if asked:
        return Turn(P.ASK_WHICH, {"pending_question": f"{','.join(asked)}|{r.text[:200]}"})
    return None


def _with_shared_tags(turn: Turn | None, rows: list[dict], q: ProductQuery) -> Turn | None:
    """珊瑚绒毛毯能机洗吗 会不会掉毛: the care of the kind's one material, and what every one of them
    carries that the message also asks (all three are 不掉毛)."""
    common = set.intersection(*(set(x.get("tags") or []) for x in rows)) if rows else set()
    hits = P.tags_asked(q.text, sorted(common), q.attributes) if turn and common else []
    if not hits:
        return turn
    return replace(turn, reply=f"{turn.reply}\n这几款都是「{'、'.join(hits)}」的。")


def _with_kind_size(turn: Turn | None, rows: list[dict], r: Reading, state: State, shelf: Shelf) -> Turn | None:
    """一米七 一百三十斤 加绒卫衣穿什么码？能机洗吗: the kind's care, and the size advised in each of them
    (once when they all agree); the products stay on the table for 便宜点的呢 / 这个绿色L."""
    body = _body(state, r)
    if turn is None or not ({"height", "weight", "foot"} & set(r.measures)):
        return turn
    advised = {x["id"]: shelf.size_for(x["id"], body.get("height"), body.get("weight"), body.get("foot")) for x in rows}
    if len(set(advised.values())) == 1:
        names = "、".join(f"「{x['name']}」" for x in rows)
        size_line = names + P.size_fact(rows[0], body, next(iter(advised.values()))).replace("建议选", "都建议选")
    else:
        size_line = "；".join(f"「{x['name']}」{P.size_fact(x, body, advised[x['id']])}" for x in rows)
    slots = dict(turn.slots, listed_products=[x["id"] for x in rows], product_in_focus=None,
                 **{k: f"{body[k]:g}" for k in ("height", "weight") if k in body})
    return Turn(f"亲，{size_line}。\n{turn.reply}".rstrip("\n"), slots)


def _care_of_materials(materials: list[str], shelf: Shelf) -> Turn | None:
    rows = [row for m in materials for row in shelf.care_of_material(m)]
    # the material stays in last_query, so 水温多少 / 能挂着晾吗 go on about it
    return Turn(P.care_for_material(rows), {"last_aspect": "care", "last_query": " ".join(materials)}) if rows else None


def _care_of_kinds(queries: list[ProductQuery], shelf: Shelf) -> Turn | None:
    """Care for each kind asked about: by the materials named, else those the kind's products are made of."""
    parts, materials = [], []
    for q in queries:
        found = _search(shelf, q, k=SHOWN)
        mats = sorted(q.materials) or sorted({m for x in found.products[:SHOWN] for m in (x.get("materials") or [])})
        rows = [row for m in mats for row in shelf.care_of_material(m)]
        if rows:
            parts.append(f"「{'、'.join(q.type_words) or '、'.join(mats)}」：" + P.care_lines(rows))
            materials += mats
    if not parts:
        return None
    return Turn("亲，" + "\n".join(parts), {"last_aspect": "care", "last_query": " ".join(dict.fromkeys(materials))})


def _nothing_found(found: SearchResult, shelf: Shelf) -> str:
    q = found.query
    if found.reason == "not_sold" and (q.not_sold or q.unknown_kinds):
        return P.not_sold((q.not_sold or q.unknown_kinds)[0])
    return P.nothing_found(q.text)


# -- answering facts -------------------------------------------------------------------------------------
def _answer(rows: list[dict], asked: list[str], r: Reading, state: State, shelf: Shelf,
            how: str = "") -> Turn:
    slots: dict = {"pending_question": None, "last_aspect": asked[0] if asked[0] != "tags" else "features"}
    if len(rows) > 1 and how == "named":
        # The shopper named each of them: every fact asked, for each (with the colour and size said next to
        # its own name: A黑色S码，和B红色S码), and which is cheaper if asked
        lines = [P.one_product(row, _facts(row, asked, _own_words(row, rows, r), state, shelf)[0]) for row in rows]
        if CHEAPER_OF.search(r.text):
            cheap = min(rows, key=lambda x: x["price"])
            lines.append(f"「{cheap['name']}」更便宜（{P.price_fact(cheap, ())}）。")
        cart = _cart(rows, r.text)
        if cart:    # 两瓶X和一支Y 打完折一共多少钱: the total with the one best offer
            lines.append(P.cart_quote(cart, *promos.best_cart_deal(cart, shelf.today())))
        slots.update({"listed_products": [row["id"] for row in rows], "product_in_focus": rows[0]["id"]})
        return Turn("\n".join(lines), slots)
    if len(rows) == 1:
        row = rows[0]
        parts, extra = _facts(row, asked, r, state, shelf)
        slots.update(extra)
        slots["product_in_focus"] = row["id"]
        wish = r.query.gender if r.query is not None else None
        cut = _sibling(row, wish, shelf) if wish and not row.get("gender") else None
        if cut:
            # 给我女朋友也整一件 about a unisex jacket: it fits her, and the shop also has the women's cut
            parts.append(P.Sentence(P.other_cut(cut, wish)))
        return Turn(P.one_product(row, parts), slots)
    lines = []
    for row in rows:
        parts, _ = _facts(row, asked, r, state, shelf, brief=True)
        lines.append((row, parts))
    slots["listed_products"] = [row["id"] for row in rows]
    # the goods on the table are these now: 会不会掉毛 / 这种衣服怎么洗 next is about them, not a product from
    # before
    slots["product_in_focus"] = None
    if r.query is not None:
        slots["last_query"] = _query_text(r.query)   # 那女款呢 asks the same about the same kind, for women
    return Turn(P.several_products(lines, r.query), slots)


def _own_words(row: dict, rows: list[dict], r: Reading) -> Reading:
    """The reading of the words that go with this one of several named products: from its name to the next
    product's name. A variant said there (黑色S码) is its own; said nowhere near a name, it is for all."""
    text = r.text.lower()
    starts = sorted((text.find(x["name"].lower()), x["id"]) for x in rows if x["name"].lower() in text)
    at = next((i for i, (pos, pid) in enumerate(starts) if pid == row["id"]), None)
    if at is None or len(starts) < 2:
        return r
    end = starts[at + 1][0] if at + 1 < len(starts) else len(text)
    segment = text[starts[at][0] + len(row["name"]):end]
    own = read(segment)
    if not (own.colors or own.size):
        return r
    return replace(r, colors=own.colors, size=own.size, text=row["name"] + segment)


def _facts(row: dict, asked: list[str], r: Reading, state: State, shelf: Shelf, *,
           brief: bool = False) -> tuple[list[str], dict]:
    parts: list[str] = []
    extra: dict = {}
    text = r.query.text.replace(row["name"].lower(), " ")
    for aspect in asked:
        if aspect == "price":
            parts.append(P.price_fact(row, promos.for_product(shelf.today(), row)))
        elif aspect == "promotion" and "price" in asked:
            continue    # the price already says which offers apply
        elif aspect == "promotion":
            newcomer = bool(NEWCOMER.search(r.text))
            parts.append(P.promotion_fact(row, promos.for_product(shelf.today(), row, newcomer=newcomer)))
        elif aspect == "quote":
            parts.append(P.quote_fact(row, r.quantity, *promos.best_deal(row, r.quantity, shelf.today())))
        elif aspect == "stock":
            color = r.colors[0] if r.colors else None
            size = parsing.size(r.text, None, row["sizes"]) or P.size_by_number(r.text, row["sizes"]) or r.size \
                or _end_size(row, r.text)
            # 黑色42码有货没 → 藏青色呢: the variant asked last keeps what this message does not change
            before = _last_variant(state, row)
            if before and (color or size) and not (color and size):
                color, size = color or before[0], size or before[1]
            body = _body(state, r)
            advised_last = state.last_aspect == "size_advice" and state.focus == row["id"]
            if size is None and before and before[1] and advised_last:
                size = before[1]    # 有货吗 / 黑色的呢 right after 建议选 38 (by foot length): in that size
            if size is None and (color or advised_last) and (body.get("height") or body.get("weight") or body.get("foot")):
                # 粉色的有吗 / 有货吗 after the size advice (or with the measures): in the size advised
                advised = shelf.size_for(row["id"], body.get("height"), body.get("weight"), body.get("foot"))
                size = advised if advised in row["sizes"] else None
            extra["last_query"] = f"{VARIANT}{color or ''}|{size or ''}"
            variants = shelf.stock(row["id"], None, None)
            parts.append(P.stock_fact(row, variants, color, size, r.text))
            for other in r.colors[1:]:
                # 绿色L有货吗？米色的呢？: each colour said, in the same size
                parts.append(P.stock_fact(row, variants, other, size, r.text))
                extra["last_query"] = f"{VARIANT}{other}|{size or ''}"
        elif aspect == "care":
            parts.append(P.care_fact(row, shelf.care(row["id"]), r.text))
        elif aspect == "shipping":
            parts.append(P.shipping(r.text, None if "quote" in asked else row))
        elif aspect == "tags":
            parts.append(P.tags_fact(row, r.query.text, r.query.attributes))
        elif aspect == "size_advice":
            fact, got = _size_advice(row, r, state, shelf)
            parts.append(fact)
            extra.update(got)
        elif not A.BY_NAME.get(aspect, A.Aspect(aspect, ())).known:
            parts.append(P.unknown_fact(row, aspect))
        else:
            parts.append(P.attribute_fact(row, aspect, text, r.query))
    return [p for p in parts if p], extra


VARIANT = "variant:"   # last_query after a stock answer: the colour and size asked ("variant:黑色|42")


# 粉色小号的有吗 / 最大号有货没: the smallest or largest of the product's own sizes (in the order-side size order)
_SMALLEST = re.compile(r"最?小号|最小(?:的)?(?:码|尺寸|规格)|小码|(?<![大多])小(?:盒|瓶|包|袋|罐|桶|份)(?:装)?")
_LARGEST = re.compile(r"最?大号|最大(?:的)?(?:码|尺寸|规格)|(?<![多])大(?:盒|瓶|包|袋|罐|桶|份)(?:装)?(?!子)")


def _end_size_said(text: str) -> bool:
    """Does the message name the smallest or the largest size (小号, 大盒, 最大的码) rather than a size?"""
    return bool(_SMALLEST.search(text) or _LARGEST.search(text))


def _end_size(row: dict, text: str) -> str | None:
    sizes = size_order(row.get("sizes") or [])
    if len(sizes) < 2:
        return None
    return sizes[0] if _SMALLEST.search(text) else sizes[-1] if _LARGEST.search(text) else None


def _last_variant(state: State, row: dict) -> tuple[str | None, str | None] | None:
    """The colour and size of the last stock question about this same product (or the size just advised for
    it), if that was the last turn."""
    if state.last_aspect not in ("stock", "size_advice") or state.focus != row["id"] \
            or not (state.last_query or "").startswith(VARIANT):
        return None
    color, _, size = state.last_query[len(VARIANT):].partition("|")
    return (color if color in row["colors"] else None), (size if size in row["sizes"] else None)


def _body(state: State, r: Reading) -> dict:
    """The shopper's measures: height and weight said before (slots), then what this message says (cm, kg,
    foot mm)."""
    return {**{k: v for k, v in (("height", state.height), ("weight", state.weight)) if v}, **r.measures}


def _size_advice(row: dict, r: Reading, state: State, shelf: Shelf) -> tuple[str, dict]:
    m = _body(state, r)
    chart = shelf.size_chart(row["category"])
    if not chart:
        return P.no_size_chart(row), {}
    needs_foot = any(x.get("foot_max") is not None for x in chart)
    if (needs_foot and "foot" not in m) or (not needs_foot and not ({"height", "weight"} & set(m))):
        return P.size_question(row, needs_foot), {"pending_question": f"size_advice|{r.text[:200]}"}
    size = shelf.size_for(row["id"], m.get("height"), m.get("weight"), m.get("foot"))
    got = {"height": f"{m['height']:g}" if "height" in m else None, "weight": f"{m['weight']:g}" if "weight" in m else None}
    if size in row["sizes"] and len(state.listed or []) <= 1:
        # the size advised, for 有货吗 next (a foot length is kept nowhere else); with a list on the table
        # last_query keeps the list's query for 便宜点的呢, and the body measures in their slots still tell
        got["last_query"] = f"{VARIANT}|{size}"
    return P.size_fact(row, m, size), {k: v for k, v in got.items() if v}


# -- lists (search and recommendations) -----------------------------------------------------------------
def _merge(old: ProductQuery, new: ProductQuery) -> ProductQuery:
    """The last list's query with this message's wishes on top (new values replace old ones)."""
    merged = ProductQuery(text=(old.text + " " + new.text).strip())
    for name in ("types", "category_types", "attributes", "profiles", "scenes", "seasons", "materials", "colors",
                 "keywords", "named"):
        setattr(merged, name, getattr(new, name) or getattr(old, name))
    # 想送条围巾 → "we don't sell scarves" → 那送啥好 三百以内 她特别怕冷: the new wish is asked of what is sold
    merged.not_sold = new.not_sold
    # what was said no to stays said (不要黄色的 → 有没有便宜点的: still not yellow)
    merged.excluded = {k: old.excluded.get(k, frozenset()) | new.excluded.get(k, frozenset())
                       for k in {*old.excluded, *new.excluded}}
    if new.types:
        merged.keywords = new.keywords
    elif new.profiles and old.types:
        # 羽绒服 → 那小孩的呢: the kind made for the people now asked about (儿童羽绒服), as the words together read
        merged.types = parse(merged.text).types or merged.types
    merged.gender = new.gender or old.gender
    merged.price = new.price or (None if (new.cheaper or new.dearer) else old.price)
    merged.cheaper, merged.dearer = new.cheaper, new.dearer
    return merged


def _query_text(q: ProductQuery) -> str:
    """The words that rebuild this query in the next turn (kept in the last_query slot)."""
    return q.text[-200:]


def _list(q: ProductQuery, state: State, shelf: Shelf, *, more: bool = False,
          found: SearchResult | None = None) -> Turn:
    reference = None
    if q.cheaper or q.dearer:
        shown = [x for x in (shelf.product(pid) for pid in (state.listed or [state.focus])) if pid_ok(x)]
        if shown:
            reference = min(x["price"] for x in shown) if q.cheaper else max(x["price"] for x in shown)
    exclude = list(dict.fromkeys([*state.seen, *state.listed])) if more else ()
    if found is None or reference is not None or exclude:
        found = _search(shelf, q, k=SHOWN * 3, reference_price=reference, exclude=exclude)
    else:
        found = _search(shelf, q, k=SHOWN * 3)
    if not found.products and exclude:
        found = _search(shelf, q, k=SHOWN * 3, reference_price=reference)
        more = False
        if found.products:
            found.unmet = ["no_more"] + found.unmet
    if not found.products:
        return Turn(_nothing_found(found, shelf), {"last_aspect": A.LISTING, "last_query": _query_text(q)})
    rows = _personal_order(found, shelf)[:SHOWN]
    reply = P.product_list(rows, found, more=more)
    ids = [x["id"] for x in rows]
    seen = list(dict.fromkeys([*exclude, *ids])) if more else ids
    return Turn(reply, {"listed_products": ids, "product_in_focus": rows[0]["id"], "seen_products": seen,
                        "last_aspect": A.LISTING, "last_query": _query_text(q), "pending_question": None})


# Where one wish ends and the next begins: 帐篷预算700以内，椅子200以内 / 买双棉拖鞋 再给家里添条厚毯子
KIND_SPLIT = re.compile(r"[，,；;。！!？?\n]|再(?:给|买|来|添|要|看)|还(?:要|想)|另外|以及|顺便|和|跟")
PER_KIND = 2


def kinds_apart(text: str) -> list[ProductQuery] | None:
    """One query per kind when a message wants several kinds, each with its own words (its budget, who it is
    for), and the words before the first kind (天冷了 给爸妈) for all of them; None for one kind."""
    parts = [x for x in KIND_SPLIT.split(text or "") if x.strip()]
    prefix, groups = "", []
    for part in parts:
        if parse(part).type_words:   # a kind named (帐篷, 椅子), not a need that implies one (走路锻炼)
            groups.append(part)
        elif groups:
            groups[-1] += "，" + part
        else:
            prefix += part + "，"
    if len(groups) < 2:
        return None
    queries = [parse(prefix + g) for g in groups]
    kinds = [frozenset(x.wanted_types) for x in queries]
    if len(set(kinds)) < 2 or any(a & b for i, a in enumerate(kinds) for b in kinds[i + 1:]):
        return None  # the same kind said twice, or one within the other (鞋 … 健步鞋)
    return queries


def _lists(queries: list[ProductQuery], state: State, shelf: Shelf) -> Turn:
    """A list for each kind wanted, a few each; 第二个 afterwards counts through them in order."""
    replies, ids = [], []
    for q in queries:
        found = _search(shelf, q, k=SHOWN * 3)
        if not found.products:
            replies.append(_nothing_found(found, shelf))
            continue
        rows = [x for x in _personal_order(found, shelf) if x["id"] not in ids][:PER_KIND]
        start = len(ids) + 1
        lines = P.product_list(rows, found).splitlines()[:-1]   # without the closing question, said once below
        if replies:
            lines[0] = lines[0].removeprefix("亲，")
        replies.append("\n".join([lines[0]] + [f"{start + i}. {line.split('. ', 1)[1]}" for i, line in enumerate(lines[1:])]))
        ids += [x["id"] for x in rows]
    reply = "\n".join(replies) + ("\n想了解哪一款？可以说「第一个怎么样」，也可以问价格、尺码、库存～" if ids else "")
    slots = {"last_aspect": A.LISTING, "last_query": _query_text(queries[-1]), "pending_question": None}
    if ids:
        slots.update({"listed_products": ids, "product_in_focus": ids[0], "seen_products": ids})
    return Turn(reply, slots)


def _search(shelf: Shelf, q, **kw) -> SearchResult:
    """Retrieval on the shop's date, so a wish without a season is read in this one."""
    return shelf.index().search(q, today=shelf.today(), **kw)


def pid_ok(row: dict | None) -> bool:
    return bool(row and row.get("price") is not None)


def _personal_order(found: SearchResult, shelf: Shelf) -> list[dict]:
    """Retrieval decides what fits; the shopper's own levels (cart, history, season) break near-ties."""
    rows = list(found.products)
    boost = shelf.personal_rank([x["id"] for x in rows]) or {}
    if not boost:
        return rows
    scores = found.scores or [0.0] * len(rows)
    keyed = [(-(s if s != float("inf") else 1e9) - boost.get(x["id"], 0.0), i, x) for i, (s, x) in
             enumerate(zip(scores, rows))]
    return [x for _, _, x in sorted(keyed)]
