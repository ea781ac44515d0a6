"""Plain read-only views the service hands out (no ORM objects leave a transaction)."""
from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any, Mapping

from shop.rules.formats import mask_phone
from shop.rules.policy import OrderStatus, RefundStatus, ReturnReason, ReturnStatus
from shop.store import models as m


@dataclass(frozen=True)
class Outcome:
    """Result of a change: ok or refused, a stable code, the Chinese sentence, and data."""
    ok: bool
    code: str
    reason: str
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ShopperView:
    id: int
    name: str
    masked_phone: str


@dataclass(frozen=True)
class CouponView:
    """One of the shopper's own coupons: amount and threshold in 元 (threshold 0 = 无门槛)."""
    code: str
    title: str
    amount: Decimal
    threshold: Decimal
    valid_until: dt.datetime


@dataclass(frozen=True)
class ItemView:
    id: int
    product_id: str
    product_name: str
    category: str
    color: str
    size: str
    qty: int
    unit_price: Decimal


@dataclass(frozen=True)
class TrackingEventView:
    occurred_at: dt.datetime
    status: str
    location: str
    description: str


@dataclass(frozen=True)
class ShipmentView:
    kind: str
    carrier: str
    tracking_no: str
    shipped_at: dt.datetime
    delivered_at: dt.datetime | None
    events: tuple[TrackingEventView, ...]  # oldest first

    @property
    def last_update_at(self) -> dt.datetime | None:
        return self.events[-1].occurred_at if self.events else None


@dataclass(frozen=True)
class ReturnView:
    id: int
    kind: str
    reason: str
    reason_label: str
    item_id: int
    product_name: str
    qty: int
    target_color: str | None
    target_size: str | None
    status: str
    status_label: str
    send_back_by: dt.date
    created_at: dt.datetime
    received_at: dt.datetime | None


@dataclass(frozen=True)
class RefundView:
    id: int
    cause: str
    amount: Decimal
    payment_method: str
    status: str
    status_label: str
    expected_by: dt.date
    return_request_id: int | None


@dataclass(frozen=True)
class OrderSummary:
    order_no: str
    status: str
    status_label: str
    created_at: dt.datetime
    pay_amount: Decimal
    first_item: str
    item_count: int


@dataclass(frozen=True)
class OrderView:
    order_no: str
    status: str
    status_label: str
    payment_method: str | None
    items_total: Decimal
    shipping_fee: Decimal
    discount: Decimal
    pay_amount: Decimal
    receiver_name: str
    receiver_phone_masked: str
    address: str
    created_at: dt.datetime
    paid_at: dt.datetime | None
    shipped_at: dt.datetime | None
    delivered_at: dt.datetime | None
    cancelled_at: dt.datetime | None
    items: tuple[ItemView, ...]
    shipments: tuple[ShipmentView, ...]
    returns: tuple[ReturnView, ...]
    refunds: tuple[RefundView, ...]
    coupon_code: str | None
    has_invoice: bool
    receiver_phone: str = ""   # in full, for the shopper who proved who they are (checking a change they made)

    def as_dict(self) -> dict:
        return asdict(self)


def shopper_view(s: m.Shopper) -> ShopperView:
    return ShopperView(s.id, s.name, mask_phone(s.phone))


def item_view(i: m.OrderItem) -> ItemView:
    return ItemView(i.id, i.product_id, i.product_name, i.category, i.color, i.size, i.qty, i.unit_price)


def shipment_view(sh: m.Shipment) -> ShipmentView:
    return ShipmentView(sh.kind, sh.carrier, sh.tracking_no, sh.shipped_at, sh.delivered_at,
                        tuple(TrackingEventView(e.occurred_at, e.status, e.location, e.description)
                              for e in sorted(sh.events, key=lambda e: e.occurred_at)))


def return_view(r: m.ReturnRequest) -> ReturnView:
    return ReturnView(r.id, r.kind, r.reason, ReturnReason.LABELS[r.reason], r.order_item_id, r.item.product_name,
                      r.qty, r.target_color, r.target_size, r.status, ReturnStatus.LABELS[r.status],
                      r.send_back_by, r.created_at, r.received_at)


def refund_view(r: m.Refund) -> RefundView:
    return RefundView(r.id, r.cause, r.amount, r.payment_method, r.status, RefundStatus.LABELS[r.status],
                      r.expected_by, r.return_request_id)


def order_summary(o: m.Order) -> OrderSummary:
    first = o.items[0]
    return OrderSummary(o.order_no, o.status, OrderStatus.LABELS[o.status], o.created_at, o.pay_amount,
                        f"{first.product_name}（{first.color} {first.size}）", len(o.items))


def order_view(o: m.Order) -> OrderView:
    return OrderView(
        order_no=o.order_no, status=o.status, status_label=OrderStatus.LABELS[o.status],
        payment_method=o.payment_method, items_total=o.items_total, shipping_fee=o.shipping_fee,
        discount=o.discount, pay_amount=o.pay_amount, receiver_name=o.receiver_name,
        receiver_phone_masked=mask_phone(o.receiver_phone),
        address=f"{o.province}{o.city if o.city != o.province else ''}{o.district}{o.address_detail}",
        created_at=o.created_at, paid_at=o.paid_at, shipped_at=o.shipped_at, delivered_at=o.delivered_at,
        cancelled_at=o.cancelled_at, items=tuple(item_view(i) for i in o.items),
        shipments=tuple(shipment_view(s) for s in o.shipments),
        returns=tuple(return_view(r) for r in o.return_requests),
        refunds=tuple(refund_view(r) for r in o.refunds),
        coupon_code=o.coupon.code if o.coupon else None, has_invoice=o.invoice is not None,
        receiver_phone=o.receiver_phone,
    )
