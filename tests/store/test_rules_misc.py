import datetime as dt
from decimal import Decimal

import pytest

from shop.rules import (
    assess_complaint, can_apply_coupon, classify_complaint, coupon_discount, detect_delay, mask_phone,
    validate_invoice, validate_order_no, validate_phone, validate_tax_number,
)
from shop.rules.invoices import uscc_check_char
from shop.rules.policy import OrderStatus as S

NOW = dt.datetime(2025, 11, 24, 10, 0)


# -- coupons -----------------------------------------------------------------------
def coupon(**kw):
    args = dict(order_has_coupon=False, owned_by_shopper=True, already_used=False, now=NOW,
                valid_from=NOW - dt.timedelta(days=1), valid_until=NOW + dt.timedelta(days=1),
                threshold=Decimal("99"), items_total=Decimal("99"))
    args.update(kw)
    return can_apply_coupon(args.pop("status", S.PENDING_PAYMENT), **args)


def test_one_coupon_per_order():
    assert coupon().code == "coupon_ok"  # threshold met exactly
    assert coupon(order_has_coupon=True).code == "coupon_one_per_order"


@pytest.mark.parametrize("kw,code", [
    ({"owned_by_shopper": False}, "coupon_unknown"),
    ({"already_used": True}, "coupon_used"),
    ({"status": S.PAID}, "coupon_order_paid"),
    ({"items_total": Decimal("98.99")}, "coupon_threshold"),
    ({"now": NOW + dt.timedelta(days=2)}, "coupon_expired"),
    ({"now": NOW - dt.timedelta(days=2)}, "coupon_not_started"),
])
def test_coupon_refusals(kw, code):
    assert coupon(**kw).code == code


def test_coupon_never_exceeds_the_goods():
    assert coupon_discount(Decimal("20"), Decimal("15")) == Decimal("15")


# -- delays ------------------------------------------------------------------------
@pytest.mark.parametrize("silent,code,amount", [
    (dt.timedelta(days=2, hours=23, minutes=59), "parcel_moving", None),
    (dt.timedelta(days=3), "parcel_delayed", Decimal("10")),   # exactly N days
    (dt.timedelta(days=6), "parcel_delayed", Decimal("10")),
    (dt.timedelta(days=7), "parcel_delayed", Decimal("20")),
])
def test_delayed_parcel(silent, code, amount):
    d = detect_delay(S.SHIPPED, now=NOW, last_update_at=NOW - silent)
    assert d.code == code
    assert d.details.get("compensation") == amount
    if amount:
        assert "抱歉" in d.reason and f"{amount:.0f} 元" in d.reason


def test_delay_threshold_is_configurable_and_unshipped_orders_count_too():
    assert detect_delay(S.SHIPPED, now=NOW, last_update_at=NOW - dt.timedelta(days=2), delay_days=2).allowed
    assert detect_delay(S.PAID, now=NOW, paid_at=NOW - dt.timedelta(hours=47)).code == "awaiting_shipment"
    assert detect_delay(S.PAID, now=NOW, paid_at=NOW - dt.timedelta(hours=48)).code == "shipment_late"
    assert detect_delay(S.DELIVERED, now=NOW, last_update_at=NOW - dt.timedelta(days=30)).code == "not_in_transit"


# -- complaints --------------------------------------------------------------------
@pytest.mark.parametrize("text,category", [
    ("衣服洗了一次就开线了", "quality"),
    ("实物和图片差别太大，色差严重", "mismatch"),
    ("快递一直不派件", "logistics"),
    ("客服态度很差", "service"),
    ("同一笔订单扣了两次钱", "payment"),
    ("我想说点别的", "other"),
])
def test_complaint_category(text, category):
    assert classify_complaint(text) == category


def test_complaint_priority_and_human_flag():
    calm = assess_complaint("鞋子有点开胶，质量一般")
    assert calm.details["priority"] == "normal" and not calm.details["flagged_for_human"]
    assert set(calm.details["offers"]) == {"return", "exchange", "compensation"}
    angry = assess_complaint("什么垃圾质量，我要去12315投诉")
    assert angry.details["priority"] == "high" and angry.details["flagged_for_human"]
    assert "人工" in angry.reason
    repeated = assess_complaint("客服回复慢", previous_complaints=1)
    assert repeated.details["flagged_for_human"] and repeated.details["repeated"]
    unsafe = assess_complaint("面霜用了以后过敏了")
    assert unsafe.details["priority"] == "high" and "人身安全" in unsafe.reason
    assert assess_complaint("客服回复慢").details["priority"] == "low"


# -- invoices ----------------------------------------------------------------------
def test_tax_number_check_digit():
    # The worked example of GB 32100-2015.
    assert validate_tax_number("91350100M000100Y43").allowed
    assert validate_tax_number("9135 0100-M000100Y43").allowed  # spaces/dashes typed by people
    assert validate_tax_number("91350100m000100y43").allowed
    assert validate_tax_number("91350100M000100Y44").code == "tax_checksum"
    assert validate_tax_number("91350100M000100Y4").code == "tax_length"
    assert validate_tax_number("91350100M00010OY43").code == "tax_chars"  # letter O
    head = "91330106MA2ABCDE1"
    assert validate_tax_number(head + uscc_check_char(head)).allowed


def test_invoice_titles():
    assert validate_invoice("personal", "张伟").allowed
    assert validate_invoice("personal", "").code == "title_missing"
    assert validate_invoice("personal", "张伟", "91350100M000100Y43").code == "personal_with_tax"
    ok = validate_invoice("company", "杭州云帆科技有限公司", "91350100M000100Y43", "a@b.cn")
    assert ok.allowed and ok.details["tax_number"] == "91350100M000100Y43"
    assert validate_invoice("company", "杭州云帆科技有限公司").code == "tax_missing"
    assert validate_invoice("company", "杭州云帆科技有限公司", "123").code == "tax_length"
    assert validate_invoice("company", "云帆", "91350100M000100Y43").code == "company_title_short"
    assert validate_invoice("personal", "张伟", email="not-an-email").code == "email_invalid"


# -- formats -----------------------------------------------------------------------
@pytest.mark.parametrize("text,code", [
    ("202311240001", "order_no_ok"),
    (" 2023-1124-0001 ", "order_no_ok"),
    ("２０２３１１２４０００１", "order_no_ok"),      # full-width digits
    ("20231124001", "order_no_length"),
    ("2023112400012", "order_no_length"),
    ("192311240001", "order_no_prefix"),
    ("202313240001", "order_no_date"),
    ("20231124000a", "order_no_not_digits"),
])
def test_order_number(text, code):
    assert validate_order_no(text).code == code


@pytest.mark.parametrize("text,code", [
    ("13812345678", "phone_ok"), ("+86 138-1234-5678", "phone_ok"), ("8613812345678", "phone_ok"),
    ("12812345678", "phone_prefix"), ("1381234567", "phone_length"), ("138123456789", "phone_length"),
])
def test_phone(text, code):
    assert validate_phone(text).code == code


def test_mask_phone():
    assert mask_phone("13812345678") == "138****5678"
