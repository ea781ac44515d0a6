"""The popularity baseline: what most shoppers bought lately, the same list for everyone
(minus what this shopper already has). The levels must beat it to earn their keep."""
from __future__ import annotations

import datetime as dt
from typing import Iterable, Mapping

from shop.recommend.catalog_index import ProductIndex
from shop.recommend.policy import POPULAR_WINDOW_DAYS
from shop.recommend.types import Recommendation


def popular_picks(buyers: Mapping[str, int], now: dt.datetime, k: int, products: ProductIndex,
                  exclude: Iterable[str] = ()) -> list[Recommendation]:
    """buyers: product id → number of distinct buyers in the last POPULAR_WINDOW_DAYS."""
    if k <= 0:
        return []
    skip = set(exclude)
    ranked = sorted(((n, pid) for pid, n in buyers.items()
                     if n > 0 and pid in products and pid not in skip and products.on_sale(products[pid], now)),
                    key=lambda x: (-x[0], x[1]))
    return [Recommendation(pid, products[pid].name,
                           f"本店热销好物，近{POPULAR_WINDOW_DAYS}天已有{n}位顾客买过「{products[pid].name}」，口碑不错哦～",
                           float(n), "popular")
            for n, pid in ranked[:k]]
