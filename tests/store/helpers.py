"""Finding seeded orders by what they are, not by hard-coded numbers."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from shop.rules.returns import no_reason_exclusion
from shop.store import models as m


def orders(sessions, predicate=lambda o: True) -> list[m.Order]:
    with sessions() as s:
        rows = s.scalars(select(m.Order).order_by(m.Order.id).options(
            selectinload(m.Order.items), selectinload(m.Order.shipments).selectinload(m.Shipment.events),
            selectinload(m.Order.return_requests), selectinload(m.Order.refunds), selectinload(m.Order.invoice),
            selectinload(m.Order.coupon))).all()
        return [o for o in rows if predicate(o)]


def one(sessions, predicate) -> m.Order:
    found = orders(sessions, predicate)
    assert found, "the seed has no such order"
    return found[0]


def returnable(o: m.Order, now: dt.datetime) -> bool:
    return (o.status == "delivered" and not o.return_requests and len(o.items) == 1
            and now - o.delivered_at < dt.timedelta(days=5)
            and no_reason_exclusion(o.items[0].category, o.items[0].product_name, opened=False) is None)


def count(sessions, model, *where) -> int:
    with sessions() as s:
        query = select(func.count()).select_from(model)
        return s.scalar(query.where(*where) if where else query)


def stock(sessions, product_id, color, size) -> int:
    with sessions() as s:
        return s.get(m.VariantStock, (product_id, color, size)).stock
