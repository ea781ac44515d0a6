"""Level 3, predictive (b): consumables that are about to run out.

A consumable (food, skincare, baby consumables) lasts about its category's cycle; from
REPLENISH_FROM of the cycle after the last purchase the shopper is reminded, most
strongly when exactly one cycle has passed. Only purchases kept (paid, not cancelled,
not returned) count: a returned face cream is not being used up.
"""
from __future__ import annotations

import datetime as dt
from typing import Iterable

from shop.recommend.catalog_index import ProductIndex
from shop.recommend.policy import REPLENISH_FROM, REPLENISH_UNTIL
from shop.recommend.types import Event, Recommendation


def due_ratio(last_purchase: dt.datetime, now: dt.datetime, cycle_days: int) -> float:
    return (now - last_purchase).total_seconds() / 86400.0 / cycle_days


def replenish_picks(events: Iterable[Event], now: dt.datetime, k: int, products: ProductIndex) -> list[Recommendation]:
    if k <= 0:
        return []
    last: dict[str, dt.datetime] = {}
    for e in events:
        if e.at <= now and e.is_kept_purchase and e.product_id in products:
            last[e.product_id] = max(last.get(e.product_id, e.at), e.at)
    scored = []
    for pid, bought_at in last.items():
        p = products[pid]
        cycle = p.repurchase_cycle_days
        if cycle is None:
            continue
        ratio = due_ratio(bought_at, now, cycle)
        if REPLENISH_FROM <= ratio <= REPLENISH_UNTIL:
            # 1 at "exactly due", falling off both ways; +1 keeps every due item above the
            # seasonal picks it is merged with.
            score = 1.0 + max(0.0, 1.0 - abs(ratio - 1.0))
            scored.append((score, p, bought_at, cycle))
    scored.sort(key=lambda x: (-x[0], x[1].id))
    return [Recommendation(p.id, p.name,
                           f"亲，您{at.month}月{at.day}日买的「{p.name}」一般{cycle}天左右用完，"
                           f"算算差不多该补货啦，需要再来一份吗？",
                           round(score, 6), "replenish")
            for score, p, at, cycle in scored[:k]]
