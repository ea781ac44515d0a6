"""Which of a shopper's orders their words mean: 我那支口红到哪了, 之前拍的砧板帮我取消.

Shoppers name the goods, not the order number. The goods are read the way product search
reads them (shop.search.query: product names, kinds and their synonyms, name words) and
matched against the items of the shopper's own orders. When several orders hold such goods,
those where the task can be done are preferred (a parcel to track is one that has shipped; an
order to cancel one that has not); the caller asks only when it is still ambiguous.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Sequence

from shop.dialogue.order_tasks import TASKS
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


def item_named(item, q: ProductQuery) -> bool:
    """Does the message name this order item (its product, its kind, or words of its name)?"""
    if item.product_id in q.named:
        return True
    kind = _type_of().get(item.product_id)
    if q.wanted_types and kind in q.wanted_types:
        return True
    name = item.product_name.lower()
    return sum(w in name for w in _words(q)) >= 2 or any(len(w) >= 3 and w in name for w in _words(q))


def items_named(items: Sequence, text: str) -> list:
    """The items of one order the words name (by product, kind or name words)."""
    q = parse(text)
    if not (q.named or q.wanted_types or _words(q)):
        return []
    hits = [i for i in items if item_named(i, q)]
    if not hits:
        # within one order a kind word is enough: 鞋 for the 学步鞋, 毯子 for the 盖毯
        words = {t.word for t in q.terms if t.kind in ("category", "type")}
        hits = [i for i in items if any(w and (w in i.product_name or w[0] == i.product_name[-1]) for w in words)]
    return hits


def order_tracked(orders: Sequence, text: str) -> str | None:
    """The order whose parcel's tracking number the message quotes (YT6965970600030 6天没动了)."""
    compact = re.sub(r"\s+", "", text or "").upper()
    for o in orders:
        for shipment in getattr(o, "shipments", ()) or ():
            if shipment.tracking_no and shipment.tracking_no.upper() in compact:
                return o.order_no
    return None


def orders_named(orders: Sequence, text: str, task: str | None) -> list[str]:
    """Order numbers of the orders the words point at, best first: [] when the words name no goods
    of any order, one number when they settle it, several when the caller must still ask.

    orders: OrderView-like objects (order_no, status, items with product_id and product_name)."""
    q = parse(text)
    named = bool(q.named or q.wanted_types or _words(q))
    goods = [o for o in orders if any(item_named(i, q) for i in o.items)] if named else []
    if len(goods) > 1:
        # 和哺乳内衣一起买的那个围兜: the order holding more of the goods named is the one meant
        most = max(sum(item_named(i, q) for i in o.items) for o in goods)
        goods = [o for o in goods if sum(item_named(i, q) for i in o.items) == most]
    # 寄到青岛的那单 / 西安那单的盖毯: where it goes narrows the goods named, or picks on its own
    placed = [o for o in (goods or orders) if _place_named(o, text)]
    hits = placed or goods
    if len(hits) <= 1:
        return [o.order_no for o in hits]
    task_ = TASKS.get(task or "")
    possible = [o for o in hits if o.status in (task_.possible if task_ else OrderStatus.ALL)]
    if len(possible) == 1:
        return [possible[0].order_no]
    return [o.order_no for o in (possible or hits)]


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
