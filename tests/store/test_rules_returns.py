import datetime as dt

import pytest

from shop.rules import after_sales_deadline, can_exchange, can_refund, can_return, refund_progress
from shop.rules.policy import OrderStatus as S
from shop.rules.policy import RefundStatus, ReturnReason as R, ReturnStatus

DELIVERED = dt.datetime(2025, 11, 1, 15, 30)


def ret(now, **kw):
    args = dict(delivered_at=DELIVERED, now=now, category="apparel", product_name="纯棉圆领T恤", reason=R.NO_REASON)
    args.update(kw)
    status = args.pop("status", S.DELIVERED)
    return can_return(status, **args)


def test_window_counts_from_the_day_after_delivery():
    assert after_sales_deadline(DELIVERED, R.NO_REASON) == dt.datetime(2025, 11, 9, 0, 0)
    assert after_sales_deadline(DELIVERED, R.QUALITY) == dt.datetime(2025, 11, 17, 0, 0)


@pytest.mark.parametrize("now,allowed", [
    (DELIVERED + dt.timedelta(minutes=5), True),
    (DELIVERED + dt.timedelta(days=7), True),                  # exactly 7 days after delivery
    (dt.datetime(2025, 11, 8, 23, 59, 59), True),              # last second of the 7th day
    (dt.datetime(2025, 11, 9, 0, 0), False),                   # the 8th day
    (DELIVERED + dt.timedelta(days=8), False),
])
def test_seven_day_boundary(now, allowed):
    d = ret(now)
    assert d.allowed is allowed, d.reason
    if not allowed:
        assert d.code == "after_sales_expired" and "7 天" in d.reason


def test_accepted_return_says_where_and_by_when():
    d = ret(DELIVERED + dt.timedelta(days=2))
    assert d.code == "return_ok"
    assert d.details["send_back_by"] == dt.date(2025, 11, 10)
    assert "退货仓" in d.details["return_address"] and "2025年11月10日" in d.reason


@pytest.mark.parametrize("category,name,opened,code", [
    ("food", "原味即食燕麦片", False, "after_sales_excluded"),
    ("skincare", "高保湿修护面霜", True, "after_sales_excluded"),
    ("skincare", "高保湿修护面霜", False, "return_ok"),          # unopened cosmetics are fine
    ("baby", "莫代尔孕妇哺乳内衣", False, "after_sales_excluded"),  # hygiene, whatever the category
    ("apparel", "纯棉圆领T恤", True, "return_ok"),              # opening clothes does not matter
])
def test_excluded_categories(category, name, opened, code):
    d = ret(DELIVERED + dt.timedelta(days=1), category=category, product_name=name, opened=opened)
    assert d.code == code


def test_quality_problems_override_exclusions_and_have_15_days():
    late = DELIVERED + dt.timedelta(days=10)
    assert ret(late, category="food", product_name="燕麦片", reason=R.QUALITY).allowed
    assert ret(dt.datetime(2025, 11, 16, 23, 59), reason=R.MISMATCH).allowed
    assert ret(dt.datetime(2025, 11, 17, 0, 0), reason=R.MISMATCH).code == "after_sales_expired"
    assert "运费由商家承担" in ret(late, reason=R.QUALITY).reason


@pytest.mark.parametrize("status,code", [
    (S.PENDING_PAYMENT, "after_sales_not_shipped"), (S.PAID, "after_sales_not_shipped"),
    (S.SHIPPED, "after_sales_in_transit"), (S.CANCELLED, "after_sales_closed"), (S.REFUNDED, "after_sales_closed"),
])
def test_return_needs_delivery(status, code):
    assert ret(DELIVERED + dt.timedelta(days=1), status=status).code == code


def test_one_open_request_per_item():
    assert ret(DELIVERED + dt.timedelta(days=1), has_open_request=True).code == "after_sales_open"


def test_unknown_reason_is_a_programming_error():
    with pytest.raises(ValueError):
        ret(DELIVERED, reason="because")


def exch(**kw):
    args = dict(delivered_at=DELIVERED, now=DELIVERED + dt.timedelta(days=3), category="apparel",
                product_name="T恤", reason=R.SIZE, current_color="白色", current_size="M", color="白色", size="L",
                target_exists=True, target_stock=2)
    args.update(kw)
    return can_exchange(args.pop("status", S.DELIVERED), **args)


def test_exchange_needs_stock_of_the_target_variant():
    assert exch().code == "exchange_ok"
    assert exch(target_stock=0).code == "exchange_no_stock"
    assert exch(target_exists=False).code == "exchange_unknown_variant"
    assert exch(size="M").code == "exchange_same_variant"
    assert exch(size="M", reason=R.QUALITY).code == "exchange_ok"  # same variant, a good one
    assert exch(status=S.SHIPPED).code == "after_sales_in_transit"
    assert exch(now=dt.datetime(2025, 11, 9)).code == "after_sales_expired"
    assert exch(category="food").code == "after_sales_excluded"


@pytest.mark.parametrize("status,allowed,code", [
    (ReturnStatus.REQUESTED, False, "refund_not_received"),
    (ReturnStatus.RECEIVED, True, "refund_ok"),
    (ReturnStatus.REFUNDED, False, "refund_already"),
    (ReturnStatus.EXCHANGED, False, "refund_not_applicable"),
])
def test_refund_only_after_the_return_is_received(status, allowed, code):
    d = can_refund(status)
    assert (d.allowed, d.code) == (allowed, code)


def test_refund_progress_dates():
    now = dt.datetime(2025, 11, 24, 10)
    waiting = refund_progress(ReturnStatus.REQUESTED, now=now, payment_method="alipay",
                              send_back_by=dt.date(2025, 11, 30))
    assert waiting.code == "refund_waiting_return" and waiting.details["expected_by"] == dt.date(2025, 11, 27)
    assert "2025年11月30日" in waiting.reason
    inspecting = refund_progress(ReturnStatus.RECEIVED, now=now, payment_method="bank_card")
    assert inspecting.details["expected_by"] == dt.date(2025, 12, 1)
    processing = refund_progress(ReturnStatus.RECEIVED, now=now, payment_method="wechat",
                                 refund_status=RefundStatus.PROCESSING, refund_expected=dt.date(2025, 11, 25))
    assert processing.code == "refund_processing" and "2025年11月25日" in processing.reason
    assert "一般 1天内到账" in processing.reason   # 啥时候到账: the method's lag, beside the date
    overdue = refund_progress(ReturnStatus.RECEIVED, now=now, payment_method="wechat",
                              refund_status=RefundStatus.PROCESSING, refund_expected=dt.date(2025, 11, 20))
    assert overdue.code == "refund_overdue" and "人工" in overdue.reason
    done = refund_progress(ReturnStatus.REFUNDED, now=now, payment_method="wechat", refund_status=RefundStatus.SUCCEEDED)
    assert done.code == "refund_done" and "微信支付" in done.reason
    card = refund_progress(ReturnStatus.REFUNDED, now=now, payment_method="bank_card", refund_status=RefundStatus.SUCCEEDED)
    assert "银行卡" in card.reason and "5天内到账" in card.reason   # the bank's own posting time
