"""Product answers worded from the real graph (FalkorDB): resolution, attributes, care, stock, size, recommendations."""
from shop.catalog import load_catalog
from shop.dialogue import products as P
from shop.graph import queries as q

CATALOG = {p["name"]: p for p in load_catalog().products}


def pid(name):
    return CATALOG[name]["id"]


def test_a_full_name_resolves_to_that_product(falkor_store):
    r = P.resolve(falkor_store, "宽松真丝衬衫多少钱", entity="衬衫")
    assert r.kind == "one" and r.product["id"] == pid("宽松真丝衬衫")


def test_a_category_word_lists_the_options_unless_one_is_in_focus(falkor_store):
    many = P.resolve(falkor_store, "羽绒服多少钱", entity="羽绒服")
    assert many.kind == "many" and len(many.options) > 3
    assert "1. " in P.choose_list(many.options, "羽绒服") and "第几个" in P.choose_list(many.options, "羽绒服")
    focus = many.options[2]["id"]
    again = P.resolve(falkor_store, "这件羽绒服怎么洗", entity="羽绒服", focus=focus)
    assert again.kind == "one" and again.product["id"] == focus


def test_pronouns_and_list_picks(falkor_store):
    focus = pid("柔软真丝枕套")
    assert P.resolve(falkor_store, "它怎么洗", focus=focus).product["id"] == focus
    listed = [pid("宽松真丝衬衫"), pid("柔软真丝枕套"), pid("轻量不锈钢炒锅")]
    assert P.resolve(falkor_store, "第三个多少钱", listed=listed, focus=focus).product["id"] == listed[2]
    assert P.resolve(falkor_store, "第五个多少钱", listed=listed, focus=focus).product["id"] == focus
    assert P.resolve(falkor_store, "这个怎么洗").kind == "none"
    assert P.resolve(falkor_store, "看看", page_product=listed[0]).product["id"] == listed[0]


def test_unknown_and_hostile_product_names_are_answered_politely(falkor_store):
    for term in ("火箭", "' OR 1=1 //", "x" * 5000, "}) MATCH (n) DETACH DELETE n //"):
        r = P.resolve(falkor_store, f"{term}多少钱", entity=term)
        assert r.kind in ("unknown", "none")
        assert "没有找到" in P.unknown_product(r.term) or r.kind == "none"
    assert q.find_products(falkor_store, "衬衫")  # the graph is intact


def test_attributes_answer_what_was_asked(falkor_store):
    row = q.product_attributes(falkor_store, pid("轻奢纯棉圆领T恤男女同款"))
    assert "¥99" in P.describe(row, "多少钱")
    assert "纯棉" in P.describe(row, "什么面料")
    assert "适合夏季" in P.describe(row, "夏天穿可以吗") and "不太适合冬季" in P.describe(row, "冬天能穿吗")
    assert "适合敏感肌" in P.describe(row, "敏感肌能穿吗")


def test_care_by_product_and_by_material(falkor_store):
    row = q.product_attributes(falkor_store, pid("宽松真丝衬衫"))
    assert "手洗" in P.care_for_product(falkor_store, row) and "真丝" in P.care_for_product(falkor_store, row)
    assert "手洗" in P.care_for_material(falkor_store, "真丝")
    assert P.care_for_material(falkor_store, "不存在的料子") is None


def test_stock_per_color_and_size(falkor_store):
    name = "轻奢纯棉圆领T恤男女同款"
    row = q.product_attributes(falkor_store, pid(name))
    variants = {(v["color"], v["size"]): v["stock"] for v in load_catalog().variants if v["product_id"] == pid(name)}
    (c, s), n = next(((k, v) for k, v in variants.items() if int(v) > 0))
    assert "有货" in P.stock_answer(falkor_store, row, f"{c}{s}有吗")
    (c0, s0) = next(k for k, v in variants.items() if int(v) == 0)
    assert "缺货" in P.stock_answer(falkor_store, row, f"{c0}{s0}有吗")
    assert "没有粉色" in P.stock_answer(falkor_store, row, "有粉色吗")


def test_size_advice_from_the_chart(falkor_store):
    row = q.product_attributes(falkor_store, pid("轻量三合一冲锋衣"))
    assert P.size_answer(falkor_store, row, {}) is None
    assert "建议选 L" in P.size_answer(falkor_store, row, P.measures("身高172 体重65公斤"))
    assert P.measures("一米七五，140斤") == {"height": 175, "weight": 70.0}
    assert P.measures("脚长26厘米") == {"foot": 260.0}


def test_recommendations_intersect_every_facet(falkor_store):
    f = P.facets(falkor_store, "去爬山穿什么鞋好，500以内")
    assert f == {"scene": "登山", "max_price": 500.0}
    rows = P.recommend(falkor_store, f, category_term="鞋")
    assert rows and all(r["price"] <= 500 and "鞋" in r["name"] for r in rows)
    assert P.recommend(falkor_store, {"profile": "敏感肌", "max_price": 1.0}) == []


def test_a_category_word_picks_the_one_on_the_last_list(falkor_store):
    lipsticks = q.find_products(falkor_store, "口红", limit=20)
    assert len(lipsticks) > 1
    listed = [pid("宽松真丝衬衫"), lipsticks[1]["id"]]
    r = P.resolve(falkor_store, "那件口红多少钱", entity="口红", listed=listed, focus=listed[0])
    assert r.kind == "one" and r.product["id"] == lipsticks[1]["id"]
