import datetime as dt
from decimal import Decimal

import pytest

from shop.rules import can_cancel, can_change_quantity, can_change_variant, can_modify
from shop.rules.policy import OrderStatus as S

NOW = dt.datetime(2025, 11, 24, 10, 0)


@pytest.mark.parametrize("status,allowed,code", [
    (S.PENDING_PAYMENT, True, "cancel_unpaid"),
    (S.PAID, True, "cancel_paid"),
    (S.SHIPPED, False, "cancel_shipped"),
    (S.DELIVERED, False, "cancel_delivered"),
    (S.CANCELLED, False, "cancel_already"),
    (S.REFUNDED, False, "cancel_closed"),
])
def test_cancel_only_before_shipment(status, allowed, code):
    d = can_cancel(status, now=NOW, payment_method="alipay", amount=Decimal("99"))
    assert (d.allowed, d.code) == (allowed, code)
    assert d.reason  # always a Chinese sentence


def test_cancel_paid_promises_refund_date_by_method():
    d = can_cancel(S.PAID, now=NOW, payment_method="bank_card", amount=Decimal("10"))
    assert d.details["refund"] is True
    assert d.details["refund_expected_by"] == dt.date(2025, 11, 29)
    assert "银行卡" in d.reason and "2025年11月29日" in d.reason
    assert can_cancel(S.PAID, now=NOW, payment_method="wechat").details["refund_expected_by"] == dt.date(2025, 11, 25)
    assert can_cancel(S.PENDING_PAYMENT).details["refund"] is False


def test_shipped_cancel_suggests_refusal_or_return():
    assert "拒收" in can_cancel(S.SHIPPED).reason


@pytest.mark.parametrize("field", ["address", "phone", "variant", "quantity"])
@pytest.mark.parametrize("status,allowed", [
    (S.PENDING_PAYMENT, True), (S.PAID, True), (S.SHIPPED, False), (S.DELIVERED, False),
    (S.CANCELLED, False), (S.REFUNDED, False),
])
def test_modify_only_before_shipment(field, status, allowed):
    assert can_modify(status, field).allowed is allowed


def test_modify_unknown_field_is_a_programming_error():
    with pytest.raises(ValueError):
        can_modify(S.PAID, "price")


def _variant(status=S.PAID, **kw):
    args = dict(same_product=True, target_exists=True, target_stock=3, current_color="白色", current_size="M",
                color="黑色", size="L")
    args.update(kw)
    return can_change_variant(status, **args)


def test_variant_change_needs_existing_in_stock_different_variant():
    assert _variant().allowed
    assert _variant(target_stock=0).code == "variant_no_stock"
    assert _variant(target_exists=False).code == "variant_unknown"
    assert _variant(color="白色", size="M").code == "variant_same"
    assert _variant(same_product=False).code == "variant_other_product"
    assert _variant(status=S.SHIPPED).code == "modify_shipped"


@pytest.mark.parametrize("status,current,new,stock,code", [
    (S.PENDING_PAYMENT, 1, 3, 5, "quantity_ok"),
    (S.PENDING_PAYMENT, 1, 7, 5, "quantity_no_stock"),
    (S.PENDING_PAYMENT, 1, 6, 5, "quantity_ok"),       # exactly the stock left
    (S.PAID, 3, 1, 0, "quantity_decrease_paid"),
    (S.PAID, 1, 2, 9, "quantity_increase_paid"),
    (S.PAID, 2, 2, 9, "quantity_same"),
    (S.PAID, 2, 0, 9, "quantity_too_small"),
    (S.PENDING_PAYMENT, 1, 100, 500, "quantity_too_large"),
    (S.SHIPPED, 2, 1, 9, "modify_shipped"),
])
def test_quantity(status, current, new, stock, code):
    assert can_change_quantity(status, current_qty=current, new_qty=new, stock=stock).code == code
