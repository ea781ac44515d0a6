"""Orders named by their goods (shop/dialogue/order_words.py), over the seeded demo shopper's orders."""
import pytest

from shop.dialogue.order_words import orders_named
from shop.orders import OrderService
from tests.store.conftest import ANCHOR, sqlite_sessions, sqlite_template  # noqa: F401  (fixtures)


@pytest.fixture
def orders(sqlite_sessions):
    return OrderService(sqlite_sessions, clock=lambda: ANCHOR).orders(1)


def _with(orders, kind_word):
    return [o.order_no for o in orders if any(kind_word in i.product_name for i in o.items)]


def test_the_goods_name_the_order(orders):
    lipstick = _with(orders, "口红")
    assert len(lipstick) == 1
    assert orders_named(orders, "我那支口红到哪了", "track") == lipstick


def test_the_task_chooses_between_orders_with_the_same_kind(orders):
    both = [o for o in orders if any("围兜" in i.product_name for i in o.items)]
    if len(both) < 2:
        pytest.skip("the seed has one order with a 围兜")
    named = orders_named(orders, "围兜那单能退吗", "return")
    assert len(named) >= 1 and all(o.status == "delivered" for o in orders if o.order_no in named)


def test_words_that_name_no_goods_name_no_order(orders):
    assert orders_named(orders, "我的快递到哪了", "track") == []
    assert orders_named(orders, "帮我看看订单", "status") == []


def test_goods_not_ordered_name_no_order(orders):
    assert orders_named(orders, "我买的冲锋衣到哪了", "track") == []


def test_goods_called_by_the_word_in_their_name_come_before_others_of_the_broader_kind():
    # a2-021 (tuning half): 外套买大了 能换小一号吗 — the 城市抓绒保暖外套, not the 针织开衫 (also a 外套)
    from types import SimpleNamespace as NS
    from shop.dialogue.order_words import orders_named
    from shop.rules.policy import OrderStatus
    from shop.catalog import load_catalog
    pid = {p["name"]: p["id"] for p in load_catalog().products}
    cardigan = NS(order_no="A", status=OrderStatus.DELIVERED, address="", created_at=None,
                  items=[NS(product_id=pid["复古羊毛针织开衫女款"], product_name="复古羊毛针织开衫女款")])
    fleece = NS(order_no="B", status=OrderStatus.SHIPPED, address="", created_at=None,
                items=[NS(product_id=pid["城市抓绒保暖外套"], product_name="城市抓绒保暖外套")])
    assert orders_named([cardigan, fleece], "外套买大了 能换小一号吗", "exchange") == ["B"]
    assert orders_named([cardigan, fleece], "开衫买大了 能换小一号吗", "exchange") == ["A"]
