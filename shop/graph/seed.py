"""Load the catalog into the graph: idempotent (MERGE on keys, then prune what the catalog dropped).

    python -m shop.graph.seed          # uses SHOP_GRAPH_URL etc., like every caller

Every statement is fixed Cypher fed by UNWIND over a list parameter; rows are sent
in small batches because FalkorDB's Bolt listener (the test stand-in for Neo4j)
crashes on parameters beyond about 4 KB.
"""
from __future__ import annotations

import json
import sys
import time
from typing import Iterable, Iterator

from shop.catalog import Catalog, load_catalog
from shop.graph.store import GraphStore

INDEXES = [("Product", "id"), ("Category", "code"), ("Material", "name"), ("CareRule", "id"),
           ("Scene", "name"), ("Profile", "name"), ("Season", "name"), ("Variant", "sku"),
           ("SizeChart", "id")]
DEFAULT_BATCH_BYTES = 1500

UPSERT_CATEGORIES = "UNWIND $rows AS r MERGE (c:Category {code: r.code}) SET c.name = r.name"
UPSERT_MATERIALS = """
UNWIND $rows AS r
MERGE (m:Material {name: r.name})
MERGE (c:CareRule {id: r.name})
SET c.method = r.method, c.water_temp = r.water_temp, c.drying = r.drying,
    c.dos = r.dos, c.donts = r.donts
MERGE (m)-[:CARE]->(c)
"""
UPSERT_SIZE_CHARTS = """
UNWIND $rows AS r
MERGE (s:SizeChart {id: r.id})
SET s.chart = r.chart, s.category = r.category, s.size = r.size, s.order = r.order,
    s.height_max = r.height_max, s.weight_max = r.weight_max, s.foot_max = r.foot_max
WITH s, r
MATCH (c:Category {code: r.category})
MERGE (c)-[:HAS_SIZE_CHART]->(s)
"""
UPSERT_PRODUCTS = """
UNWIND $rows AS r
MERGE (p:Product {id: r.id})
SET p.name = r.name, p.type = r.type, p.gender = r.gender, p.category = r.category, p.price = r.price,
    p.colors = r.colors,
    p.sizes = r.sizes, p.tags = r.tags, p.launch_date = r.launch_date, p.image = r.image
WITH p, r
MATCH (c:Category {code: r.category})
MERGE (p)-[:IN_CATEGORY]->(c)
"""
# One statement per relation: labels and types cannot be parameters.
LINKS = {
    "materials": ("MADE_OF", "Material"),
    "scenes": ("FOR_SCENE", "Scene"),
    "profiles": ("FOR_PROFILE", "Profile"),
    "seasons": ("IN_SEASON", "Season"),
}
UPSERT_LINK = """
UNWIND $rows AS r
MATCH (p:Product {{id: r.id}})
UNWIND r.names AS name
MERGE (x:{label} {{name: name}})
MERGE (p)-[:{rel}]->(x)
"""
PRUNE_LINK = """
UNWIND $rows AS r
MATCH (p:Product {{id: r.id}})-[l:{rel}]->(x:{label})
WHERE NOT x.name IN r.names
DELETE l
"""
UPSERT_VARIANTS = """
UNWIND $rows AS r
MATCH (p:Product {id: r.product_id})
MERGE (v:Variant {sku: r.sku})
SET v.product_id = r.product_id, v.color = r.color, v.size = r.size, v.stock = NULL
MERGE (p)-[:HAS_VARIANT]->(v)
"""
DELETE_PRODUCTS = "UNWIND $ids AS id MATCH (p:Product {id: id}) DETACH DELETE p"
DELETE_VARIANTS = "UNWIND $ids AS id MATCH (v:Variant {sku: id}) DETACH DELETE v"
COUNT_LABELS = ["Product", "Category", "Material", "CareRule", "Scene", "Profile", "Season",
                "Variant", "SizeChart"]


def batches(rows: Iterable, max_bytes: int) -> Iterator[list]:
    """Group rows so each batch's JSON stays under max_bytes (always at least one row)."""
    batch, size = [], 0
    for row in rows:
        n = len(json.dumps(row, ensure_ascii=False).encode("utf-8"))
        if batch and size + n > max_bytes:
            yield batch
            batch, size = [], 0
        batch.append(row)
        size += n
    if batch:
        yield batch


def sku(variant: dict) -> str:
    return f"{variant['product_id']}:{variant['color']}:{variant['size']}"


def seed(store: GraphStore, catalog: Catalog | None = None, batch_bytes: int = DEFAULT_BATCH_BYTES) -> dict:
    catalog = catalog or load_catalog()

    def upsert(cypher: str, rows: list, key: str = "rows") -> None:
        for batch in batches(rows, batch_bytes):
            store.write(cypher, {key: batch})

    for label, prop in INDEXES:
        store.ensure_index(label, prop)
    upsert(UPSERT_CATEGORIES, [{"code": c["code"], "name": c["name"]} for c in catalog.categories])
    upsert(UPSERT_MATERIALS, [{"name": m["name"], "method": m["method"], "water_temp": m.get("water_temp"),
                               "drying": m["drying"], "dos": m["do"], "donts": m["dont"]}
                              for m in catalog.materials])
    upsert(UPSERT_SIZE_CHARTS, catalog.size_charts)
    upsert(UPSERT_PRODUCTS, [{k: p[k] for k in ("id", "name", "type", "gender", "category", "price", "colors", "sizes",
                                                 "tags", "launch_date", "image")}
                             for p in catalog.products])
    for field, (rel, label) in LINKS.items():
        rows = [{"id": p["id"], "names": p[field]} for p in catalog.products]
        upsert(PRUNE_LINK.format(rel=rel, label=label), rows)
        upsert(UPSERT_LINK.format(rel=rel, label=label), rows)
    # Variants say which colour/size combinations exist; how many are left is the order store's
    # (orders and exchanges change it there), so the graph keeps no stock to go stale.
    upsert(UPSERT_VARIANTS, [{k: v[k] for k in ("product_id", "color", "size")} | {"sku": sku(v)}
                             for v in catalog.variants])

    # Prune nodes the catalog no longer has (ids computed here, so no big list goes to the server at once).
    known = {p["id"] for p in catalog.products}
    stale = [r["id"] for r in store.query("MATCH (p:Product) RETURN p.id AS id") if r["id"] not in known]
    upsert(DELETE_PRODUCTS, stale, key="ids")
    skus = {sku(v) for v in catalog.variants}
    stale = [r["sku"] for r in store.query("MATCH (v:Variant) RETURN v.sku AS sku") if r["sku"] not in skus]
    upsert(DELETE_VARIANTS, stale, key="ids")
    return counts(store)


def counts(store: GraphStore) -> dict:
    result = {}
    for label in COUNT_LABELS:  # fixed names from this module, not input
        result[label] = store.query(f"MATCH (n:{label}) RETURN count(n) AS n")[0]["n"]
    result["relationships"] = store.query("MATCH ()-[r]->() RETURN count(r) AS n")[0]["n"]
    return result


def main() -> int:
    from shop.graph import from_env

    store = from_env()
    try:
        started = time.monotonic()
        result = seed(store)
        print(f"seed: {result} in {time.monotonic() - started:.1f}s")
    finally:
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
