"""Product actions on tracker fixtures, over the real graph: focus, lists, pending questions."""
import pytest

from actions import services
from actions.products import ActionCareMethod, ActionInform, ActionProductPrice, ActionRecommend, ActionSizeAdvice, \
    ActionStock
from shop.catalog import load_catalog
from tests.dialogue.conftest import run, tracker
from tests.graph.conftest import catalog, falkor_server, falkor_store  # noqa: F401  (fixtures)

IDS = {p["name"]: p["id"] for p in load_catalog().products}


@pytest.fixture
def graph(falkor_store, monkeypatch):  # noqa: F811
    monkeypatch.setattr(services, "graph_store", lambda: falkor_store)
    return falkor_store


def slots_of(events):
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def test_naming_a_product_puts_it_in_focus(graph):
    out, events = run(ActionProductPrice(), tracker("s", "宽松真丝衬衫多少钱", "ask_price_promotion"))
    assert "¥549" in out[0] and slots_of(events)["product_in_focus"] == IDS["宽松真丝衬衫"]


def test_it_resolves_to_the_focus(graph):
    out, _ = run(ActionCareMethod(), tracker("s", "它怎么洗", "ask_care_method",
                                             slots={"product_in_focus": IDS["宽松真丝衬衫"]}))
    assert "宽松真丝衬衫" in out[0] and "手洗" in out[0]


def test_nothing_in_focus_asks_which_and_answers_after_the_pick(graph):
    out, events = run(ActionCareMethod(), tracker("s", "这个怎么洗", "ask_care_method"))
    assert "哪款商品" in out[0]
    pending = slots_of(events)["pending_question"]
    out, events = run(ActionInform(), tracker("s", "柔软真丝枕套", "inform", slots={"pending_question": pending}))
    assert "柔软真丝枕套" in out[0] and "手洗" in out[0]
    assert slots_of(events)["product_in_focus"] == IDS["柔软真丝枕套"] and slots_of(events)["pending_question"] is None


def test_material_question_without_product(graph):
    out, _ = run(ActionCareMethod(), tracker("s", "真丝的衣服能机洗吗", "ask_care_method", entities={"material": "真丝"}))
    assert "【真丝】" in out[0] and "不要：机洗" in out[0]


def test_recommendation_list_then_second_item(graph):
    out, events = run(ActionRecommend(), tracker("s", "去爬山穿什么鞋好", "ask_recommendation",
                                                  entities={"scene": "爬山", "product": "鞋"}))
    listed = slots_of(events)["listed_products"]
    assert len(listed) >= 2 and slots_of(events)["product_in_focus"] == listed[0]
    out, events = run(ActionStock(), tracker("s", "第二个有42码吗", "ask_stock",
                                             slots={"listed_products": listed, "product_in_focus": listed[0]}))
    assert slots_of(events)["product_in_focus"] == listed[1] and "42" in out[0]


def test_size_advice_asks_for_measures_then_answers(graph):
    focus = IDS["防风速干运动T恤男款"]
    out, events = run(ActionSizeAdvice(), tracker("s", "穿什么码", "ask_size_advice", slots={"product_in_focus": focus}))
    assert "身高和体重" in out[0]
    out, events = run(ActionInform(), tracker("s", "身高180 体重80kg", "inform", slots={
        "product_in_focus": focus, "pending_question": slots_of(events)["pending_question"]}))
    assert "建议选" in out[0] and slots_of(events)["height"] == "180"


def test_graph_down_is_a_polite_answer(monkeypatch):
    from shop.graph import GraphError

    def broken():
        raise GraphError("connection refused")
    monkeypatch.setattr(services, "graph_store", broken)
    out, events = run(ActionProductPrice(), tracker("s", "宽松真丝衬衫多少钱", "ask_price_promotion"))
    assert "暂时查询不到" in out[0] and events == []


@pytest.mark.parametrize("text,expected", [
    ("宽松真丝衬衫能机洗吗", "action_care_method"), ("175 70公斤穿它什么码", "action_size_advice"),
    ("它有黑色L码吗", "action_stock"), ("这双有38码吗", "action_stock"), ("还有现货吗", "action_stock"),
    ("宽松真丝衬衫现在卖多少", "action_product_price"), ("它有哪些颜色", "action_product_info"),
    ("它适合夏天穿吗", "action_product_info"), ("随便聊聊", "action_recommend"),
])
def test_route_by_what_the_question_asks(text, expected):
    from actions.products import route
    assert route(text, "action_recommend") == expected


def test_a_question_about_a_named_product_is_not_a_recommendation_request(graph):
    out, events = run(ActionRecommend(), tracker("s", "宽松真丝衬衫适合上班族吗", "ask_recommendation"))
    assert "适合上班族" in out[0] and slots_of(events)["product_in_focus"] == IDS["宽松真丝衬衫"]


def test_recommendations_without_facets_use_the_shopper_history(graph, service):
    out, events = run(ActionRecommend(), tracker("demo", "有什么推荐的吗", "ask_recommendation"))
    assert "为您挑了" in out[0] and len(slots_of(events)["listed_products"]) >= 1
    out, _ = run(ActionRecommend(), tracker("nobody", "有什么推荐的吗", "ask_recommendation"))
    assert "为您挑了" in out[0]
