"""Level 1: abandoned carts and the cart coupon, on the seeded SQLite store."""
import datetime as dt
import threading

from sqlalchemy import select

from shop.recommend import realtime, recommend
from shop.recommend.policy import (
    CART_ABANDONED_AFTER, CART_COUPON_PERIOD, CART_COUPON_SOURCE, CART_COUPON_VALID, CART_LOOKBACK,
)
from shop.rules.coupons import can_apply_coupon
from shop.store import models as m
from tests.recommend.conftest import ANCHOR, add_events, fresh_products

MINUTE = dt.timedelta(minutes=1)


def cart_coupons(sessions, shopper_id):
    with sessions() as s:
        return s.scalars(select(m.Coupon).where(m.Coupon.shopper_id == shopper_id,
                                                m.Coupon.source == CART_COUPON_SOURCE).order_by(m.Coupon.id)).all()


def test_abandoned_cart_threshold_is_respected(sessions, new_shopper, products):
    old, fresh, ordered, stale = fresh_products(sessions, new_shopper, products, 4)
    add_events(sessions, new_shopper,
               (old, "add_to_cart", ANCHOR - CART_ABANDONED_AFTER - MINUTE),
               (fresh, "add_to_cart", ANCHOR - CART_ABANDONED_AFTER + MINUTE),   # maybe still checking out
               (ordered, "add_to_cart", ANCHOR - 2 * CART_ABANDONED_AFTER),
               (ordered, "order", ANCHOR - CART_ABANDONED_AFTER),                # bought after all
               (stale, "add_to_cart", ANCHOR - CART_LOOKBACK - MINUTE))          # too old to be "real time"
    now_ids = [r.product_id for r in realtime(sessions, new_shopper, ANCHOR, issue_coupon=False)]
    assert now_ids == [old]
    # Two minutes later the second cart has crossed the threshold too (most recent first).
    later = [r.product_id for r in realtime(sessions, new_shopper, ANCHOR + 2 * MINUTE, issue_coupon=False)]
    assert later == [fresh, old]
    assert cart_coupons(sessions, new_shopper) == []  # issue_coupon=False writes nothing


def test_cart_coupon_is_a_real_row_issued_once_per_period(sessions, new_shopper, products):
    first, second, third = fresh_products(sessions, new_shopper, products, 3)
    add_events(sessions, new_shopper, (first, "add_to_cart", ANCHOR - dt.timedelta(hours=2)))

    recs = realtime(sessions, new_shopper, ANCHOR)
    assert [r.product_id for r in recs] == [first]
    offer = recs[0].coupon
    assert offer is not None and offer.newly_issued
    assert offer.code in recs[0].reason and "亲" in recs[0].reason
    rows = cart_coupons(sessions, new_shopper)
    assert len(rows) == 1
    row = rows[0]
    assert (row.code, row.amount, row.threshold) == (offer.code, offer.amount, offer.threshold)
    assert row.valid_from == ANCHOR and row.valid_until == ANCHOR + CART_COUPON_VALID
    assert row.used_order_id is None
    # The coupon pays off exactly this cart: its threshold is within the cart's price.
    assert 0 < row.amount and row.threshold <= products[first].price
    ok = can_apply_coupon("pending_payment", order_has_coupon=False, owned_by_shopper=True, already_used=False,
                          now=ANCHOR + dt.timedelta(hours=1), valid_from=row.valid_from,
                          valid_until=row.valid_until, threshold=row.threshold, items_total=products[first].price)
    assert ok.allowed
    expired = can_apply_coupon("pending_payment", order_has_coupon=False, owned_by_shopper=True,
                               already_used=False, now=row.valid_until + MINUTE, valid_from=row.valid_from,
                               valid_until=row.valid_until, threshold=row.threshold,
                               items_total=products[first].price)
    assert expired.code == "coupon_expired"

    # Asked again (by the level or by the chat's mix), and with a new cart within the
    # period: the same coupon is shown, never a second one.
    again = realtime(sessions, new_shopper, ANCHOR + MINUTE)
    assert again[0].coupon.code == offer.code and not again[0].coupon.newly_issued
    add_events(sessions, new_shopper, (second, "add_to_cart", ANCHOR + dt.timedelta(days=2)))
    mixed = recommend(sessions, new_shopper, ANCHOR + dt.timedelta(days=2, hours=1))
    assert {r.product_id for r in mixed if r.level == "realtime"} == {second, first}
    assert all(r.coupon.code == offer.code for r in mixed if r.level == "realtime")
    assert len(cart_coupons(sessions, new_shopper)) == 1

    # Once the period has passed, a new abandoned cart earns a new coupon.
    next_period = ANCHOR + CART_COUPON_PERIOD + dt.timedelta(hours=1)
    add_events(sessions, new_shopper, (third, "add_to_cart", next_period - dt.timedelta(hours=1)))
    renewed = realtime(sessions, new_shopper, next_period)
    assert renewed[0].product_id == third and renewed[0].coupon.newly_issued
    codes = [c.code for c in cart_coupons(sessions, new_shopper)]
    assert len(codes) == 2 and len(set(codes)) == 2


def test_cart_coupon_once_on_both_backends(both_backends, products):
    sessions = both_backends
    with sessions() as s, s.begin():
        shopper = m.Shopper(name="双库", phone="13900000001", created_at=ANCHOR - dt.timedelta(days=30))
        s.add(shopper)
        s.flush()
        sid = shopper.id
    (pid,) = fresh_products(sessions, sid, products, 1)
    add_events(sessions, sid, (pid, "add_to_cart", ANCHOR - dt.timedelta(hours=1)))
    first = recommend(sessions, sid, ANCHOR)
    second = realtime(sessions, sid, ANCHOR + MINUTE)
    assert first[0].product_id == pid and first[0].coupon.newly_issued
    assert second[0].coupon.code == first[0].coupon.code and not second[0].coupon.newly_issued
    assert len(cart_coupons(sessions, sid)) == 1


def test_two_requests_at_once_still_issue_one_coupon(both_backends, products):
    """The second request cannot see the first's uncommitted coupon and tries the same
    code; the UNIQUE code makes it wait, fail, and on its retry show the first's coupon."""
    sessions = both_backends
    with sessions() as s, s.begin():
        shopper = m.Shopper(name="并发", phone="13900000002", created_at=ANCHOR - dt.timedelta(days=30))
        s.add(shopper)
        s.flush()
        sid = shopper.id
    (pid,) = fresh_products(sessions, sid, products, 1)
    add_events(sessions, sid, (pid, "add_to_cart", ANCHOR - dt.timedelta(hours=1)))
    answers = {}
    with sessions() as first_session:
        first = realtime(first_session, sid, ANCHOR)  # inserted, not committed yet
        second = threading.Thread(target=lambda: answers.setdefault("second", realtime(sessions, sid, ANCHOR)))
        second.start()
        second.join(timeout=1.0)
        assert second.is_alive()  # held up by the first request's row
        first_session.commit()
    second.join(timeout=10)
    assert first[0].coupon.newly_issued
    assert answers["second"][0].coupon.code == first[0].coupon.code
    assert not answers["second"][0].coupon.newly_issued
    assert len(cart_coupons(sessions, sid)) == 1


def test_no_abandoned_cart_no_coupon(sessions, new_shopper, products):
    (pid,) = fresh_products(sessions, new_shopper, products, 1)
    add_events(sessions, new_shopper, (pid, "view", ANCHOR - dt.timedelta(hours=3)))
    assert realtime(sessions, new_shopper, ANCHOR) == []
    assert cart_coupons(sessions, new_shopper) == []


def test_a_session_passed_in_leaves_the_commit_to_the_caller(sessions, new_shopper, products):
    (pid,) = fresh_products(sessions, new_shopper, products, 1)
    add_events(sessions, new_shopper, (pid, "add_to_cart", ANCHOR - dt.timedelta(hours=1)))
    with sessions() as s:
        recs = realtime(s, new_shopper, ANCHOR)
        assert recs[0].coupon.newly_issued
        s.rollback()
    assert cart_coupons(sessions, new_shopper) == []
    with sessions() as s, s.begin():
        realtime(s, new_shopper, ANCHOR)
    assert len(cart_coupons(sessions, new_shopper)) == 1


def test_seeded_carts_follow_the_same_rule(sessions):
    """Every seeded shopper: what realtime shows is carted in the window and not ordered since."""
    with sessions() as s:
        shopper_ids = s.scalars(select(m.Shopper.id).order_by(m.Shopper.id)).all()
        events = s.execute(select(m.BehaviourEvent.shopper_id, m.BehaviourEvent.product_id, m.BehaviourEvent.kind,
                                  m.BehaviourEvent.occurred_at)).all()
    for sid in shopper_ids:
        shown = {r.product_id for r in realtime(sessions, sid, ANCHOR, k=20, issue_coupon=False)}
        mine = [e for e in events if e.shopper_id == sid]
        for pid in shown:
            carts = [e.occurred_at for e in mine if e.product_id == pid and e.kind == "add_to_cart"]
            last = max(carts)
            assert CART_ABANDONED_AFTER <= ANCHOR - last <= CART_LOOKBACK
            assert not any(e.product_id == pid and e.kind in ("order", "pay") and e.occurred_at >= last
                           for e in mine)
