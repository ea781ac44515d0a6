"""All levels from one shopper's events, and the mix the chat shows.

The mix takes a few from each level in order of urgency (a cart waiting with a coupon,
a pack running out, then interests and the season), then fills the rest, and falls
back on bestsellers so a shopper without history still gets an answer.
"""
from __future__ import annotations

import datetime as dt
from typing import Mapping, Sequence

from shop.recommend.bestsellers import popular_picks
from shop.recommend.cart import abandoned_cart, cart_picks
from shop.recommend.catalog_index import ProductIndex
from shop.recommend.interests import history_picks
from shop.recommend.policy import MIX_FILL_ORDER, MIX_QUOTAS
from shop.recommend.replenish import replenish_picks
from shop.recommend.seasons import seasonal_picks
from shop.recommend.types import CouponOffer, Event, Recommendation


def predictive_picks(events: Sequence[Event], now: dt.datetime, k: int, products: ProductIndex) -> list[Recommendation]:
    """Level 3 as one list: consumables due for replenishment first, then the season's goods."""
    due = replenish_picks(events, now, k, products)
    shown = {r.product_id for r in due}
    seasonal = [r for r in seasonal_picks(events, now, k + len(due), products) if r.product_id not in shown]
    return (due + seasonal)[:max(k, 0)]


def all_levels(events: Sequence[Event], now: dt.datetime, k: int, products: ProductIndex,
               buyers: Mapping[str, int], coupon: CouponOffer | None = None) -> dict[str, list[Recommendation]]:
    events = [e for e in events if e.at <= now]
    bought = {e.product_id for e in events if e.is_purchase}
    return {
        "realtime": cart_picks(abandoned_cart(events, now, products), now, k, coupon),
        "replenish": replenish_picks(events, now, k, products),
        "history": history_picks(events, now, k, products),
        "seasonal": seasonal_picks(events, now, k, products),
        "popular": popular_picks(buyers, now, k, products, exclude=bought),
    }


def mix(levels: Mapping[str, Sequence[Recommendation]], k: int) -> list[Recommendation]:
    out: list[Recommendation] = []
    taken: set[str] = set()
    used = {name: 0 for name in levels}

    def take(name: str, limit: int) -> None:
        recs = levels.get(name, ())
        while used.get(name, 0) < len(recs) and len(out) < k and limit > 0:
            rec = recs[used[name]]
            used[name] += 1
            if rec.product_id not in taken:
                taken.add(rec.product_id)
                out.append(rec)
                limit -= 1

    for name, quota in MIX_QUOTAS:
        take(name, quota)
    for name in MIX_FILL_ORDER:
        take(name, k)
    return out
