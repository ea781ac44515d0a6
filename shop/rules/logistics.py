"""Delayed parcels: shipped but silent for days, or paid but not shipped in time."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from shop.rules.decision import Decision, allow, refuse
from shop.rules.policy import DELAY_COMPENSATION, DELAY_DAYS, OrderStatus

# The shop promises to ship within 48 hours of payment.
SHIP_PROMISE_HOURS = 48


def compensation_for(days_silent: int) -> Decimal:
    """The coupon for a late parcel: the highest tier reached, at least the smallest one
    (a caller may detect delays earlier than DELAY_DAYS)."""
    for min_days, amount in DELAY_COMPENSATION:
        if days_silent >= min_days:
            return amount
    return DELAY_COMPENSATION[-1][1]


def detect_delay(status: str, *, now: dt.datetime, last_update_at: dt.datetime | None = None,
                 paid_at: dt.datetime | None = None, delay_days: int = DELAY_DAYS) -> Decision:
    """allowed=True means the parcel is late and compensation (details['compensation']) is offered."""
    if status == OrderStatus.SHIPPED and last_update_at is not None:
        silent = now - last_update_at
        if silent >= dt.timedelta(days=delay_days):
            n = silent.days
            amount = compensation_for(n)
            return allow("parcel_delayed", f"非常抱歉，您的包裹已经 {n} 天没有物流更新了，我们已催促快递公司核查。"
                         f"为表歉意，送您一张 {amount:.0f} 元无门槛优惠券，需要为您发放吗？",
                         days_silent=n, compensation=amount)
        return refuse("parcel_moving", "包裹正在正常运输中，物流信息有更新。")
    if status == OrderStatus.PAID and paid_at is not None:
        waited = now - paid_at
        if waited >= dt.timedelta(hours=SHIP_PROMISE_HOURS):
            n = max(waited.days, 2)
            amount = compensation_for(n)
            return allow("shipment_late", f"非常抱歉，您的订单付款已超过 {SHIP_PROMISE_HOURS} 小时仍未发货，"
                         f"我们已催促仓库尽快发出。为表歉意，送您一张 {amount:.0f} 元无门槛优惠券，需要为您发放吗？",
                         days_silent=waited.days, compensation=amount)
        return refuse("awaiting_shipment", f"订单已付款，会在付款后 {SHIP_PROMISE_HOURS} 小时内发货。")
    return refuse("not_in_transit", "这个订单不在配送中。")


def compensation_rule() -> str:
    """The delay compensation as the rules set it (DELAY_COMPENSATION), in a sentence: from how many days
    without a logistics update which coupon, once per order."""
    steps = "，".join(f"{days} 天起 {amount:.0f} 元" for days, amount in sorted(DELAY_COMPENSATION))
    return (f"亲，理解您等得着急。物流延误的补偿按包裹没有更新的天数发放无门槛优惠券：{steps}，每个订单补偿一次。"
            "包裹有任何进展我们都会通知您；想和人工客服说，回复「转人工」。")
