"""Which of a shopper's orders their words mean: 我那支口红到哪了, 之前拍的砧板帮我取消.

Shoppers name the goods, not the order number. The goods are read the way product search
reads them (shop.search.query: product names, kinds and their synonyms, name words) and
matched against the items of the shopper's own orders. When several orders hold such goods,
those where the task can be done are preferred (a parcel to track is one that has shipped; an
order to cancel one that has not); the caller asks only when it is still ambiguous.
"""
from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from typing import Sequence

from shop.dialogue.order_tasks import TASKS
from shop.rules.logistics import detect_delay
from shop.rules.policy import OrderStatus
from shop.search.query import ProductQuery, parse

@lru_cache(maxsize=1)
def _type_of() -> dict[str, str]:
    from shop.catalog import load_catalog
    return {p["id"]: p["type"] for p in load_catalog().products}


def _words(q: ProductQuery) -> list[str]:
    words = [k for k in q.keywords if len(k) >= 2]
    words += [t.word for t in q.terms if t.kind in ("attribute", "material") and len(t.word) >= 2]
    return words


def _kinds(q: ProductQuery) -> frozenset:
    """The kinds the words name, those said with 不要 too: in a search 学步鞋不要了 refuses the kind, about
    an order it names the item the shopper no longer wants."""
    return q.wanted_types | frozenset((q.excluded or {}).get("types") or ())


def item_named(item, q: ProductQuery) -> bool:
    """Does the message name this order item (its product, its kind, or words of its name)?"""
    if item.product_id in q.named:
        return True
    kind = _type_of().get(item.product_id)
    if kind in _kinds(q):
        return True
    name = item.product_name.lower()
    return sum(w in name for w in _words(q)) >= 2 or any(len(w) >= 3 and w in name for w in _words(q))


def items_named(items: Sequence, text: str) -> list:
    """The items of one order the words name (by product, kind or name words)."""
    q = parse(text)
    if not (q.named or _kinds(q) or _words(q)):
        return []
    return [i for i in items if item_named(i, q)] or _kind_word_hits(items, q)


def _kind_word_hits(items: Sequence, q: ProductQuery) -> list:
    """Items a kind word fits by its head alone: 鞋 for the 学步鞋, 毯子 for the 盖毯 (the shopper's own goods,
    whoever they were made for: retrieval leaves a baby's kind out of a plain 鞋子, the order does not)."""
    words = {t.word for t in q.terms if t.kind in ("category", "type")}
    return [i for i in items if any(w and (w in i.product_name or w[0] == i.product_name[-1]) for w in words)]


def order_tracked(orders: Sequence, text: str) -> str | None:
    """The order whose parcel's tracking number the message quotes (YT6965970600030 6天没动了)."""
    compact = re.sub(r"\s+", "", text or "").upper()
    for o in orders:
        for shipment in getattr(o, "shipments", ()) or ():
            if shipment.tracking_no and shipment.tracking_no.upper() in compact:
                return o.order_no
    return None


_AMOUNT = re.compile(r"(\d+(?:\.\d{1,2})?)\s*(?:块|元|的|那)")


def order_priced(orders: Sequence, text: str) -> str | None:
    """The one order whose paid amount the message says (三百六十九块的那个订单 / 369那单)."""
    from shop.text.numbers import to_digits
    said = {float(x) for x in _AMOUNT.findall(to_digits(text or ""))}
    hits = [o for o in orders if float(o.pay_amount) in said]
    return hits[0].order_no if len(hits) == 1 else None


def order_by_variant(orders: Sequence, text: str) -> str | None:
    """The one order holding an item of the colour and size the message says (灰色XXL那件, 粉色那个): the
    shopper tells the order by the goods' variant, as shown in the order list."""
    said = (text or "").upper()

    def fits(item) -> int:
        size = (item.size or "").upper()
        sized = bool(size) and re.search(rf"(?<![A-Z0-9]){re.escape(size)}(?![A-Z0-9])", said) is not None
        coloured = bool(item.color) and item.color in said
        return int(coloured) + int(sized)

    best = {o.order_no: max((fits(i) for i in o.items), default=0) for o in orders}
    top = max(best.values(), default=0)
    winners = [no for no, score in best.items() if score == top]
    return winners[0] if top and len(winners) == 1 else None


def orders_named(orders: Sequence, text: str, task: str | None, now: dt.datetime | None = None) -> list[str]:
    """Order numbers of the orders the words point at, best first: [] when the words name no goods
    of any order, one number when they settle it, several when the caller must still ask.

    orders: OrderView-like objects (order_no, status, items with product_id and product_name, shipments
    with events); now: the shop's clock, to tell a parcel that is stuck (包裹好几天没动了) from moving ones."""
    q = parse(text)
    named = bool(q.named or _kinds(q) or _words(q))
    goods = [o for o in orders if any(item_named(i, q) for i in o.items)] if named else []
    if named and not goods:
        goods = [o for o in orders if _kind_word_hits(o.items, q)]   # 鞋子给我换大一码: the baby's 学步鞋
    said = [w for w in q.type_words if len(w) >= 2]
    literal = [o for o in goods if any(w in i.product_name for i in o.items for w in said)]
    if 0 < len(literal) < len(goods):
        goods = literal   # 外套买大了: the 抓绒保暖外套 the shopper calls so, before the 针织开衫 外套 also covers
    if len(goods) > 1 and len(set(q.type_words)) + len(q.named) >= 2:
        # 和哺乳内衣一起买的那个围兜: when several goods are named, the order holding more kinds of them is
        # meant (one word matching several items of an order, 衣服, counts once)
        def kinds(o) -> int:
            return len({_type_of().get(i.product_id) for i in o.items if item_named(i, q)})
        most = max(kinds(o) for o in goods)
        goods = [o for o in goods if kinds(o) == most]
    # 寄到青岛的那单 / 西安那单的盖毯: where it goes narrows the goods named, or picks on its own — but not a
    # new address (地址改成上海市…): what follows 改成 is where it should go, not where it goes
    where = _NEW_VALUE.split(text)[0]
    placed = [o for o in (goods or orders) if _place_named(o, where)]
    hits = placed or goods
    day = day_ordered(text)
    dated = [o for o in (hits or orders) if day and o.created_at.day == day[1] and day[0] in (None, o.created_at.month)]
    if dated:
        hits = dated   # 我十一月二十二号那天买的东西 / 22号下的那单: the orders placed that day
    states = next((st for words, st in STATE_WORDS if words.search(text)), None)
    if states and not hits:
        hits = [o for o in orders if o.status in states]   # 那个没付钱的单子: the orders in that state
    if states and len(hits) > 1 and any(o.status in states for o in hits):
        hits = [o for o in hits if o.status in states]   # 厦门那个一直没到的: the one still on its way
    if now is not None and STUCK.search(text):
        stuck = [o for o in (hits or orders) if o.status == OrderStatus.SHIPPED and detect_delay(
            o.status, now=now, last_update_at=_last_update(o)).allowed]
        if stuck:
            hits = stuck   # 我的包裹死在路上了 六天都没动了: the parcels with no update for days, not every one moving
    if len(hits) <= 1:
        return [o.order_no for o in hits]
    task_ = TASKS.get(task or "")
    possible = [o for o in hits if o.status in (task_.possible if task_ else OrderStatus.ALL)]
    if len(possible) == 1:
        return [possible[0].order_no]
    return [o.order_no for o in (possible or hits)]


# 十一月二十二号那天买的 / 22号下的那单 / 11月16日的订单: the day an order was placed (a day alone only with
# an ordering word after it: 38号 is a size, 5号前 a deadline)
_DAY = re.compile(r"(?:(\d{1,2})\s*月\s*)?(\d{1,2})\s*(?:号|日)"
                  r"(?=(?P<ordered>(?:那天|当天)?[^，。,.!?！？]{0,3}(?:买|下单|下的|拍|订|那单|的单|的订单|那个订单)))?")


def day_ordered(text: str | None) -> tuple[int | None, int] | None:
    """(month or None, day) of the day the words say an order was placed, else None."""
    from shop.text.numbers import to_digits
    for m in _DAY.finditer(to_digits(text or "")):
        month, day = (int(m.group(1)) if m.group(1) else None), int(m.group(2))
        if (month or m.group("ordered")) and 1 <= day <= 31 and (month is None or 1 <= month <= 12):
            return month, day
    return None


_NEW_VALUE = re.compile(r"改成|改为|改到|换成|换到|改去|送到新|新地址")
# 另一个没付款的也取消: another of the shopper's orders, in the state the words say, than the one just handled
ANOTHER = re.compile(r"另一个|另一单|另外一个|另外那个|另外一单|另一笔|另外那单")
# A parcel said to be stuck: no tracking update for days (the delay rule decides which are)
STUCK = re.compile(r"不动|没动|没动静|死在路上|卡住|卡在|停在|没更新|没有更新|不更新|几天没|好几天了?没|一直没到")


def _last_update(order) -> dt.datetime | None:
    events = [e.occurred_at for s in getattr(order, "shipments", ()) if s.kind == "outbound" for e in s.events]
    return max(events) if events else None


STATE_WORDS = (
    (re.compile(r"没付|未付|待付|没支付"), (OrderStatus.PENDING_PAYMENT,)),
    (re.compile(r"没发货|未发货|待发货|还没发|还没(?:给我)?寄"), (OrderStatus.PAID, OrderStatus.PENDING_PAYMENT)),
    (re.compile(r"在路上|运输中|还没到|没到|没收到|不动"), (OrderStatus.SHIPPED,)),
    (re.compile(r"签收|收到的|已经到"), (OrderStatus.DELIVERED,)),
)


def another_order(orders: Sequence, text: str, current: str | None, task: str | None) -> str | None:
    """The one other order 另一个/另外那单 means: of the state the words name (or where the task is possible),
    not the order just handled; None when that is not one order."""
    if not current or not ANOTHER.search(text or ""):
        return None
    states = next((st for words, st in STATE_WORDS if words.search(text)), None)
    if states is None:
        task_ = TASKS.get(task or "")
        states = task_.possible if task_ else OrderStatus.ALL
    others = [o for o in orders if o.order_no != current and o.status in states]
    return others[0].order_no if len(others) == 1 else None


_ADMIN_SUFFIX = ("特别行政区", "自治区", "省", "市", "区", "县")


def _place_named(order, text: str) -> bool:
    """Does the message name where the order goes (寄到青岛的 / 深圳那单 / 北京的)? The ship-to
    address's city or district, without its 省/市/区 suffix (2 characters at least)."""
    address = getattr(order, "address", "") or ""
    places = re.findall(r"[\u4e00-\u9fff]{2,7}?(?:省|市|区|县)", address)[:3]
    for place in places:
        bare = place
        for suffix in _ADMIN_SUFFIX:
            if bare.endswith(suffix) and len(bare) - len(suffix) >= 2:
                bare = bare[: -len(suffix)]
                break
        if len(bare) >= 2 and bare in text:
            return True
    return False
