"""Product catalog: readable data files under shop/catalog/data, loaded and checked here.

products.csv / variants.csv are written by `python -m shop.catalog.generate`;
categories.yaml, materials.yaml (材质 → 洗涤方式) and size_charts.yaml are curated
by hand. List fields in the CSVs are joined with "|".
"""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

import yaml

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = PACKAGE_DIR / "data"
IMAGES_DIR = PACKAGE_DIR / "images"
LIST_SEP = "|"
LIST_FIELDS = ("colors", "sizes", "materials", "tags", "seasons", "scenes", "profiles")
# Characters no catalog text may hold: search terms drop them (shop.graph.queries),
# so a name containing one could never be found. They are also the ones some
# graph servers mishandle inside parameters (see shop/graph/README.md).
FORBIDDEN_CHARS = set("'\"\\`|{}$\x00")


class CatalogError(ValueError):
    """The data files contradict each other (unknown material, variant of a missing colour ...)."""


@dataclass(frozen=True)
class Catalog:
    products: list[dict]
    variants: list[dict]
    categories: list[dict]
    materials: list[dict]
    size_charts: list[dict] = field(default_factory=list)  # flat rows: chart, category, size, order, maxima

    def product(self, product_id: str) -> dict:
        return next(p for p in self.products if p["id"] == product_id)


def _read_csv(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _size_chart_rows(doc: dict) -> list[dict]:
    rows = []
    for chart, spec in doc["charts"].items():
        for order, row in enumerate(spec["rows"]):
            for category in spec["categories"]:
                rows.append({
                    "id": f"{chart}:{row['size']}:{category}", "chart": chart, "category": category,
                    "size": str(row["size"]), "order": order,
                    "height_max": row.get("height_max"), "weight_max": row.get("weight_max"),
                    "foot_max": row.get("foot_max"),
                })
    return rows


def load_catalog(data_dir: Path = DATA_DIR) -> Catalog:
    products = []
    for row in _read_csv(data_dir / "products.csv"):
        for key in LIST_FIELDS:
            row[key] = row[key].split(LIST_SEP) if row[key] else []
        row["price"] = float(row["price"])
        products.append(row)
    variants = [{**v, "stock": int(v["stock"])} for v in _read_csv(data_dir / "variants.csv")]
    categories = yaml.safe_load((data_dir / "categories.yaml").read_text(encoding="utf-8"))
    materials = yaml.safe_load((data_dir / "materials.yaml").read_text(encoding="utf-8"))
    charts = _size_chart_rows(yaml.safe_load((data_dir / "size_charts.yaml").read_text(encoding="utf-8")))
    catalog = Catalog(products, variants, categories, materials, charts)
    validate(catalog)
    return catalog


def validate(catalog: Catalog) -> None:
    ids = [p["id"] for p in catalog.products]
    if len(ids) != len(set(ids)):
        raise CatalogError("duplicate product ids")
    category_codes = {c["code"] for c in catalog.categories}
    material_names = {m["name"] for m in catalog.materials}
    by_id = {p["id"]: p for p in catalog.products}
    for p in catalog.products:
        if p["category"] not in category_codes:
            raise CatalogError(f"{p['id']}: unknown category {p['category']}")
        unknown = set(p["materials"]) - material_names
        if unknown:
            raise CatalogError(f"{p['id']}: unknown materials {sorted(unknown)}")
        texts = [p["name"], *(v for k in LIST_FIELDS for v in p[k])]
        if any(FORBIDDEN_CHARS & set(t) for t in texts):
            raise CatalogError(f"{p['id']}: text holds one of {sorted(FORBIDDEN_CHARS)}")
    for v in catalog.variants:
        p = by_id.get(v["product_id"])
        if p is None or v["color"] not in p["colors"] or v["size"] not in p["sizes"]:
            raise CatalogError(f"variant {v} does not match its product")
        if v["stock"] < 0:
            raise CatalogError(f"variant {v} has negative stock")
