"""One query suite over both adapters: same seeded catalog, same rows."""
import pytest

from shop.graph import queries as Q
from shop.graph.seed import counts, seed

pytestmark = pytest.mark.timeout(120)


def _first(catalog, **match):
    return next(p for p in catalog.products if all(
        (v in p[k]) if isinstance(p[k], list) else p[k] == v for k, v in match.items()))


def test_seed_counts_match_catalog(store, catalog):
    c = counts(store)
    assert c["Product"] == len(catalog.products) >= 300
    assert c["Category"] == len(catalog.categories) >= 9
    assert c["Variant"] == len(catalog.variants)
    assert c["Material"] == c["CareRule"] == len(catalog.materials)
    assert c["SizeChart"] == len(catalog.size_charts)


def test_seed_is_idempotent(store, catalog):
    before = counts(store)
    assert seed(store, catalog) == before


def test_find_by_name(store, catalog):
    rows = Q.find_products(store, "羽绒服", limit=50)
    expected = sorted(p["id"] for p in catalog.products if "羽绒服" in p["name"])
    assert [r["id"] for r in rows] == expected[:50] and rows
    assert set(rows[0]) == {"id", "name", "category", "price"}


def test_find_folds_fullwidth_and_spaces(store, catalog):
    p = catalog.products[0]
    assert Q.find_products(store, f"  {p['name']}  ")[0]["id"] == p["id"]


def test_attributes(store, catalog):
    p = _first(catalog, category="apparel")
    row = Q.product_attributes(store, p["id"])
    assert row["name"] == p["name"] and row["price"] == p["price"]
    assert row["colors"] == p["colors"] and row["sizes"] == p["sizes"]
    assert row["materials"] == sorted(p["materials"])
    assert row["seasons"] == sorted(p["seasons"]) and row["scenes"] == sorted(p["scenes"])
    assert row["category_name"] == "服装"
    assert Q.product_attributes(store, "P9999") is None


def test_care_by_product(store, catalog):
    p = _first(catalog, materials="羽绒")
    rows = Q.care_for_product(store, p["id"])
    by_material = {r["material"]: r for r in rows}
    assert set(by_material) == set(p["materials"])
    down = by_material["羽绒"]
    assert down["method"] == "手洗" and down["water_temp"] == 30 and "干洗" in down["donts"]


@pytest.mark.parametrize("fn,field,value", [
    (Q.products_by_scene, "scenes", "露营"),
    (Q.products_by_profile, "profiles", "敏感肌"),
    (Q.products_by_season, "seasons", "冬"),
])
def test_facets_with_budget(store, catalog, fn, field, value):
    rows = fn(store, value, max_price=300, limit=50)
    expected = sorted(((p["price"], p["id"]) for p in catalog.products
                       if value in p[field] and p["price"] <= 300))[:50]
    assert [(r["price"], r["id"]) for r in rows] == expected and rows


def test_budget_and_category(store, catalog):
    rows = Q.products_by_budget(store, 100, min_price=50, category="food", limit=50)
    expected = sorted((p["price"], p["id"]) for p in catalog.products
                      if p["category"] == "food" and 50 <= p["price"] <= 100)
    assert [(r["price"], r["id"]) for r in rows] == expected and rows


def test_size_chart_and_advice(store, catalog):
    chart = Q.size_chart(store, "apparel")
    assert [r["size"] for r in chart] == ["S", "M", "L", "XL", "XXL"]
    coat = _first(catalog, category="apparel", sizes="XXL")
    assert Q.size_for_product(store, coat["id"], height=172, weight=65) == "L"
    assert Q.size_for_product(store, coat["id"], height=172, weight=80) == "XXL"
    assert Q.size_for_product(store, coat["id"], height=200, weight=120) is None
    shoe = _first(catalog, category="shoes", sizes="40")
    assert Q.size_for_product(store, shoe["id"], foot=248) == "40"
    assert Q.size_for_product(store, shoe["id"]) is None


def test_the_graph_keeps_variants_but_no_stock(store, catalog):
    # Stock has one source, the order store (orders and exchanges change it); the graph says
    # which colour/size combinations exist, and nothing that could go stale.
    rows = store.query("MATCH (v:Variant) RETURN v.product_id AS p, v.color AS c, v.size AS s, v.stock AS n")
    assert len(rows) == len(catalog.variants)
    assert all(r["n"] is None for r in rows)


def test_all_products_for_the_search_index(store, catalog):
    rows = Q.all_products(store)
    assert [r["id"] for r in rows] == sorted(p["id"] for p in catalog.products)
    first = next(p for p in catalog.products if p["id"] == rows[0]["id"])
    assert rows[0]["type"] == first["type"] and rows[0]["gender"] == first["gender"]
    assert rows[0]["scenes"] == sorted(first["scenes"]) and rows[0]["category_name"]


def test_names(store):
    assert {"敏感肌", "油皮", "干皮", "孕妇", "婴幼儿", "老人"} <= set(Q.names(store, "Profile"))
    assert Q.names(store, "Season") == sorted(["春", "夏", "秋", "冬"])


def test_adapters_return_the_same_rows(falkor_store, bolt_store, catalog):
    pid = catalog.products[5]["id"]
    calls = [
        lambda s: Q.find_products(s, "T恤", limit=50),
        lambda s: Q.product_attributes(s, pid),
        lambda s: Q.care_for_product(s, pid),
        lambda s: Q.products_by_scene(s, "通勤", max_price=500, limit=50),
        lambda s: Q.products_by_profile(s, "孕妇", limit=50),
        lambda s: Q.products_by_season(s, "夏", limit=50),
        lambda s: Q.products_by_budget(s, 80, limit=50),
        lambda s: Q.size_chart(s, "shoes"),
        lambda s: Q.size_for_product(s, pid, height=165, weight=55),
        lambda s: Q.all_products(s)[:20],
        lambda s: Q.names(s, "Scene"),
    ]
    for call in calls:
        assert call(falkor_store) == call(bolt_store)
