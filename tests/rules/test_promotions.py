"""Promotions are shop data (shop/rules/promotions.yaml): which apply when, to what, and how much."""
from __future__ import annotations

import datetime as dt

import pytest

from shop.rules import promotions as P

NOV_24 = dt.date(2025, 11, 24)
JACKET = {"price": 209.0, "category": "outdoor", "type": "抓绒外套"}
CLEANSER = {"price": 79.0, "category": "skincare", "type": "洁面乳"}
TEA = {"price": 159.0, "category": "food", "type": "绿茶"}


def test_the_shipped_file_parses_and_every_offer_is_well_formed():
    offers = P.promotions()
    assert offers and len({p.id for p in offers}) == len(offers)
    assert all(p.valid_from <= p.valid_until and p.kind in P.KINDS for p in offers)


def test_only_offers_valid_on_the_day_apply():
    assert {p.title for p in P.active(NOV_24)} == {"冬季保暖节", "护肤品两件九折", "新人首单券"}
    assert "双12年终盛典" in {p.title for p in P.active(dt.date(2025, 12, 11))}
    assert "护肤品两件九折" not in {p.title for p in P.active(dt.date(2025, 12, 1))}


def test_an_offer_covers_only_its_scope():
    assert [p.title for p in P.for_product(NOV_24, JACKET)] == ["冬季保暖节"]
    assert [p.title for p in P.for_product(NOV_24, CLEANSER)] == ["护肤品两件九折"]
    assert P.for_product(NOV_24, TEA) == []


@pytest.mark.parametrize("product, qty, expected", [
    (CLEANSER, 1, (79.0, 79.0, None)),                        # one item: 两件九折 does not apply
    (CLEANSER, 2, (158.0, 142.2, "护肤品两件九折")),
    (JACKET, 1, (209.0, 209.0, None)),                        # under 300
    (JACKET, 2, (418.0, 388.0, "冬季保暖节")),                  # 满 300 减 30
])
def test_best_deal(product, qty, expected):
    subtotal, total, offer = P.best_deal(product, qty, NOV_24)
    assert (subtotal, total, offer.title if offer else None) == expected


@pytest.mark.parametrize("cart, expected", [
    ([(CLEANSER, 1), (TEA, 1)], (238.0, 238.0, None)),            # one skincare item: no 两件九折; tea: no offer
    ([(CLEANSER, 1), ({**CLEANSER, "price": 109.0}, 2)], (297.0, 267.3, "护肤品两件九折")),
    ([(JACKET, 1), (TEA, 1)], (368.0, 368.0, None)),               # only 209 of 保暖节's goods: under 300
    ([(JACKET, 1), ({**JACKET, "price": 150.0}, 1)], (359.0, 329.0, "冬季保暖节")),
])
def test_best_cart_deal_counts_only_the_goods_each_offer_covers(cart, expected):
    subtotal, total, offer = P.best_cart_deal(cart, NOV_24)
    assert (subtotal, total, offer.title if offer else None) == expected


def test_offers_asked_about_by_name_and_sales_days_without_one():
    named, missing = P.asked_about("双十二有活动吗 双十一的还能用吗", NOV_24)
    assert [p.title for p in named] == ["双12年终盛典"] and named[0].valid_from == dt.date(2025, 12, 10)
    assert missing == ["双十一"]


@pytest.mark.parametrize("bad, error", [
    ({"kind": "买一送一"}, "kind"),
    ({"valid_until": "2025-01-01"}, "valid_until"),
    ({"amount": 500}, "amount"),
])
def test_malformed_offers_are_refused(bad, error):
    raw = {"id": "x", "title": "t", "kind": "满减", "threshold": 300, "amount": 30,
           "valid_from": "2025-11-01", "valid_until": "2025-11-30", **bad}
    with pytest.raises(P.PromotionError, match=error):
        P.parse({"promotions": [raw]})
