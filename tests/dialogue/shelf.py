"""A Shelf over the catalog files (no graph, no database): the product turn's logic in milliseconds.

The live conversations and the action tests run the same turn over the real graph and store;
this one only stands in for them where a test is about the dialogue's decisions.
"""
from __future__ import annotations

import datetime as dt
from functools import lru_cache

from shop.catalog import load_catalog
from shop.search.index import ProductIndex

TODAY = dt.date(2025, 11, 24)


@lru_cache(maxsize=1)
def _index() -> ProductIndex:
    return ProductIndex(load_catalog().products)


class CatalogShelf:
    def __init__(self, today: dt.date = TODAY, personal: dict | None = None, stock: dict | None = None):
        self.catalog = load_catalog()
        self.by_id = {p["id"]: p for p in self.catalog.products}
        self.names = {c["code"]: c["name"] for c in self.catalog.categories}
        self._today = today
        self._personal = personal or {}
        self._stock = stock or {}

    def product(self, pid):
        p = self.by_id.get(pid)
        return {**p, "category_name": self.names[p["category"]]} if p else None

    def index(self):
        return _index()

    def _care_rows(self, names):
        out = []
        for m in self.catalog.materials:
            if m["name"] in names:
                out.append({"material": m["name"], "method": m["method"], "water_temp": m.get("water_temp"),
                            "drying": m["drying"], "dos": m["do"], "donts": m["dont"]})
        return sorted(out, key=lambda r: r["material"])

    def care(self, pid):
        return self._care_rows(self.by_id[pid]["materials"])

    def care_of_material(self, material):
        return self._care_rows([material])

    def size_chart(self, category):
        return [r for r in self.catalog.size_charts if r["category"] == category]

    def size_for(self, pid, height, weight, foot):
        p = self.by_id[pid]
        for r in sorted(self.size_chart(p["category"]), key=lambda r: r["order"]):
            if r["size"] not in p["sizes"]:
                continue
            if all(v is None or (r[k] is not None and r[k] >= v)
                   for k, v in (("height_max", height), ("weight_max", weight), ("foot_max", foot))):
                return r["size"]
        return None

    def stock(self, pid, color=None, size=None):
        return [{"color": v["color"], "size": v["size"],
                 "stock": self._stock.get((v["color"], v["size"]), v["stock"])}
                for v in self.catalog.variants if v["product_id"] == pid]

    def today(self):
        return self._today

    def personal_rank(self, pids):
        return {p: self._personal[p] for p in pids if p in self._personal}
