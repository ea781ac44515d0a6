"""Product catalog: readable data files under shop/catalog/data, loaded and checked here.

Every file is curated data the shop edits: products.csv / variants.csv (the goods; list
fields joined with "|"), categories.yaml, types.yaml (product types and the words for
them), descriptions.yaml (detail-page copy and everyday names per type), vocabulary.yaml (attributes, audiences, scenes, seasons, skin types as shoppers
say them), materials.yaml (材质 → 洗涤方式), size_charts.yaml, name_rules.yaml and colors.yaml (colour name → RGB).
`load_catalog` checks that they agree with each other (CatalogError) and
`shop.catalog.checks.implausible` that each product is believable.
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
# products.csv's gender: a men's cut, a women's cut, or "" for anyone (男女同款, or not a garment).
GENDERS = ("男", "女", "")


class CatalogError(ValueError):
    """The data files contradict each other (unknown material, variant of a missing colour ...)."""


@dataclass(frozen=True)
class Catalog:
    products: list[dict]
    variants: list[dict]
    categories: list[dict]
    materials: list[dict]
    size_charts: list[dict] = field(default_factory=list)  # flat rows: chart, category, size, order, maxima
    types: list[dict] = field(default_factory=list)        # types.yaml entries
    vocabulary: dict = field(default_factory=dict)         # vocabulary.yaml
    name_rules: list[dict] = field(default_factory=list)   # name_rules.yaml
    descriptions: list[dict] = field(default_factory=list)  # descriptions.yaml: copy + everyday names per type

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


def _yaml(path: Path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


# Colour name → (r, g, b): the pictures are drawn in these, and photos are compared with them.
COLORS: dict[str, tuple[int, int, int]] = {k: tuple(v) for k, v in _yaml(DATA_DIR / "colors.yaml").items()}


def load_catalog(data_dir: Path = DATA_DIR) -> Catalog:
    products = []
    for row in _read_csv(data_dir / "products.csv"):
        for key in LIST_FIELDS:
            row[key] = row[key].split(LIST_SEP) if row[key] else []
        row["price"] = float(row["price"])
        products.append(row)
    variants = [{**v, "stock": int(v["stock"])} for v in _read_csv(data_dir / "variants.csv")]
    categories = _yaml(data_dir / "categories.yaml")
    materials = _yaml(data_dir / "materials.yaml")
    charts = _size_chart_rows(_yaml(data_dir / "size_charts.yaml"))
    catalog = Catalog(products, variants, categories, materials, charts, types=_yaml(data_dir / "types.yaml"),
                      vocabulary=_yaml(data_dir / "vocabulary.yaml"), name_rules=_yaml(data_dir / "name_rules.yaml"),
                      descriptions=_yaml(data_dir / "descriptions.yaml"))
    validate(catalog)
    return catalog


def validate(catalog: Catalog) -> None:
    ids = [p["id"] for p in catalog.products]
    if len(ids) != len(set(ids)):
        raise CatalogError("duplicate product ids")
    category_codes = {c["code"] for c in catalog.categories}
    material_names = {m["name"] for m in catalog.materials}
    by_id = {p["id"]: p for p in catalog.products}
    types = {t["type"]: t for t in catalog.types}
    for p in catalog.products:
        if p["category"] not in category_codes:
            raise CatalogError(f"{p['id']}: unknown category {p['category']}")
        if p["type"] not in types:
            raise CatalogError(f"{p['id']}: unknown type {p['type']!r} (add it to types.yaml)")
        if p["gender"] not in GENDERS:
            raise CatalogError(f"{p['id']}: gender must be one of {GENDERS}, not {p['gender']!r}")
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
        if v["color"] not in COLORS:
            raise CatalogError(f"variant {v} has a colour colors.yaml does not know")
        if v["stock"] < 0:
            raise CatalogError(f"variant {v} has negative stock")
