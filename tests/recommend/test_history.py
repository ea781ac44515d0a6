"""Level 2: categories the shopper browsed or bought → new and related products there."""
import datetime as dt

from sqlalchemy import select

from shop.recommend import history
from shop.recommend.policy import NEW_ARRIVAL_DAYS
from shop.store import models as m
from tests.recommend.conftest import ANCHOR, add_events, add_order, fresh_products

DAY = dt.timedelta(days=1)


def test_history_follows_browsed_categories_and_excludes_bought(sessions, new_shopper, products):
    viewed = fresh_products(sessions, new_shopper, products, 4, category="outdoor")
    bought = viewed[0]
    add_events(sessions, new_shopper, *[(pid, "view", ANCHOR - (i + 1) * DAY) for i, pid in enumerate(viewed)])
    add_order(sessions, new_shopper, [bought], created_at=ANCHOR - 2 * DAY)
    recs = history(sessions, new_shopper, ANCHOR)
    assert len(recs) == 5
    assert all(products[r.product_id].category == "outdoor" for r in recs)
    assert bought not in {r.product_id for r in recs}
    assert all(r.level == "history" and r.reason for r in recs)
    assert [r.score for r in recs] == sorted((r.score for r in recs), reverse=True)


def test_recent_and_stronger_interest_wins(sessions, new_shopper, products):
    """Old purchases in one category against fresh carts in another: the fresh carts lead,
    since interest halves with age; a shopper's older category still comes second."""
    kitchen = fresh_products(sessions, new_shopper, products, 2, category="kitchen")
    digital = fresh_products(sessions, new_shopper, products, 2, category="digital")
    add_events(sessions, new_shopper,
               *[(pid, "pay", ANCHOR - 120 * DAY) for pid in kitchen],
               *[(pid, "add_to_cart", ANCHOR - DAY) for pid in digital])
    recs = history(sessions, new_shopper, ANCHOR, k=10)
    categories = [products[r.product_id].category for r in recs]
    assert categories[0] == "digital"
    assert set(categories) <= {"digital", "kitchen"}
    assert categories.count("digital") > categories.count("kitchen")


def test_history_offers_new_arrivals_and_nothing_not_yet_on_sale(sessions, new_shopper, products):
    (pid,) = fresh_products(sessions, new_shopper, products, 1, category="skincare")
    add_events(sessions, new_shopper, (pid, "view", ANCHOR - DAY))
    recs = history(sessions, new_shopper, ANCHOR, k=10)
    launches = [products[r.product_id].launch for r in recs]
    assert all(d <= ANCHOR.date() for d in launches)  # the catalog lists later launches too
    newest_on_sale = max(p.launch for p in products.by_category["skincare"] if p.launch <= ANCHOR.date())
    if (ANCHOR.date() - newest_on_sale).days < NEW_ARRIVAL_DAYS:
        assert newest_on_sale in launches
        assert any("上新" in r.reason for r in recs)


def test_seeded_shoppers_never_get_what_they_bought(sessions):
    with sessions() as s:
        lines = s.execute(select(m.Order.shopper_id, m.OrderItem.product_id).join(m.OrderItem)
                          .where(m.Order.status != "cancelled")).all()
        shopper_ids = s.scalars(select(m.Shopper.id)).all()
    for sid in shopper_ids:
        owned = {pid for shopper, pid in lines if shopper == sid}
        shown = {r.product_id for r in history(sessions, sid, ANCHOR, k=20)}
        assert shown and not shown & owned
