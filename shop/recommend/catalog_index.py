"""The catalog as the recommender needs it: products by id and by category, with the
fields the levels score on (launch date, seasons, tags) already parsed."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Iterable, Mapping

from shop.recommend.policy import BABY_CONSUMABLE_WORDS, REPURCHASE_CYCLE_DAYS

ALL_SEASONS = frozenset("春夏秋冬")


@dataclass(frozen=True)
class ProductInfo:
    id: str
    name: str
    category: str
    price: Decimal
    launch: dt.date
    seasons: frozenset[str]
    tags: tuple[str, ...]
    scenes: tuple[str, ...]

    @property
    def features(self) -> frozenset[str]:
        """What "similar" is measured on: the product's selling points and where it is used."""
        return frozenset(self.tags) | frozenset("场景:" + s for s in self.scenes)

    @property
    def is_seasonal(self) -> bool:
        # Goods sold all year are not "当季"; only those tied to some seasons are.
        return bool(self.seasons) and self.seasons != ALL_SEASONS

    @property
    def repurchase_cycle_days(self) -> int | None:
        """Days a pack lasts, for consumables; None for durable goods."""
        cycle = REPURCHASE_CYCLE_DAYS.get(self.category)
        if cycle is None:
            return None
        if self.category == "baby" and not any(w in self.name for w in BABY_CONSUMABLE_WORDS):
            return None
        return cycle


class ProductIndex:
    def __init__(self, products: Iterable[ProductInfo], category_names: Mapping[str, str]):
        self.by_id = {p.id: p for p in products}
        self.by_category: dict[str, list[ProductInfo]] = {}
        for p in sorted(self.by_id.values(), key=lambda p: p.id):
            self.by_category.setdefault(p.category, []).append(p)
        self.category_names = dict(category_names)

    def __contains__(self, product_id: str) -> bool:
        return product_id in self.by_id

    def __getitem__(self, product_id: str) -> ProductInfo:
        return self.by_id[product_id]

    def __iter__(self):
        return iter(sorted(self.by_id.values(), key=lambda p: p.id))

    def category_name(self, code: str) -> str:
        return self.category_names.get(code, code)

    def on_sale(self, product: ProductInfo, now: dt.datetime) -> bool:
        # The catalog lists launches planned for later; they cannot be bought yet.
        return product.launch <= now.date()


def product_info(row: dict) -> ProductInfo:
    return ProductInfo(
        id=row["id"], name=row["name"], category=row["category"],
        price=Decimal(str(row["price"])).quantize(Decimal("0.01")),
        launch=dt.date.fromisoformat(row["launch_date"]), seasons=frozenset(row["seasons"]),
        tags=tuple(row["tags"]), scenes=tuple(row["scenes"]),
    )


@lru_cache(maxsize=1)
def catalog_index() -> ProductIndex:
    from shop.catalog import load_catalog

    catalog = load_catalog()
    return ProductIndex((product_info(p) for p in catalog.products),
                        {c["code"]: c["name"] for c in catalog.categories})
