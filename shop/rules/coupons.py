"""Coupons: one per order, the shopper's own, unused, valid and above its threshold."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from shop.rules.decision import Decision, allow, refuse
from shop.rules.policy import OrderStatus


def can_apply_coupon(order_status: str, *, order_has_coupon: bool, owned_by_shopper: bool,
                     already_used: bool, now: dt.datetime, valid_from: dt.datetime,
                     valid_until: dt.datetime, threshold: Decimal, items_total: Decimal) -> Decision:
    if not owned_by_shopper:
        # Same words as for an unknown code: a coupon code of someone else's is not confirmed.
        return refuse("coupon_unknown", "没有找到这张优惠券，请核对券码。")
    if order_status != OrderStatus.PENDING_PAYMENT:
        return refuse("coupon_order_paid", "优惠券只能在付款前使用，这个订单已无法再用券。")
    if order_has_coupon:
        return refuse("coupon_one_per_order", "每个订单只能使用一张优惠券，这个订单已经用过券了。")
    if already_used:
        return refuse("coupon_used", "这张优惠券已经使用过了。")
    if now < valid_from:
        return refuse("coupon_not_started", f"这张优惠券 {valid_from:%Y年%m月%d日} 起才能使用。")
    if now > valid_until:
        return refuse("coupon_expired", f"这张优惠券已于 {valid_until:%Y年%m月%d日} 过期。")
    if items_total < threshold:
        return refuse("coupon_threshold", f"订单商品金额 {items_total:.2f} 元，未满 {threshold:.2f} 元，"
                      f"还差 {threshold - items_total:.2f} 元才能使用这张券。")
    return allow("coupon_ok", "可以使用这张优惠券。")


def coupon_discount(amount: Decimal, items_total: Decimal) -> Decimal:
    """A coupon never makes an order cheaper than free."""
    return min(amount, items_total)
