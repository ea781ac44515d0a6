"""Level 3: the season's goods, and consumables due again by their cycle."""
import datetime as dt

import pytest

from shop.recommend import predictive
from shop.recommend.policy import REPLENISH_FROM
from shop.recommend.seasons import season_of, seasons_in_view
from tests.recommend.conftest import add_order, fresh_products

WINTER = dt.datetime(2026, 1, 10, 10, 0)
SUMMER = dt.datetime(2026, 7, 10, 10, 0)


def test_season_of_follows_chinese_months():
    assert [season_of(dt.date(2026, m, 1)) for m in (1, 3, 6, 9, 12)] == ["冬", "春", "夏", "秋", "冬"]
    assert seasons_in_view(dt.date(2025, 11, 24)) == {"秋": 1.0, "冬": pytest.approx(0.8)}  # stocking up
    assert seasons_in_view(dt.date(2025, 10, 1)) == {"秋": 1.0}


def test_winter_and_summer_get_their_own_goods(sessions, new_shopper, products):
    winter = predictive(sessions, new_shopper, WINTER, k=10)
    summer = predictive(sessions, new_shopper, SUMMER, k=10)
    assert len(winter) == len(summer) == 10
    assert all(r.level == "seasonal" for r in winter + summer)
    assert all("冬" in products[r.product_id].seasons for r in winter)
    assert all("夏" in products[r.product_id].seasons for r in summer)
    assert not {r.product_id for r in winter} & {r.product_id for r in summer}
    # The warmest goods lead in winter: 保暖 appears among the first picks, 防晒 never.
    assert any("保暖" in products[r.product_id].tags for r in winter[:5])
    assert not any(t.startswith("防晒") for r in winter for t in products[r.product_id].tags)
    assert "冬天" in winter[0].reason and "夏天" in summer[0].reason


def test_consumable_bought_one_cycle_ago_is_due(sessions, new_shopper, products):
    food, = fresh_products(sessions, new_shopper, products, 1, category="food")
    shirt, = fresh_products(sessions, new_shopper, products, 1, category="apparel")
    cycle = products[food].repurchase_cycle_days
    assert cycle and products[shirt].repurchase_cycle_days is None
    bought_at = WINTER - dt.timedelta(days=cycle)
    add_order(sessions, new_shopper, [food, shirt], created_at=bought_at)

    recs = predictive(sessions, new_shopper, WINTER + dt.timedelta(minutes=5))
    assert recs[0].product_id == food and recs[0].level == "replenish"
    assert f"{bought_at.month}月{bought_at.day}日" in recs[0].reason
    assert shirt not in {r.product_id for r in recs}  # durable goods are not "used up"
    # Too early: half a cycle after the purchase nothing is due yet.
    early = predictive(sessions, new_shopper, bought_at + dt.timedelta(days=cycle * REPLENISH_FROM / 2))
    assert all(r.level == "seasonal" for r in early)


def test_returned_or_cancelled_consumables_are_not_replenished(sessions, new_shopper, products):
    returned, cancelled = fresh_products(sessions, new_shopper, products, 2, category="skincare")
    cycle = products[returned].repurchase_cycle_days
    at = WINTER - dt.timedelta(days=cycle)
    add_order(sessions, new_shopper, [returned], created_at=at, status="refunded")
    add_order(sessions, new_shopper, [cancelled], created_at=at, status="cancelled")
    assert all(r.level == "seasonal" for r in predictive(sessions, new_shopper, WINTER))


def test_baby_durables_have_no_cycle(products):
    baby = products.by_category["baby"]
    consumable = [p for p in baby if p.repurchase_cycle_days]
    assert consumable and len(consumable) < len(baby)
    assert all(p.repurchase_cycle_days is None for p in baby if "奶瓶" in p.name or "羽绒服" in p.name)
