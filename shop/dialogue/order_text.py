"""Orders, parcels and items worded for a chat window: short lines, dates the way people say them.

The sentences around the facts come in several wordings (shop.dialogue.phrasing); pass
the conversation's last bot text as `avoid` so a repeated question gets fresh words.
The facts themselves (order number, items, amount, status, dates, carrier, events) are
the same in every wording.
"""
from __future__ import annotations

import datetime as dt
from typing import Sequence

from shop.dialogue.phrasing import phrases
from shop.orders.views import ItemView, OrderSummary, OrderView
from shop.rules.policy import NO_REASON_DAYS, PAYMENT_LABELS, OrderStatus, ReturnStatus

SHIP_WITHIN_HOURS = 48

HEAD = phrases(
    "order.head",
    "订单 {no}：{items}，实付 {amount} 元，状态「{status}」。",
    "您的订单 {no}（{items}）实付 {amount} 元，当前状态「{status}」。",
    "查到了：订单 {no}，{items}，实付 {amount} 元，现在的状态是「{status}」。",
)
PENDING_PAYMENT = phrases(
    "order.pending_payment",
    "订单还未付款，请在订单页完成支付，超时会自动取消。",
    "这笔订单还没有付款，请您在订单页完成支付，超时未付会自动取消。",
    "目前还在等待付款，您在订单页付款即可，超时订单会自动取消。",
)
PAID = phrases(
    "order.paid",
    "已于 {when} {method}付款，仓库正在备货，付款后 {hours} 小时内发货。",
    "{when} 已{method}付款成功，仓库正在为您备货，付款后 {hours} 小时内就会发出。",
    "仓库正在备货中：{when} 已{method}付款，付款后 {hours} 小时内发货。",
)
SHIPPED = phrases(
    "order.shipped",
    "已于 {when} 发货。",
    "包裹 {when} 已经发出。",
    "{when} 已从仓库发货。",
)
DELIVERED = phrases(
    "order.delivered",
    "已于 {when} 签收。如有问题，签收后 {days} 天内可以申请无理由退换。",
    "包裹 {when} 已签收。商品有问题的话，签收后 {days} 天内都可以申请无理由退换。",
    "{when} 已经签收了。签收后 {days} 天内支持无理由退换，有问题您随时告诉我。",
)
CANCELLED = phrases(
    "order.cancelled",
    "订单已于 {when} 取消。",
    "这笔订单在 {when} 已取消。",
    "订单 {when} 已经取消了。",
)
REFUNDED_BACK = phrases(
    "order.refunded_back",
    "货款已原路退回。",
    "钱款已原路退回到您的支付账户。",
    "付款已按原路退回。",
)
RETURNED = phrases(
    "order.returned",
    "订单已退货退款完成。",
    "这笔订单的退货和退款都已办完。",
    "退货退款已全部完成。",
)
LATEST_EVENT = phrases(
    "order.latest_event",
    "最新物流（{when}）：{description}",
    "最新动态（{when}）：{description}",
    "物流最近一条（{when}）：{description}",
)
NOT_SHIPPED_YET = phrases(
    "parcel.not_shipped_yet",
    "订单 {no} 还没有发货（{status}），发货后就能查到物流信息。",
    "您的订单 {no} 目前还未发货（{status}），等发货后就可以查看物流了。",
    "订单 {no} 现在是「{status}」，还没有发出，发货后就能查到物流。",
)
NO_PARCEL = phrases(
    "parcel.none",
    "订单 {no} 没有物流信息（{status}）。",
    "订单 {no} 查不到物流信息（{status}）。",
    "订单 {no} 目前是「{status}」，没有对应的物流信息。",
)
PARCEL_DELIVERED = phrases(
    "parcel.delivered",
    "订单 {no} 由{carrier}配送，运单号 {tracking_no}，已签收。",
    "您的订单 {no} 走的是{carrier}，运单号 {tracking_no}，包裹已签收。",
    "订单 {no} 的包裹（{carrier}，运单号 {tracking_no}）已经签收。",
)
PARCEL_MOVING = phrases(
    "parcel.moving",
    "订单 {no} 由{carrier}配送，运单号 {tracking_no}，正在运输中。",
    "您的订单 {no} 走的是{carrier}，运单号 {tracking_no}，包裹正在路上。",
    "订单 {no} 的包裹（{carrier}，运单号 {tracking_no}）正在运输中。",
)


def when(t: dt.datetime | None) -> str:
    return f"{t.month}月{t.day}日 {t:%H:%M}" if t else ""


def order_list(orders: Sequence[OrderSummary], named: dict[str, str] | None = None) -> str:
    """One line per order; `named` (order number → an item's name) shows the goods the shopper spoke of
    (外套买大了) where they are not the order's first item, so the shopper can tell the order by them."""
    named = named or {}
    lines = [f"{i}. {o.order_no}｜{o.first_item}{'等' + str(o.item_count) + '件' if o.item_count > 1 else ''}"
             + (f"（含{named[o.order_no]}）" if named.get(o.order_no) and named[o.order_no] not in o.first_item else "")
             + f"｜{o.status_label}｜{o.created_at.month}月{o.created_at.day}日下单"
             for i, o in enumerate(orders, start=1)]
    return "\n".join(lines)


def item_list(items: Sequence[ItemView]) -> str:
    return "\n".join(f"{i}. {it.product_name}（{it.color} {it.size}）×{it.qty}" for i, it in enumerate(items, start=1))


def items_brief(order: OrderView) -> str:
    first = order.items[0]
    more = f"等 {len(order.items)} 件商品" if len(order.items) > 1 else ""
    return f"{first.product_name}（{first.color} {first.size}）{more}"


def after_sales(order: OrderView) -> str:
    """Where the order's return or exchange requests stand (申请退货好几天了 到底通过没有), '' when none."""
    lines = []
    for r in sorted(order.returns, key=lambda r: r.created_at, reverse=True)[:2]:
        what = "退货" if r.kind == "return" else "换货"
        line = f"{what}申请（{r.product_name}，{r.created_at.month}月{r.created_at.day}日提交）已受理，目前「{r.status_label}」"
        if r.status == ReturnStatus.REQUESTED:
            line += f"，请在 {r.send_back_by.month}月{r.send_back_by.day}日前把商品寄回，仓库收到后为您处理"
        elif r.status == ReturnStatus.RECEIVED:
            line += "，正在为您处理" + ("退款" if r.kind == "return" else "换货")
        lines.append(line + "。")
    return ("\n" + "\n".join(lines)) if lines else ""


def status(order: OrderView, *, avoid: str | None = None) -> str:
    return _status(order, avoid=avoid) + after_sales(order)


def _status(order: OrderView, *, avoid: str | None = None) -> str:
    head = HEAD.say(avoid, no=order.order_no, items=items_brief(order), amount=f"{order.pay_amount:.2f}",
                    status=order.status_label)
    if order.status == OrderStatus.PENDING_PAYMENT:
        return head + PENDING_PAYMENT.say(avoid)
    if order.status == OrderStatus.PAID:
        method = PAYMENT_LABELS.get(order.payment_method or "", "")
        return head + PAID.say(avoid, when=when(order.paid_at), method=method, hours=SHIP_WITHIN_HOURS)
    if order.status == OrderStatus.SHIPPED:
        outbound = next((x for x in order.shipments if x.kind == "outbound"), None)
        parcel = f"（{outbound.carrier}，运单号 {outbound.tracking_no}）" if outbound else ""
        return head + SHIPPED.say(avoid, when=when(order.shipped_at)) + parcel + latest_event(order, avoid=avoid)
    if order.status == OrderStatus.DELIVERED:
        return head + DELIVERED.say(avoid, when=when(order.delivered_at), days=NO_REASON_DAYS) + signed_by(order)
    if order.status == OrderStatus.CANCELLED:
        refund = " " + REFUNDED_BACK.say(avoid) if order.refunds else ""
        return head + CANCELLED.say(avoid, when=when(order.cancelled_at)) + refund
    return head + RETURNED.say(avoid)


def receiver(order: OrderView) -> str:
    """Where the order goes and to whom, as it stands now (after any change)."""
    return f"收货信息：{order.receiver_name} {order.receiver_phone}，{order.address}。"


def latest_event(order: OrderView, *, avoid: str | None = None) -> str:
    outbound = next((s for s in order.shipments if s.kind == "outbound"), None)
    if outbound is None or not outbound.events:
        return ""
    e = outbound.events[-1]
    return LATEST_EVENT.say(avoid, when=when(e.occurred_at), description=e.description)


def signed_by(order: OrderView) -> str:
    """Who or what signed for a delivered parcel, from its last tracking event (驿站代收, 本人签收): the
    answer to 显示签收了 可我没看见, '' when the parcel has no events."""
    outbound = next((s for s in order.shipments if s.kind == "outbound"), None)
    if outbound is None or not outbound.delivered_at or not outbound.events:
        return ""
    return f"\n签收记录：{outbound.events[-1].description}"


def tracking(order: OrderView, *, last: int = 4, avoid: str | None = None) -> str:
    """The outbound parcel's carrier, number and last few events, newest first."""
    outbound = next((s for s in order.shipments if s.kind == "outbound"), None)
    if outbound is None:
        situation = NOT_SHIPPED_YET if order.status in OrderStatus.BEFORE_SHIPMENT else NO_PARCEL
        return situation.say(avoid, no=order.order_no, status=order.status_label)
    header = PARCEL_DELIVERED if outbound.delivered_at else PARCEL_MOVING
    lines = [header.say(avoid, no=order.order_no, carrier=outbound.carrier, tracking_no=outbound.tracking_no)]
    for e in list(outbound.events)[-last:][::-1]:
        where = f"【{e.location}】" if e.location else ""
        lines.append(f"· {when(e.occurred_at)} {where}{e.description}")
    return "\n".join(lines)
