"""order_text wordings on real orders from the seeded store: facts exact, wording fresh."""
from __future__ import annotations

import pytest

from shop.dialogue import order_text, phrasing
from shop.orders import OrderService
from shop.rules.policy import OrderStatus
from tests.store.conftest import ANCHOR, sqlite_sessions, sqlite_template  # noqa: F401  (fixture re-export)


@pytest.fixture
def orders(sqlite_sessions):
    service = OrderService(sqlite_sessions, clock=lambda: ANCHOR)
    found = {}
    for shopper in range(1, 9):
        for summary in service.recent_orders(shopper, limit=50):
            order = service.get_order(shopper, summary.order_no)
            found.setdefault(order.status, order)
            if order.shipments and order.status == OrderStatus.SHIPPED:
                found.setdefault("moving", order)
    return found


def facts_of(order) -> list[str]:
    return [order.order_no, order.status_label, f"{order.pay_amount:.2f}", order.items[0].product_name]


def test_status_always_carries_the_facts_and_changes_wording_when_asked_twice(orders):
    phrasing.seed(0)
    assert {OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.DELIVERED} <= set(orders)
    for status, order in orders.items():
        if status == "moving":
            continue
        last = None
        for _ in range(15):
            text = order_text.status(order, avoid=last)
            assert all(f in text for f in facts_of(order)), text
            assert text != last
            last = text
        if status == OrderStatus.PAID:
            assert "48 小时" in last
        if status == OrderStatus.DELIVERED:
            assert "7 天" in last and "无理由退换" in last
        if status == OrderStatus.SHIPPED:
            assert order_text.when(order.shipped_at) in last


def test_tracking_keeps_carrier_number_and_events(orders):
    order = orders["moving"]
    parcel = next(s for s in order.shipments if s.kind == "outbound")
    last = None
    for _ in range(10):
        text = order_text.tracking(order, avoid=last)
        assert order.order_no in text and parcel.carrier in text and parcel.tracking_no in text
        assert parcel.events[-1].description in text and text != last
        last = text


def test_the_list_formats_stay_as_they_were(orders):
    order = orders[OrderStatus.PAID]
    assert order_text.item_list(order.items).startswith(f"1. {order.items[0].product_name}（")
