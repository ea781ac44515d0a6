"""The recommender's entry points over the order store.

Each takes a Session (work joins the caller's transaction, which the caller commits) or a
sessionmaker (one transaction per call, committed here), a shopper id and "now" (naive
China time, like the store; an aware datetime is converted). An unknown or malformed
shopper id gives an empty list, k is clamped to 0..MAX_K. Answers are deterministic:
the same store and the same `now` give the same list.
"""
from __future__ import annotations

import datetime as dt
from typing import Callable, TypeVar, Union

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from shop.recommend import store_reads
from shop.recommend.bestsellers import popular_picks
from shop.recommend.cart import abandoned_cart, cart_picks, cart_total
from shop.recommend.cart_coupons import issue_cart_coupon
from shop.recommend.catalog_index import ProductIndex, catalog_index
from shop.recommend.interests import history_picks
from shop.recommend.mixing import all_levels, mix, predictive_picks
from shop.recommend.policy import DEFAULT_K, MAX_K
from shop.recommend.types import CouponOffer, Event, Recommendation
from shop.store.clock import CHINA

SessionSource = Union[Session, sessionmaker]
T = TypeVar("T")


# -- input checks ----------------------------------------------------------------------
def _shopper_id(value) -> int | None:
    # bool is an int in Python; True must not mean shopper 1.
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        return None
    return value


def _k(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"k must be an int, got {type(value).__name__}")
    return max(0, min(value, MAX_K))


def _now(value) -> dt.datetime:
    if not isinstance(value, dt.datetime):
        raise TypeError(f"now must be a datetime, got {type(value).__name__}")
    if value.tzinfo is not None:
        value = value.astimezone(CHINA).replace(tzinfo=None)
    return value


def _run(source: SessionSource, work: Callable[[Session], T]) -> T:
    if isinstance(source, Session):
        result = work(source)
        source.flush()
        return result
    if isinstance(source, sessionmaker):
        try:
            with source() as session, session.begin():
                return work(session)
        except IntegrityError:
            # Only a concurrent cart-coupon issue for the same shopper gets here (the code
            # is UNIQUE); the other request's coupon is committed now, so a second attempt
            # finds and returns it instead of issuing another.
            with source() as session, session.begin():
                return work(session)
    raise TypeError("expected a SQLAlchemy Session or sessionmaker")


def _for_shopper(source: SessionSource, shopper_id, now, k,
                 work: Callable[[Session, int, dt.datetime, int, list[Event], ProductIndex], list[Recommendation]]
                 ) -> list[Recommendation]:
    shopper = _shopper_id(shopper_id)
    now, k = _now(now), _k(k)
    if shopper is None or k == 0:
        return []

    def run(session: Session) -> list[Recommendation]:
        if not store_reads.shopper_exists(session, shopper):
            return []
        return work(session, shopper, now, k, store_reads.shopper_events(session, shopper, now), catalog_index())
    return _run(source, run)


def _cart_coupon(session: Session, shopper: int, now: dt.datetime, events: list[Event], products: ProductIndex,
                 issue: bool) -> CouponOffer | None:
    items = abandoned_cart(events, now, products)
    if not items or not issue:
        return None
    return issue_cart_coupon(session, shopper, now, cart_total(items))


# -- the levels ------------------------------------------------------------------------
def realtime(source: SessionSource, shopper_id, now, k: int = DEFAULT_K, *,
             issue_coupon: bool = True) -> list[Recommendation]:
    """Abandoned-cart products, each carrying the period's cart coupon (issued on the first
    call, the same one on later calls; none when issue_coupon is False)."""
    def work(session, shopper, now, k, events, products):
        coupon = _cart_coupon(session, shopper, now, events, products, issue_coupon)
        return cart_picks(abandoned_cart(events, now, products), now, k, coupon)
    return _for_shopper(source, shopper_id, now, k, work)


def history(source: SessionSource, shopper_id, now, k: int = DEFAULT_K) -> list[Recommendation]:
    """New arrivals and related products in the shopper's strongest categories, not yet bought."""
    return _for_shopper(source, shopper_id, now, k,
                        lambda session, shopper, now, k, events, products: history_picks(events, now, k, products))


def predictive(source: SessionSource, shopper_id, now, k: int = DEFAULT_K) -> list[Recommendation]:
    """Consumables due for replenishment first, then the season's goods."""
    return _for_shopper(source, shopper_id, now, k,
                        lambda session, shopper, now, k, events, products: predictive_picks(events, now, k, products))


def popular(source: SessionSource, shopper_id, now, k: int = DEFAULT_K) -> list[Recommendation]:
    """Bestsellers of the recent window; shopper_id None = anyone (nothing excluded)."""
    if shopper_id is None:
        now, k = _now(now), _k(k)
        return _run(source, lambda session: popular_picks(store_reads.recent_buyers(session, now), now, k,
                                                          catalog_index()))

    def work(session, shopper, now, k, events, products):
        bought = {e.product_id for e in events if e.is_purchase}
        return popular_picks(store_reads.recent_buyers(session, now), now, k, products, exclude=bought)
    return _for_shopper(source, shopper_id, now, k, work)


def recommend(source: SessionSource, shopper_id, now, k: int = DEFAULT_K) -> list[Recommendation]:
    """The chat's list: every level mixed (see shop.recommend.mixing). Issues the cart coupon
    when the shopper has an abandoned cart, like `realtime`."""
    def work(session, shopper, now, k, events, products):
        coupon = _cart_coupon(session, shopper, now, events, products, True)
        levels = all_levels(events, now, k, products, store_reads.recent_buyers(session, now), coupon)
        return mix(levels, k)
    return _for_shopper(source, shopper_id, now, k, work)
