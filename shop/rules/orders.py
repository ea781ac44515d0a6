"""What may be done to an order before it ships: cancel and modify."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from shop.rules.decision import Decision, allow, refuse
from shop.rules.policy import MAX_QUANTITY, PAYMENT_LABELS, REFUND_DAYS, OrderStatus, days
from shop.rules.returns import arrival

_AFTER_SHIPMENT_HINT = {
    OrderStatus.SHIPPED: "订单已发货，包裹正在运输中",
    OrderStatus.DELIVERED: "订单已签收",
    OrderStatus.CANCELLED: "订单已取消",
    OrderStatus.REFUNDED: "订单已退款关闭",
}

MODIFIABLE_FIELDS = {"address": "收货地址", "phone": "收货手机号", "variant": "商品颜色/尺码", "quantity": "购买数量"}


def can_cancel(status: str, *, now: dt.datetime | None = None, payment_method: str | None = None,
               amount: Decimal | None = None) -> Decision:
    """Cancel only before shipment; a paid order is refunded in full to the original method."""
    if status == OrderStatus.PENDING_PAYMENT:
        return allow("cancel_unpaid", "订单尚未付款，可以直接取消，无需退款。", refund=False)
    if status == OrderStatus.PAID:
        method = PAYMENT_LABELS.get(payment_method or "", "原支付账户")
        details = {"refund": True}
        reason = f"订单还未发货，可以取消，货款将原路退回{method}"
        if now is not None:
            expected = (now + days(REFUND_DAYS.get(payment_method or "", 5))).date()
            details["refund_expected_by"] = expected
            details["refund_arrival"] = arrival(payment_method, expected)
            reason += f"，{details['refund_arrival']}"
        if amount is not None:
            details["refund_amount"] = amount
        return allow("cancel_paid", reason + "。", **details)
    if status == OrderStatus.SHIPPED:
        return refuse("cancel_shipped", "订单已发货，无法取消。您可以拒收包裹，或签收后 7 天内申请无理由退货。")
    if status == OrderStatus.DELIVERED:
        return refuse("cancel_delivered", "订单已签收，无法取消。如需退货，可以申请售后。")
    if status == OrderStatus.CANCELLED:
        return refuse("cancel_already", "这个订单已经取消了，无需重复操作。")
    return refuse("cancel_closed", "这个订单已退款关闭，无法取消。")


def can_modify(status: str, field: str) -> Decision:
    """Address, phone, variant and quantity may change only while the order is not shipped."""
    if field not in MODIFIABLE_FIELDS:
        raise ValueError(f"unknown order field {field!r}")
    label = MODIFIABLE_FIELDS[field]
    if status in OrderStatus.BEFORE_SHIPMENT:
        return allow("modify_ok", f"订单尚未发货，可以修改{label}。")
    hint = _AFTER_SHIPMENT_HINT.get(status, "订单状态不允许修改")
    if status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED):
        return refuse("modify_shipped", f"{hint}，{label}已无法修改。"
                      + ("您可以联系快递改派，或签收后申请换货。" if field in ("address", "phone")
                         else "签收后可以申请换货或退货。"))
    return refuse("modify_closed", f"{hint}，无法修改{label}。")


def can_change_variant(status: str, *, same_product: bool, target_exists: bool, target_stock: int,
                       current_color: str, current_size: str, color: str, size: str) -> Decision:
    """Swap colour/size of an item before shipment; the new variant must exist and be in stock."""
    base = can_modify(status, "variant")
    if not base.allowed:
        return base
    if not same_product:
        return refuse("variant_other_product", "只能更换同一商品的颜色或尺码；如需其他商品，请取消后重新下单。")
    if (color, size) == (current_color, current_size):
        return refuse("variant_same", f"您的订单已经是{color} {size}，无需修改。")
    if not target_exists:
        return refuse("variant_unknown", f"这款商品没有{color} {size}这个规格，请重新选择颜色或尺码。")
    if target_stock <= 0:
        return refuse("variant_no_stock", f"{color} {size}暂时缺货，无法更换，可以选择其他规格。")
    return allow("variant_ok", f"可以把商品改为{color} {size}。")


def can_change_quantity(status: str, *, current_qty: int, new_qty: int, stock: int) -> Decision:
    """Quantity may change before shipment. After payment only a decrease is possible:
    an increase would need a second payment, which the shop does not take on an existing order."""
    base = can_modify(status, "quantity")
    if not base.allowed:
        return base
    if new_qty < 1:
        return refuse("quantity_too_small", "数量至少为 1 件；如果不想要了，可以申请取消订单。")
    if new_qty > MAX_QUANTITY:
        return refuse("quantity_too_large", f"单个商品最多购买 {MAX_QUANTITY} 件。")
    if new_qty == current_qty:
        return refuse("quantity_same", f"订单中已经是 {current_qty} 件，无需修改。")
    if new_qty > current_qty:
        if status == OrderStatus.PAID:
            return refuse("quantity_increase_paid", "订单已付款，无法增加数量，您可以再下一单购买。")
        if new_qty - current_qty > stock:
            return refuse("quantity_no_stock", f"库存不足，最多还能增加 {stock} 件。")
    if status == OrderStatus.PAID:
        return allow("quantity_decrease_paid", f"可以把数量改为 {new_qty} 件，多付的货款将原路退回。", refund=True)
    return allow("quantity_ok", f"可以把数量改为 {new_qty} 件，订单金额会同步调整。", refund=False)
