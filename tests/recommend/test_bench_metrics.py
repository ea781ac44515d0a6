"""The bench's metrics and hold-out on small cases worked out by hand."""
import datetime as dt
import math

import pytest

from bench.recommend import (
    RecentBuyers, Visit, evaluate_real, hit_at_k, hold_out, ndcg_at_k, summarize, wilson,
)
from shop.recommend.types import Event

RANKED = ["a", "b", "c", "d", "e", "f"]


def test_hit_at_5():
    assert hit_at_k(RANKED, {"c"}) == 1.0
    assert hit_at_k(RANKED, {"f"}) == 0.0          # sixth place is outside the top 5
    assert hit_at_k(RANKED, {"x", "e"}) == 1.0
    assert hit_at_k([], {"a"}) == 0.0
    with pytest.raises(ValueError):
        hit_at_k(RANKED, set())


def test_ndcg_at_5():
    assert ndcg_at_k(RANKED, {"a"}) == 1.0
    assert ndcg_at_k(RANKED, {"c"}) == pytest.approx(0.5)                       # 1/log2(4)
    assert ndcg_at_k(RANKED, {"a", "c"}) == pytest.approx(1.5 / (1 + 1 / math.log2(3)))  # 0.9197
    assert ndcg_at_k(RANKED, {"f"}) == 0.0
    # Six relevant, two found on top: DCG 1 + 1/log2 3, ideal = five hits in a row.
    ideal = sum(1 / math.log2(r + 1) for r in range(1, 6))
    assert ndcg_at_k(["a", "b", "x", "y", "z"], set("abcdef")) == pytest.approx((1 + 1 / math.log2(3)) / ideal)
    assert ndcg_at_k(["a", "a", "a"], {"a"}) == 1.0                               # no credit for repeats
    with pytest.raises(ValueError):
        ndcg_at_k(RANKED, set())


def test_summary_and_interval():
    s = summarize([(["a", "b"], {"b"}), ([], {"a"}), (["x"], {"a"}), (["a"], {"a"})])
    assert s["n"] == 4
    assert s["hit_rate@5"] == 0.5
    assert s["ndcg@5"] == pytest.approx(round((1 / math.log2(3) + 1) / 4, 4))
    assert s["coverage"] == 0.75
    assert s["hit_rate@5_when_answered"] == pytest.approx(round(2 / 3, 4))
    low, high = wilson(0, 10)
    assert low == 0.0 and 0.25 < high < 0.35
    low, high = wilson(5, 10)
    assert low < 0.5 < high and low == pytest.approx(1 - high, abs=1e-3)


T0 = dt.datetime(2025, 6, 1, 10, 0)


def at(hours):
    return T0 + dt.timedelta(hours=hours)


def test_hold_out_keeps_the_last_visit_with_a_cart_as_the_future():
    visits = [
        Visit(at(0), [Event("p1", "view", at(0.1)), Event("p1", "add_to_cart", at(0.2))]),
        Visit(at(24), [Event("p2", "view", at(24.1)), Event("p3", "view", at(24.2))]),
        Visit(at(48), [Event("p4", "view", at(48.1)), Event("p4", "add_to_cart", at(48.2)),
                       Event("p5", "view", at(48.3))]),
        Visit(at(72), [Event("p6", "view", at(72.1))]),   # view only: not a target visit
    ]
    case = hold_out(7, visits)
    assert case.targets == {"p4"}
    assert case.now < at(48)
    assert [e.product_id for e in case.history] == ["p1", "p1", "p2", "p3"]
    assert hold_out(8, visits[1:2]) is None


def test_recent_buyers_slide_over_the_window():
    day = dt.timedelta(days=1)
    buyers = RecentBuyers([(T0, 1, "a"), (T0, 1, "a"), (T0 + day, 2, "a"), (T0 + day, 2, "b"),
                           (T0 + 100 * day, 3, "b")])
    assert buyers.at(T0) == {"a": 1}
    assert buyers.at(T0 + 2 * day) == {"a": 2, "b": 1}
    assert buyers.at(T0 + 90.5 * day) == {"a": 1, "b": 1}  # shopper 1's day-0 purchases left the 90 days
    assert buyers.at(T0 + 100 * day) == {"b": 1}           # only shopper 3's, of day 100
    assert buyers.at(T0 + 200 * day) == {}


def test_real_log_evaluation_on_a_tiny_log(tmp_path):
    # user 1: browses categories 10 and 20, then carts in 10 → history hits, popularity
    # (everyone before that moment: category 30 dominates) misses.
    # user 2: only earlier events in 30, then buys in 30.
    # user 3: a cart with nothing before it → skipped.
    rows = [
        "2,900,30,pv,1000", "2,901,30,pv,1001", "2,902,30,fav,1002", "2,903,30,pv,1003",
        "1,100,10,pv,2000", "1,200,20,pv,2001", "1,101,10,pv,2002",
        "1,102,10,cart,3000", "2,904,30,buy,3001", "3,500,50,cart,500",
    ]
    log = tmp_path / "UserBehavior.csv"
    log.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = evaluate_real(log)
    assert result["evaluated_users"] == 2 and result["skipped_without_earlier_events"] == 1
    history = result["levels"]["history (recency-weighted)"]
    assert history["hit_rate@5"] == 1.0 and history["ndcg@5"] == 1.0
    popular = result["levels"]["category_popularity_baseline"]
    # Weights before user 1's cart: 30 → 5 (three views, a favourite), 10 → 2, 50 → 2
    # (user 3's cart; ties go by name), 20 → 1: user 1's target ranks 2nd, user 2's 1st.
    assert popular["hit_rate@5"] == 1.0
    assert popular["ndcg@5"] == pytest.approx(round((1 / math.log2(3) + 1) / 2, 4))
    assert evaluate_real(tmp_path / "missing.csv") is None
