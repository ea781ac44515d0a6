"""Answering queries: fixed, read-only Cypher; everything the shopper typed is a parameter.

Each function returns plain rows (lists of dicts) that are identical on both adapters:
lists gathered with collect() are sorted here, because servers may collect in any order.
"""
from __future__ import annotations

import unicodedata
from typing import Any

from shop.catalog import FORBIDDEN_CHARS
from shop.graph.store import GraphStore, Row

# Longer than any product name in the catalog: a longer term cannot match, so it is not sent.
MAX_TERM = 40
MAX_LIMIT = 50
NO_BUDGET = 1e9

FIND_BY_NAME = """
MATCH (p:Product)
WHERE p.name CONTAINS $q
RETURN p.id AS id, p.name AS name, p.category AS category, p.price AS price
ORDER BY p.id
LIMIT $limit
"""
ATTRIBUTES = """
MATCH (p:Product {id: $id})-[:IN_CATEGORY]->(c:Category)
OPTIONAL MATCH (p)-[:MADE_OF]->(m:Material)
WITH p, c, collect(DISTINCT m.name) AS materials
OPTIONAL MATCH (p)-[:FOR_SCENE]->(s:Scene)
WITH p, c, materials, collect(DISTINCT s.name) AS scenes
OPTIONAL MATCH (p)-[:FOR_PROFILE]->(u:Profile)
WITH p, c, materials, scenes, collect(DISTINCT u.name) AS profiles
OPTIONAL MATCH (p)-[:IN_SEASON]->(se:Season)
RETURN p.id AS id, p.name AS name, p.type AS type, p.gender AS gender, p.category AS category,
       c.name AS category_name,
       p.price AS price, p.colors AS colors, p.sizes AS sizes, p.tags AS tags,
       p.launch_date AS launch_date, p.image AS image, materials, scenes, profiles,
       collect(DISTINCT se.name) AS seasons
"""
# Every product with the fields search ranks on (shop.search.index), one row each.
ALL_PRODUCTS = """
MATCH (p:Product)-[:IN_CATEGORY]->(c:Category)
OPTIONAL MATCH (p)-[:MADE_OF]->(m:Material)
WITH p, c, collect(DISTINCT m.name) AS materials
OPTIONAL MATCH (p)-[:FOR_SCENE]->(s:Scene)
WITH p, c, materials, collect(DISTINCT s.name) AS scenes
OPTIONAL MATCH (p)-[:FOR_PROFILE]->(u:Profile)
WITH p, c, materials, scenes, collect(DISTINCT u.name) AS profiles
OPTIONAL MATCH (p)-[:IN_SEASON]->(se:Season)
RETURN p.id AS id, p.name AS name, p.type AS type, p.gender AS gender, p.category AS category,
       c.name AS category_name, p.price AS price, p.colors AS colors, p.sizes AS sizes, p.tags AS tags,
       materials, scenes, profiles, collect(DISTINCT se.name) AS seasons
ORDER BY p.id
"""
CARE = """
MATCH (p:Product {id: $id})-[:MADE_OF]->(m:Material)-[:CARE]->(r:CareRule)
RETURN m.name AS material, r.method AS method, r.water_temp AS water_temp,
       r.drying AS drying, r.dos AS dos, r.donts AS donts
ORDER BY material
"""
CARE_BY_MATERIAL = """
MATCH (m:Material {name: $name})-[:CARE]->(r:CareRule)
RETURN m.name AS material, r.method AS method, r.water_temp AS water_temp,
       r.drying AS drying, r.dos AS dos, r.donts AS donts
"""
# Facet queries: one fixed statement per relation (types cannot be parameters).
# `WITH p WHERE` filters the price after the traversal: FalkorDB otherwise pushes the
# filter down onto a scan of every Product (measured 1.8 ms → 0.7 ms per query).
_BY_FACET = """
MATCH (p:Product)-[:{rel}]->(x:{label} {{name: $name}})
WITH p
WHERE p.price >= $min_price AND p.price <= $max_price
RETURN p.id AS id, p.name AS name, p.category AS category, p.price AS price
ORDER BY p.price, p.id
LIMIT $limit
"""
BY_SCENE = _BY_FACET.format(rel="FOR_SCENE", label="Scene")
BY_PROFILE = _BY_FACET.format(rel="FOR_PROFILE", label="Profile")
BY_SEASON = _BY_FACET.format(rel="IN_SEASON", label="Season")
BY_BUDGET = """
MATCH (p:Product)
WHERE p.price >= $min_price AND p.price <= $max_price AND ($category IS NULL OR p.category = $category)
RETURN p.id AS id, p.name AS name, p.category AS category, p.price AS price
ORDER BY p.price, p.id
LIMIT $limit
"""
SIZE_CHART = """
MATCH (c:Category {code: $category})-[:HAS_SIZE_CHART]->(s:SizeChart)
RETURN s.chart AS chart, s.size AS size, s.height_max AS height_max,
       s.weight_max AS weight_max, s.foot_max AS foot_max
ORDER BY s.order
"""
# The first (smallest) size whose maxima cover every measure given.
SIZE_FOR = """
MATCH (p:Product {id: $id})-[:IN_CATEGORY]->(c:Category)-[:HAS_SIZE_CHART]->(s:SizeChart)
WHERE s.size IN p.sizes
  AND ($height IS NULL OR s.height_max >= $height)
  AND ($weight IS NULL OR s.weight_max >= $weight)
  AND ($foot IS NULL OR s.foot_max >= $foot)
RETURN s.size AS size, s.chart AS chart
ORDER BY s.order
LIMIT 1
"""
NAMES = {label: f"MATCH (n:{label}) RETURN n.name AS name ORDER BY n.name"
         for label in ("Scene", "Profile", "Season", "Material", "Category")}


def clean_term(text: Any, max_len: int = MAX_TERM) -> str | None:
    """Normalise shopper text used as a parameter; None when it cannot match anything.

    NFKC folds full-width forms (ＸＬ → XL); control characters and the characters
    no catalog text holds (quotes, backslash, braces …) are dropped. This is not
    what prevents injection — parameters do — it keeps both adapters' answers equal.
    """
    if not isinstance(text, str):
        return None
    text = unicodedata.normalize("NFKC", text)
    text = "".join(ch for ch in text if ch not in FORBIDDEN_CHARS and unicodedata.category(ch)[0] != "C")
    text = text.strip()
    return text if text and len(text) <= max_len else None


def _limit(limit: int) -> int:
    return max(1, min(int(limit), MAX_LIMIT))


def _number(value: Any) -> float | None:
    if value is None:
        return None
    value = float(value)
    return value if 0 <= value < NO_BUDGET else None


def _product_id(value: Any) -> str | None:
    # Ids normally come from earlier results, but a slot may carry anything.
    return clean_term(value)


def find_products(store: GraphStore, name: Any, limit: int = 10) -> list[Row]:
    q = clean_term(name)
    if q is None:
        return []
    return store.query(FIND_BY_NAME, {"q": q, "limit": _limit(limit)})


def product_attributes(store: GraphStore, product_id: str) -> Row | None:
    pid = _product_id(product_id)
    rows = store.query(ATTRIBUTES, {"id": pid}) if pid else []
    if not rows:
        return None
    row = dict(rows[0])
    for key in ("materials", "scenes", "profiles", "seasons"):
        row[key] = sorted(row[key])
    return row


def all_products(store: GraphStore) -> list[Row]:
    """Every product (for the search index), list fields sorted as in product_attributes."""
    rows = []
    for r in store.query(ALL_PRODUCTS):
        row = dict(r)
        for key in ("materials", "scenes", "profiles", "seasons"):
            row[key] = sorted(row[key])
        rows.append(row)
    return rows


def care_for_product(store: GraphStore, product_id: str) -> list[Row]:
    pid = _product_id(product_id)
    return store.query(CARE, {"id": pid}) if pid else []


def care_for_material(store: GraphStore, material: Any) -> list[Row]:
    """Care rules of a material named by the shopper (真丝的衣服能机洗吗), without a product."""
    name = clean_term(material)
    return store.query(CARE_BY_MATERIAL, {"name": name}) if name else []


def _by_facet(store: GraphStore, cypher: str, name: Any, max_price, min_price, limit) -> list[Row]:
    term = clean_term(name)
    if term is None:
        return []
    return store.query(cypher, {"name": term, "min_price": _number(min_price) or 0.0,
                                "max_price": _number(max_price) or NO_BUDGET, "limit": _limit(limit)})


def products_by_scene(store: GraphStore, scene: Any, max_price=None, min_price=None, limit: int = 10) -> list[Row]:
    return _by_facet(store, BY_SCENE, scene, max_price, min_price, limit)


def products_by_profile(store: GraphStore, profile: Any, max_price=None, min_price=None, limit: int = 10) -> list[Row]:
    return _by_facet(store, BY_PROFILE, profile, max_price, min_price, limit)


def products_by_season(store: GraphStore, season: Any, max_price=None, min_price=None, limit: int = 10) -> list[Row]:
    return _by_facet(store, BY_SEASON, season, max_price, min_price, limit)


def products_by_budget(store: GraphStore, max_price, min_price=None, category: str | None = None,
                       limit: int = 10) -> list[Row]:
    return store.query(BY_BUDGET, {"min_price": _number(min_price) or 0.0,
                                   "max_price": _number(max_price) or NO_BUDGET,
                                   "category": clean_term(category) if category else None,
                                   "limit": _limit(limit)})


def size_chart(store: GraphStore, category: str) -> list[Row]:
    term = clean_term(category)
    return store.query(SIZE_CHART, {"category": term}) if term else []


def size_for_product(store: GraphStore, product_id: str, height=None, weight=None, foot=None) -> str | None:
    """Size advice: height cm / weight kg (clothes) or foot length mm (shoes)."""
    measures = {"height": _number(height), "weight": _number(weight), "foot": _number(foot)}
    pid = _product_id(product_id)
    if pid is None or all(v is None for v in measures.values()):
        return None
    rows = store.query(SIZE_FOR, {"id": pid, **measures})
    return rows[0]["size"] if rows else None


def names(store: GraphStore, label: str) -> list[str]:
    """Known scenes / profiles / seasons / materials (for entity lookups)."""
    if label == "Category":
        return [r["name"] for r in store.query("MATCH (n:Category) RETURN n.name AS name ORDER BY n.code")]
    return [r["name"] for r in store.query(NAMES[label])]
