"""Level 1, real time: carts left without an order, and the coupon that nudges them.

Pure functions; the coupon row itself is written by shop.recommend.cart_coupons.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Iterable

from shop.recommend.catalog_index import ProductIndex, ProductInfo
from shop.recommend.policy import (
    CART_ABANDONED_AFTER, CART_COUPON_PERIOD, CART_COUPON_PREFIX, CART_COUPON_TIERS, CART_LOOKBACK,
)
from shop.recommend.types import PURCHASE_KINDS, CouponOffer, Event, Recommendation

EPOCH = dt.datetime(2020, 1, 6)  # a Monday; coupon periods are counted from it


@dataclass(frozen=True)
class CartItem:
    product: ProductInfo
    carted_at: dt.datetime


def abandoned_cart(events: Iterable[Event], now: dt.datetime, products: ProductIndex) -> list[CartItem]:
    """Products whose latest add-to-cart is at least CART_ABANDONED_AFTER old (and within
    CART_LOOKBACK) with no order or payment of them since. Any order counts, even one
    cancelled later: that shopper got through the checkout, the order flow talks to them."""
    last_cart: dict[str, dt.datetime] = {}
    last_order: dict[str, dt.datetime] = {}
    for e in events:
        if e.at > now or e.product_id not in products:
            continue
        if e.kind == "add_to_cart":
            last_cart[e.product_id] = max(last_cart.get(e.product_id, e.at), e.at)
        elif e.kind in PURCHASE_KINDS:
            last_order[e.product_id] = max(last_order.get(e.product_id, e.at), e.at)
    items = []
    for pid, carted_at in last_cart.items():
        age = now - carted_at
        if age < CART_ABANDONED_AFTER or age > CART_LOOKBACK:
            continue
        if pid in last_order and last_order[pid] >= carted_at:
            continue
        items.append(CartItem(products[pid], carted_at))
    # Most recent cart first: it is what the shopper was just thinking about.
    items.sort(key=lambda i: (-i.carted_at.timestamp(), i.product.id))
    return items


def cart_total(items: Iterable[CartItem]) -> Decimal:
    return sum((i.product.price for i in items), Decimal("0"))


def coupon_terms(total: Decimal) -> tuple[Decimal, Decimal, str]:
    """(threshold, amount, title) of the best tier the cart already reaches."""
    for threshold, amount in CART_COUPON_TIERS:
        if total >= threshold:
            title = f"购物车专享 满{threshold:.0f}减{amount:.0f}" if threshold else f"购物车专享 {amount:.0f}元无门槛券"
            return threshold, amount, title
    raise ValueError("CART_COUPON_TIERS must end with a zero threshold")


def coupon_code(shopper_id: int, now: dt.datetime) -> str:
    """The same code for one shopper within one fixed period. The rolling once-per-period
    rule is checked before issuing; under a race two requests may both pass it, and then
    this code's UNIQUE constraint lets only one insert through. Two coupons allowed by the
    rolling rule are always a full period apart, so they never share a code."""
    period = int((now - EPOCH) / CART_COUPON_PERIOD)
    return f"{CART_COUPON_PREFIX}{shopper_id}P{period}"


def cart_picks(items: list[CartItem], now: dt.datetime, k: int, coupon: CouponOffer | None = None) -> list[Recommendation]:
    out = []
    for item in items[:max(k, 0)]:
        p = item.product
        if coupon is not None and coupon.usable_at(now):
            until = f"{coupon.valid_until.month}月{coupon.valid_until.day}日 {coupon.valid_until:%H:%M}"
            reason = (f"亲，您加购的「{p.name}」还没下单哦～送您一张「{coupon.title}」（券码 {coupon.code}，"
                      f"{until}前有效），现在下单更划算！")
        else:
            reason = f"亲，您加购的「{p.name}」还在购物车里等您哦，需要帮您下单吗？"
        # Fresher carts first: 2.0 just past the threshold, down to 1.0 at the lookback's end.
        score = 1.0 + max(0.0, 1.0 - (now - item.carted_at) / CART_LOOKBACK)
        out.append(Recommendation(p.id, p.name, reason, round(score, 6), "realtime", coupon))
    return out
