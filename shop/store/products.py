"""The products orders are made of: the catalog in shop/catalog (products.csv/variants.csv).

Kept behind this one function so the seed and the service never read catalog
files themselves; if the catalog's loader changes, only this module follows.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache


@dataclass(frozen=True)
class Variant:
    color: str
    size: str
    stock: int


@dataclass(frozen=True)
class Product:
    id: str
    name: str
    category: str
    price: Decimal
    variants: tuple[Variant, ...]


@lru_cache(maxsize=1)
def demo_products() -> tuple[Product, ...]:
    from shop.catalog import load_catalog

    catalog = load_catalog()
    variants: dict[str, list[Variant]] = {}
    for v in catalog.variants:
        variants.setdefault(v["product_id"], []).append(Variant(v["color"], v["size"], int(v["stock"])))
    return tuple(
        Product(p["id"], p["name"], p["category"], Decimal(str(p["price"])).quantize(Decimal("0.01")),
                tuple(variants.get(p["id"], ())))
        for p in catalog.products
        if variants.get(p["id"])
    )


@lru_cache(maxsize=1)
def category_names() -> dict[str, str]:
    """Catalog category code → Chinese name (服装, 食品 ...). Read once per process, like every other
    view of the catalog files: a price answer re-parsing every YAML file took ~150 ms (bench/load.py)."""
    from shop.catalog import load_catalog

    return {c["code"]: c["name"] for c in load_catalog().categories}
