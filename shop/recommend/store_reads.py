"""What the recommender reads from the order store: a shopper's events, recent buyers."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shop.recommend.policy import POPULAR_WINDOW_DAYS
from shop.recommend.types import Event
from shop.rules.policy import OrderStatus
from shop.store import models as m


def shopper_exists(session: Session, shopper_id: int) -> bool:
    return session.get(m.Shopper, shopper_id) is not None


def shopper_events(session: Session, shopper_id: int, now: dt.datetime) -> list[Event]:
    """The shopper's behaviour events up to `now`, each purchase with its order's status.

    Order lines are the authoritative record of what was bought, and not every path that
    creates an order records behaviour events: order/pay events missing for an order line
    are filled in from the order, so "already bought" never depends on event logging."""
    rows = session.execute(
        select(m.BehaviourEvent.product_id, m.BehaviourEvent.kind, m.BehaviourEvent.occurred_at,
               m.BehaviourEvent.order_id, m.Order.status)
        .outerjoin(m.Order, m.Order.id == m.BehaviourEvent.order_id)
        .where(m.BehaviourEvent.shopper_id == shopper_id, m.BehaviourEvent.occurred_at <= now)
        .order_by(m.BehaviourEvent.occurred_at, m.BehaviourEvent.id)).all()
    events = [Event(pid, kind, at, status) for pid, kind, at, _order_id, status in rows]
    logged = {(pid, kind, order_id) for pid, kind, _at, order_id, _status in rows if order_id is not None}
    lines = session.execute(
        select(m.OrderItem.product_id, m.Order.id, m.Order.status, m.Order.created_at, m.Order.paid_at)
        .join(m.Order, m.Order.id == m.OrderItem.order_id)
        .where(m.Order.shopper_id == shopper_id, m.Order.created_at <= now)
        .order_by(m.Order.created_at, m.OrderItem.id)).all()
    for pid, order_id, status, created_at, paid_at in lines:
        if (pid, "order", order_id) not in logged:
            events.append(Event(pid, "order", created_at, status))
        if paid_at is not None and paid_at <= now and (pid, "pay", order_id) not in logged:
            events.append(Event(pid, "pay", paid_at, status))
    events.sort(key=lambda e: e.at)
    return events


def recent_buyers(session: Session, now: dt.datetime, days: int = POPULAR_WINDOW_DAYS) -> dict[str, int]:
    """Product id → distinct shoppers whose order of it (not cancelled) was placed in the window."""
    since = now - dt.timedelta(days=days)
    rows = session.execute(
        select(m.OrderItem.product_id, func.count(func.distinct(m.Order.shopper_id)))
        .join(m.Order, m.Order.id == m.OrderItem.order_id)
        .where(m.Order.created_at > since, m.Order.created_at <= now, m.Order.status != OrderStatus.CANCELLED)
        .group_by(m.OrderItem.product_id)).all()
    return {pid: int(n) for pid, n in rows}
