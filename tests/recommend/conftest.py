"""Recommender fixtures: the order store's seeded SQLite template (tests/store), one copy
per test, and helpers to write what a scenario needs as real rows."""
from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from sqlalchemy import select

from shop.recommend.catalog_index import catalog_index
from shop.store import models as m
from shop.store.session import make_engine, session_factory
# ANCHOR is re-exported; the fixtures are the order store's own (store_url: SQLite and PostgreSQL).
from tests.store.conftest import ANCHOR, pg_template, postgres, sqlite_sessions, sqlite_template, store_url  # noqa: F401

_order_numbers = itertools.count(1)


@pytest.fixture
def sessions(sqlite_sessions):
    return sqlite_sessions


@pytest.fixture
def both_backends(store_url):  # noqa: F811
    """The seeded store on SQLite and on PostgreSQL (skipped without PostgreSQL binaries)."""
    engine = make_engine(store_url)
    yield session_factory(engine)
    engine.dispose()


@pytest.fixture
def products():
    return catalog_index()


@pytest.fixture
def new_shopper(sessions):
    """A shopper with no events or orders yet, so a test controls all of their history."""
    with sessions() as s, s.begin():
        shopper = m.Shopper(name="测试", phone="13900000000", created_at=ANCHOR - dt.timedelta(days=400))
        s.add(shopper)
        s.flush()
        return shopper.id


def add_events(sessions, shopper_id: int, *events: tuple[str, str, dt.datetime]) -> None:
    """(product_id, kind, when) rows in behaviour_events."""
    with sessions() as s, s.begin():
        for product_id, kind, at in events:
            s.add(m.BehaviourEvent(shopper_id=shopper_id, product_id=product_id, kind=kind, occurred_at=at))


def add_order(sessions, shopper_id: int, product_ids, *, created_at: dt.datetime, paid: bool = True,
              status: str = "delivered") -> int:
    """A real order with its lines (no behaviour events: the order alone must count as bought)."""
    catalog = catalog_index()
    with sessions() as s, s.begin():
        shopper = s.get(m.Shopper, shopper_id)
        total = sum((catalog[p].price for p in product_ids), Decimal("0"))
        order = m.Order(order_no=f"T{next(_order_numbers):011d}", shopper_id=shopper_id,
                        status=status, payment_method="alipay" if paid else None, items_total=total,
                        shipping_fee=Decimal("0"), discount=Decimal("0"), pay_amount=total,
                        receiver_name=shopper.name, receiver_phone=shopper.phone, province="浙江省", city="杭州市",
                        district="西湖区", address_detail="文三路 1 号", created_at=created_at,
                        paid_at=created_at + dt.timedelta(minutes=5) if paid else None, updated_at=created_at)
        for pid in product_ids:
            p = catalog[pid]
            order.items.append(m.OrderItem(product_id=pid, product_name=p.name, category=p.category, color="默认",
                                           size="默认", qty=1, unit_price=p.price))
        s.add(order)
        s.flush()
        return order.id


def product_ids_of(sessions, shopper_id: int) -> set[str]:
    """Every product the shopper has any event or order line for."""
    with sessions() as s:
        seen = set(s.scalars(select(m.BehaviourEvent.product_id).where(m.BehaviourEvent.shopper_id == shopper_id)))
        seen |= set(s.scalars(select(m.OrderItem.product_id).join(m.Order).where(m.Order.shopper_id == shopper_id)))
        return seen


def fresh_products(sessions, shopper_id: int, products, n: int, *, category: str | None = None) -> list[str]:
    """n on-sale products the shopper never touched (optionally of one category), by id."""
    touched = product_ids_of(sessions, shopper_id)
    found = [p.id for p in products if p.id not in touched and p.launch <= ANCHOR.date()
             and (category is None or p.category == category)]
    assert len(found) >= n, "the catalog has too few such products"
    return found[:n]
