"""Inputs, determinism and the chat's mix."""
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from shop.recommend import history, popular, predictive, realtime, recommend
from shop.recommend.policy import MAX_K
from shop.store import models as m
from tests.recommend.conftest import ANCHOR, add_events, fresh_products

LEVELS = (realtime, history, predictive, popular, recommend)


@pytest.mark.parametrize("level", LEVELS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("shopper_id", [10_000, 0, -1, True, "1", 1.0], ids=repr)
def test_unknown_or_malformed_shopper_gets_nothing(sessions, level, shopper_id):
    assert level(sessions, shopper_id, ANCHOR) == []


@pytest.mark.parametrize("level", LEVELS, ids=lambda f: f.__name__)
def test_k_is_bounded(sessions, level):
    assert level(sessions, 1, ANCHOR, k=0) == []
    assert level(sessions, 1, ANCHOR, k=-3) == []
    assert len(level(sessions, 1, ANCHOR, k=10_000)) <= MAX_K
    with pytest.raises(TypeError):
        level(sessions, 1, ANCHOR, k="5")
    with pytest.raises(TypeError):
        level(sessions, 1, ANCHOR.date())


def test_aware_now_means_the_same_moment_in_china(sessions):
    utc = ANCHOR.replace(tzinfo=ZoneInfo("Asia/Shanghai")).astimezone(dt.timezone.utc)
    assert history(sessions, 2, utc) == history(sessions, 2, ANCHOR)


def test_answers_are_deterministic(sessions):
    def key(recs):
        return [(r.product_id, r.reason, r.score, r.level) for r in recs]
    with sessions() as s:
        ids = s.scalars(select(m.Shopper.id).order_by(m.Shopper.id)).all()
    first = {sid: key(recommend(sessions, sid, ANCHOR, k=8)) for sid in ids}
    assert first == {sid: key(recommend(sessions, sid, ANCHOR, k=8)) for sid in ids}


def test_mix_puts_the_waiting_cart_first_and_never_repeats(sessions, new_shopper, products):
    cart, = fresh_products(sessions, new_shopper, products, 1, category="shoes")
    add_events(sessions, new_shopper, (cart, "view", ANCHOR - dt.timedelta(hours=3)),
               (cart, "add_to_cart", ANCHOR - dt.timedelta(hours=2)))
    recs = recommend(sessions, new_shopper, ANCHOR, k=6)
    assert len(recs) == 6
    assert recs[0].product_id == cart and recs[0].coupon is not None
    assert len({r.product_id for r in recs}) == 6
    assert {"realtime", "history", "seasonal"} <= {r.level for r in recs}


def test_a_shopper_without_history_still_gets_bestsellers_and_the_season(sessions, new_shopper):
    recs = recommend(sessions, new_shopper, ANCHOR, k=5)
    assert len(recs) == 5
    assert {r.level for r in recs} == {"seasonal", "popular"}
    assert popular(sessions, None, ANCHOR)  # anyone: the shop's bestsellers
