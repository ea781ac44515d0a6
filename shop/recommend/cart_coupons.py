"""The cart-reminder coupon as a real Coupon row: at most one per shopper per period."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from shop.recommend.cart import coupon_code, coupon_terms
from shop.recommend.policy import CART_COUPON_PERIOD, CART_COUPON_SOURCE, CART_COUPON_VALID
from shop.recommend.types import CouponOffer
from shop.store import models as m


def _offer(coupon: m.Coupon, newly_issued: bool) -> CouponOffer:
    return CouponOffer(code=coupon.code, title=coupon.title, amount=coupon.amount, threshold=coupon.threshold,
                       valid_from=coupon.valid_from, valid_until=coupon.valid_until, newly_issued=newly_issued,
                       used=coupon.used_order_id is not None)


def period_coupon(session: Session, shopper_id: int, now: dt.datetime) -> m.Coupon | None:
    """The cart coupon given to this shopper within the period around `now`, if any.
    Later ones count too: a clock set back must not open a second period."""
    return session.scalars(
        select(m.Coupon).where(m.Coupon.shopper_id == shopper_id, m.Coupon.source == CART_COUPON_SOURCE,
                               m.Coupon.valid_from > now - CART_COUPON_PERIOD)
        .order_by(m.Coupon.valid_from.desc(), m.Coupon.id.desc())).first()


def issue_cart_coupon(session: Session, shopper_id: int, now: dt.datetime, cart_total: Decimal) -> CouponOffer:
    """The period's coupon: the one already given (newly_issued False), or a new row.

    Inside the caller's transaction; a concurrent issue for the same shopper surfaces as
    an IntegrityError on the code (see cart.coupon_code), never as a second coupon."""
    given = period_coupon(session, shopper_id, now)
    if given is not None:
        return _offer(given, newly_issued=False)
    threshold, amount, title = coupon_terms(cart_total)
    coupon = m.Coupon(code=coupon_code(shopper_id, now), shopper_id=shopper_id, title=title, amount=amount,
                      threshold=threshold, valid_from=now, valid_until=now + CART_COUPON_VALID,
                      source=CART_COUPON_SOURCE)
    session.add(coupon)
    session.flush()
    return _offer(coupon, newly_issued=True)
