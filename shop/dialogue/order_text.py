"""Orders, parcels and items worded for a chat window: short lines, dates the way people say them."""
from __future__ import annotations

import datetime as dt
from typing import Sequence

from shop.orders.views import ItemView, OrderSummary, OrderView
from shop.rules.policy import PAYMENT_LABELS, OrderStatus


def when(t: dt.datetime | None) -> str:
    return f"{t.month}月{t.day}日 {t:%H:%M}" if t else ""


def order_list(orders: Sequence[OrderSummary]) -> str:
    lines = [f"{i}. {o.order_no}｜{o.first_item}{'等' + str(o.item_count) + '件' if o.item_count > 1 else ''}"
             f"｜{o.status_label}｜{o.created_at.month}月{o.created_at.day}日下单"
             for i, o in enumerate(orders, start=1)]
    return "\n".join(lines)


def item_list(items: Sequence[ItemView]) -> str:
    return "\n".join(f"{i}. {it.product_name}（{it.color} {it.size}）×{it.qty}" for i, it in enumerate(items, start=1))


def items_brief(order: OrderView) -> str:
    first = order.items[0]
    more = f"等 {len(order.items)} 件商品" if len(order.items) > 1 else ""
    return f"{first.product_name}（{first.color} {first.size}）{more}"


def status(order: OrderView) -> str:
    head = f"订单 {order.order_no}：{items_brief(order)}，实付 {order.pay_amount:.2f} 元，状态「{order.status_label}」。"
    if order.status == OrderStatus.PENDING_PAYMENT:
        return head + "订单还未付款，请在订单页完成支付，超时会自动取消。"
    if order.status == OrderStatus.PAID:
        method = PAYMENT_LABELS.get(order.payment_method or "", "")
        return head + f"已于 {when(order.paid_at)} {method}付款，仓库正在备货，付款后 48 小时内发货。"
    if order.status == OrderStatus.SHIPPED:
        return head + f"已于 {when(order.shipped_at)} 发货。" + latest_event(order)
    if order.status == OrderStatus.DELIVERED:
        return head + f"已于 {when(order.delivered_at)} 签收。如有问题，签收后 7 天内可以申请无理由退换。"
    if order.status == OrderStatus.CANCELLED:
        refund = " 货款已原路退回。" if order.refunds else ""
        return head + f"订单已于 {when(order.cancelled_at)} 取消。{refund}".rstrip()
    return head + "订单已退货退款完成。"


def latest_event(order: OrderView) -> str:
    outbound = next((s for s in order.shipments if s.kind == "outbound"), None)
    if outbound is None or not outbound.events:
        return ""
    e = outbound.events[-1]
    return f"最新物流（{when(e.occurred_at)}）：{e.description}"


def tracking(order: OrderView, *, last: int = 4) -> str:
    """The outbound parcel's carrier, number and last few events, newest first."""
    outbound = next((s for s in order.shipments if s.kind == "outbound"), None)
    if outbound is None:
        if order.status in OrderStatus.BEFORE_SHIPMENT:
            return f"订单 {order.order_no} 还没有发货（{order.status_label}），发货后就能查到物流信息。"
        return f"订单 {order.order_no} 没有物流信息（{order.status_label}）。"
    lines = [f"订单 {order.order_no} 由{outbound.carrier}配送，运单号 {outbound.tracking_no}"
             + ("，已签收。" if outbound.delivered_at else "，正在运输中。")]
    for e in list(outbound.events)[-last:][::-1]:
        where = f"【{e.location}】" if e.location else ""
        lines.append(f"· {when(e.occurred_at)} {where}{e.description}")
    return "\n".join(lines)
