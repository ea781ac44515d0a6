"""The order service on a seeded store, on SQLite and on PostgreSQL."""
import datetime as dt
import json
from decimal import Decimal

import pytest
from sqlalchemy import select

from shop.orders import InvalidOrderNumber, OrderNotFound, OrderService
from shop.rules.policy import OrderStatus, RefundStatus, ReturnReason, ReturnStatus
from shop.store import models as m
from tests.store.conftest import ANCHOR
from tests.store.helpers import count, one, orders, returnable, stock


def reload(sessions, order_no) -> m.Order:
    return one(sessions, lambda o: o.order_no == order_no)


# -- identity and ownership ------------------------------------------------------------
def test_recent_orders_are_the_shoppers_own_newest_first(service, sessions):
    recent = service.recent_orders(1, limit=50)
    own = {o.order_no for o in orders(sessions, lambda o: o.shopper_id == 1)}
    assert {r.order_no for r in recent} == own
    assert [r.created_at for r in recent] == sorted((r.created_at for r in recent), reverse=True)
    assert len(service.recent_orders(1)) == 5


def test_another_shoppers_order_is_not_found_like_an_unknown_one(service, sessions):
    foreign = one(sessions, lambda o: o.shopper_id != 1 and o.status == OrderStatus.PAID).order_no
    tickets_before = count(sessions, m.ComplaintTicket)
    with pytest.raises(OrderNotFound) as unknown:
        service.get_order(1, "209901010001")
    calls = [
        lambda: service.get_order(1, foreign),
        lambda: service.track(1, foreign),
        lambda: service.cancel(1, foreign),
        lambda: service.change_phone(1, foreign, "13900001111"),
        lambda: service.change_address(1, foreign, province="上海市", city="上海市", district="徐汇区", detail="x 路 1 号"),
        lambda: service.change_quantity(1, foreign, 1),
        lambda: service.request_return(1, foreign),
        lambda: service.request_exchange(1, foreign, color="黑色", size="L"),
        lambda: service.refund_status(1, foreign),
        lambda: service.apply_coupon(1, foreign, "QYXXXX"),
        lambda: service.request_invoice(1, foreign, title_type="personal", title="张伟"),
        lambda: service.file_complaint(1, "质量不好", order_no=foreign),
        lambda: service.claim_delay_compensation(1, foreign),
    ]
    for call in calls:
        with pytest.raises(OrderNotFound) as exc:
            call()
        assert str(exc.value) == str(unknown.value)
    # ... and nothing about the foreign order changed.
    assert reload(sessions, foreign).status == OrderStatus.PAID
    assert count(sessions, m.ComplaintTicket) == tickets_before


def test_malformed_order_number_is_a_format_error(service):
    with pytest.raises(InvalidOrderNumber) as exc:
        service.get_order(1, "12345")
    assert exc.value.decision.code == "order_no_length"


def test_only_proven_bindings_identify_a_sender(service, sessions):
    """Finding 1: seeded REST senders were bound to real shoppers by name."""
    assert service.shopper_for_sender("rest", "demo").id == 1  # the demo sender, bound by the demo seed
    for name in ("shopper01", "shopper17", "stranger"):
        assert service.shopper_for_sender("rest", name) is None
    with sessions() as s, s.begin():  # a binding made the old way (a phone number alone)
        s.add(m.ShopperChannel(shopper_id=3, channel="rest", external_id="by-phone", created_at=ANCHOR,
                               verified_by="legacy"))
    assert service.shopper_for_sender("rest", "by-phone") is None


# -- reading ------------------------------------------------------------------------------
def test_tracking_in_chinese_and_delay_detection(service, sessions):
    delayed = one(sessions, lambda o: o.status == OrderStatus.SHIPPED and
                  ANCHOR - o.shipments[0].events[-1].occurred_at > dt.timedelta(days=3))
    view, delay = service.track(delayed.shopper_id, delayed.order_no)
    assert delay.code == "parcel_delayed" and delay.details["compensation"] >= Decimal("10")
    assert view.shipments[0].events[0].description.startswith("【杭州市】")
    moving = one(sessions, lambda o: o.status == OrderStatus.SHIPPED and
                 ANCHOR - o.shipments[0].events[-1].occurred_at < dt.timedelta(days=1))
    assert service.track(moving.shopper_id, moving.order_no)[1].code == "parcel_moving"
    delivered = one(sessions, lambda o: o.status == OrderStatus.DELIVERED)
    view, delay = service.track(delivered.shopper_id, delivered.order_no)
    assert view.shipments[0].events[-1].status == "delivered" and delay.code == "not_in_transit"


def test_delay_compensation_is_issued_once(service, sessions):
    delayed = one(sessions, lambda o: o.status == OrderStatus.SHIPPED and
                  ANCHOR - o.shipments[0].events[-1].occurred_at > dt.timedelta(days=3))
    first = service.claim_delay_compensation(delayed.shopper_id, delayed.order_no)
    assert first.ok and first.data["coupon_code"].startswith("PC")
    again = service.claim_delay_compensation(delayed.shopper_id, delayed.order_no)
    assert again.code == "compensation_given" and again.data["coupon_code"] == first.data["coupon_code"]
    assert count(sessions, m.Coupon, m.Coupon.source_order_id == delayed.id) == 1
    on_time = one(sessions, lambda o: o.status == OrderStatus.DELIVERED)
    assert service.claim_delay_compensation(on_time.shopper_id, on_time.order_no).code == "not_in_transit"


# -- cancel and modify ----------------------------------------------------------------------
def test_cancel_paid_order_refunds_and_restocks(service, sessions):
    order = one(sessions, lambda o: o.status == OrderStatus.PAID)
    item = order.items[0]
    before = stock(sessions, item.product_id, item.color, item.size)
    out = service.cancel(order.shopper_id, order.order_no, "不想要了")
    assert out.ok and out.code == "cancel_paid"
    after = reload(sessions, order.order_no)
    assert after.status == OrderStatus.CANCELLED and after.cancel_reason == "不想要了"
    assert [(r.cause, r.amount, r.status) for r in after.refunds] == [("cancel", order.pay_amount, RefundStatus.PROCESSING)]
    assert stock(sessions, item.product_id, item.color, item.size) == before + item.qty
    assert service.cancel(order.shopper_id, order.order_no).code == "cancel_already"


def test_cancel_shipped_order_is_refused_and_changes_nothing(service, sessions):
    order = one(sessions, lambda o: o.status == OrderStatus.SHIPPED)
    out = service.cancel(order.shopper_id, order.order_no)
    assert not out.ok and out.code == "cancel_shipped" and "拒收" in out.reason
    assert reload(sessions, order.order_no).status == OrderStatus.SHIPPED
    assert count(sessions, m.Refund, m.Refund.order_id == order.id) == 0


def test_a_failed_write_rolls_back_the_whole_change(service, sessions, monkeypatch):
    order = one(sessions, lambda o: o.status == OrderStatus.PAID)
    item = order.items[0]
    before = stock(sessions, item.product_id, item.color, item.size)

    def broken_refund(*args, **kwargs):
        raise RuntimeError("payment gateway down")
    monkeypatch.setattr(OrderService, "_refund", broken_refund)
    with pytest.raises(RuntimeError):
        service.cancel(order.shopper_id, order.order_no)
    assert reload(sessions, order.order_no).status == OrderStatus.PAID
    assert stock(sessions, item.product_id, item.color, item.size) == before


def test_change_address_and_phone_before_shipment_only(service, sessions):
    pending = one(sessions, lambda o: o.status == OrderStatus.PENDING_PAYMENT)
    out = service.change_address(pending.shopper_id, pending.order_no, province="江苏省", city="苏州市",
                                 district="工业园区", detail="星湖街 328 号")
    assert out.ok
    after = reload(sessions, pending.order_no)
    assert (after.city, after.address_detail) == ("苏州市", "星湖街 328 号")
    assert service.change_phone(pending.shopper_id, pending.order_no, "12345").code == "phone_length"
    assert service.change_phone(pending.shopper_id, pending.order_no, "+86 186 1234 5678").ok
    assert reload(sessions, pending.order_no).receiver_phone == "18612345678"
    shipped = one(sessions, lambda o: o.status == OrderStatus.SHIPPED)
    refused = service.change_address(shipped.shopper_id, shipped.order_no, province="江苏省", city="苏州市",
                                     district="工业园区", detail="星湖街 328 号")
    assert refused.code == "modify_shipped"
    assert reload(sessions, shipped.order_no).address_detail == shipped.address_detail


def _variant_targets(sessions, item, in_stock: bool):
    with sessions() as s:
        rows = s.scalars(select(m.VariantStock).where(m.VariantStock.product_id == item.product_id)).all()
    return [v for v in rows if (v.color, v.size) != (item.color, item.size) and (v.stock >= item.qty) == in_stock
            and (v.stock == 0 or in_stock)]


def test_change_variant_needs_stock_and_moves_it(service, sessions):
    def fits(o, in_stock):
        return (o.status in OrderStatus.BEFORE_SHIPMENT and len(o.items) == 1
                and _variant_targets(sessions, o.items[0], in_stock))
    order = one(sessions, lambda o: fits(o, True))
    item = order.items[0]
    target = _variant_targets(sessions, item, True)[0]
    old_before = stock(sessions, item.product_id, item.color, item.size)
    out = service.change_variant(order.shopper_id, order.order_no, color=target.color, size=target.size)
    assert out.ok, out.reason
    assert stock(sessions, item.product_id, target.color, target.size) == target.stock - item.qty
    assert stock(sessions, item.product_id, item.color, item.size) == old_before + item.qty
    changed = reload(sessions, order.order_no).items[0]
    assert (changed.color, changed.size) == (target.color, target.size)
    empty = one(sessions, lambda o: fits(o, False))
    t = _variant_targets(sessions, empty.items[0], False)[0]
    assert service.change_variant(empty.shopper_id, empty.order_no, color=t.color, size=t.size).code == "variant_no_stock"
    assert service.change_variant(empty.shopper_id, empty.order_no, color="不存在的颜色", size="M").code == "variant_unknown"


def test_multi_item_orders_ask_which_item(service, sessions):
    order = one(sessions, lambda o: o.status == OrderStatus.PENDING_PAYMENT and len(o.items) > 1) if orders(
        sessions, lambda o: o.status == OrderStatus.PENDING_PAYMENT and len(o.items) > 1) else one(
        sessions, lambda o: o.status in OrderStatus.BEFORE_SHIPMENT and len(o.items) > 1)
    out = service.change_quantity(order.shopper_id, order.order_no, 1)
    assert out.code == "item_ambiguous" and len(out.data["items"]) == len(order.items)


def test_decreasing_quantity_of_a_paid_order_refunds_the_difference(service, sessions):
    order = one(sessions, lambda o: o.status == OrderStatus.PAID and any(i.qty == 2 for i in o.items))
    item = next(i for i in order.items if i.qty == 2)
    out = service.change_quantity(order.shopper_id, order.order_no, 1, item=item.id)
    assert out.ok, out.reason
    after = reload(sessions, order.order_no)
    assert next(i for i in after.items if i.id == item.id).qty == 1
    assert out.data["refund_amount"] == order.pay_amount - after.pay_amount > 0
    assert after.pay_amount == after.items_total + after.shipping_fee - after.discount
    assert service.change_quantity(order.shopper_id, order.order_no, 3, item=item.product_id).code == \
        "quantity_increase_paid"


# -- after-sales ----------------------------------------------------------------------------
def test_return_then_receive_then_refund(service, sessions, clock):
    order = one(sessions, lambda o: returnable(o, ANCHOR))
    out = service.request_return(order.shopper_id, order.order_no, reason=ReturnReason.NO_REASON,
                                 detail="不喜欢", photo_path="var/uploads/a.jpg")
    assert out.ok and out.code == "return_ok", out.reason
    assert out.data["send_back_by"] == (ANCHOR + dt.timedelta(days=7)).date() and "退货仓" in out.reason
    again = service.request_return(order.shopper_id, order.order_no)
    assert again.code == "after_sales_open"
    # the refusal says which goods and where their request is, not only that one exists
    assert order.order_no in again.reason and order.items[0].product_name in again.reason and "待寄回" in again.reason
    status = service.refund_status(order.shopper_id, order.order_no)
    assert status.code == "refund_waiting_return"
    assert not [r for r in reload(sessions, order.order_no).refunds]  # no refund before the item is back

    clock.now = ANCHOR + dt.timedelta(days=2)
    received = service.receive_return(out.data["return_id"])
    assert received.ok and received.data["refund_amount"] > 0
    status = service.refund_status(order.shopper_id, order.order_no)
    assert status.code == "refund_processing" and status.data["refunds"][0]["expected_by"] >= clock.now.date()

    refund_id = reload(sessions, order.order_no).refunds[0].id
    assert service.complete_refund(refund_id).ok
    after = reload(sessions, order.order_no)
    assert after.status == OrderStatus.REFUNDED and after.return_requests[0].status == ReturnStatus.REFUNDED
    assert service.refund_status(order.shopper_id, order.order_no).code == "refund_done"


def test_return_refused_after_seven_days_and_for_excluded_goods(service, sessions, clock):
    old = one(sessions, lambda o: o.status == OrderStatus.DELIVERED and not o.return_requests
              and ANCHOR - o.delivered_at > dt.timedelta(days=9) and len(o.items) == 1)
    out = service.request_return(old.shopper_id, old.order_no)
    assert out.code == "after_sales_expired"
    assert count(sessions, m.ReturnRequest, m.ReturnRequest.order_id == old.id) == 0

    order = one(sessions, lambda o: returnable(o, ANCHOR))
    with sessions() as s, s.begin():  # make its item a food product
        s.get(m.OrderItem, order.items[0].id).category = "food"
    assert service.request_return(order.shopper_id, order.order_no).code == "after_sales_excluded"
    assert service.request_return(order.shopper_id, order.order_no, reason=ReturnReason.QUALITY).ok

    shipped = one(sessions, lambda o: o.status == OrderStatus.SHIPPED)
    assert service.request_return(shipped.shopper_id, shipped.order_no, item=shipped.items[0].id).code == \
        "after_sales_in_transit"


def test_return_window_boundary_through_the_service(service, sessions, clock):
    order = one(sessions, lambda o: returnable(o, ANCHOR))
    clock.now = order.delivered_at + dt.timedelta(days=7)  # exactly 7 days later: still inside
    assert service.request_return(order.shopper_id, order.order_no).ok


def test_exchange_reserves_the_target_variant(service, sessions):
    def candidates(o, in_stock):
        return returnable(o, ANCHOR) and _variant_targets(sessions, o.items[0], in_stock)
    order = one(sessions, lambda o: candidates(o, True))
    item = order.items[0]
    target = _variant_targets(sessions, item, True)[0]
    out = service.request_exchange(order.shopper_id, order.order_no, color=target.color, size=target.size)
    assert out.ok and out.code == "exchange_ok", out.reason
    assert stock(sessions, item.product_id, target.color, target.size) == target.stock - item.qty
    req = reload(sessions, order.order_no).return_requests[0]
    assert (req.kind, req.target_color, req.target_size) == ("exchange", target.color, target.size)
    received = service.receive_return(req.id)
    assert received.code == "exchange_shipping"
    assert service.refund_status(order.shopper_id, order.order_no).code == "refund_none_for_order"

    none_left = orders(sessions, lambda o: candidates(o, False))
    if none_left:
        o = none_left[0]
        t = _variant_targets(sessions, o.items[0], False)[0]
        assert service.request_exchange(o.shopper_id, o.order_no, color=t.color, size=t.size).code == "exchange_no_stock"


# -- coupons, invoices, complaints -------------------------------------------------------------
def test_one_coupon_per_order(service, sessions):
    order = one(sessions, lambda o: o.status == OrderStatus.PENDING_PAYMENT and o.coupon is None
                and o.items_total >= Decimal("5"))
    with sessions() as s:
        codes = [c.code for c in s.scalars(select(m.Coupon).where(
            m.Coupon.shopper_id == order.shopper_id, m.Coupon.used_order_id.is_(None),
            m.Coupon.threshold == 0, m.Coupon.source == "promotion")).all()]
        foreign = s.scalars(select(m.Coupon).where(m.Coupon.shopper_id != order.shopper_id)).first().code
    assert service.apply_coupon(order.shopper_id, order.order_no, foreign).code == "coupon_unknown"
    out = service.apply_coupon(order.shopper_id, order.order_no, codes[0])
    assert out.ok, out.reason
    after = reload(sessions, order.order_no)
    assert after.discount == Decimal("5.00") and after.pay_amount == order.pay_amount - Decimal("5")
    second = service.apply_coupon(order.shopper_id, order.order_no, codes[0])
    assert second.code == "coupon_one_per_order"


def test_invoice_is_validated_and_recorded_once(service, sessions):
    order = one(sessions, lambda o: o.status == OrderStatus.DELIVERED and o.invoice is None)
    bad = service.request_invoice(order.shopper_id, order.order_no, title_type="company",
                                  title="杭州云帆科技有限公司", tax_number="91350100M000100Y44")
    assert bad.code == "tax_checksum"
    ok = service.request_invoice(order.shopper_id, order.order_no, title_type="company", title="杭州云帆科技有限公司",
                                 tax_number="91350100m000100y43", email="cw@yunfan.cn")
    assert ok.ok, ok.reason
    inv = reload(sessions, order.order_no).invoice
    assert (inv.tax_number, inv.amount) == ("91350100M000100Y43", order.pay_amount)
    assert service.request_invoice(order.shopper_id, order.order_no, title_type="personal",
                                   title="张伟").code == "invoice_exists"
    unpaid = one(sessions, lambda o: o.status == OrderStatus.PENDING_PAYMENT)
    assert service.request_invoice(unpaid.shopper_id, unpaid.order_no, title_type="personal",
                                   title="张伟").code == "invoice_not_paid"


def test_complaints_get_priority_and_repeats_go_to_a_human(service, sessions):
    with sessions() as s:
        complained = set(s.scalars(select(m.ComplaintTicket.shopper_id)).all())
    shopper = next(i for i in range(2, 21) if i not in complained)
    order = one(sessions, lambda o: o.shopper_id == shopper)
    first = service.file_complaint(shopper, "衣服有点起球，质量一般", order_no=order.order_no)
    assert first.data["category"] == "quality" and not first.data["flagged_for_human"]
    assert first.data["ticket_no"].startswith("TS20251124")
    second = service.file_complaint(shopper, "客服回复太慢")
    assert second.data["flagged_for_human"] and second.data["priority"] == "high"
    with sessions() as s:
        tickets = s.scalars(select(m.ComplaintTicket).where(m.ComplaintTicket.shopper_id == shopper)
                            .order_by(m.ComplaintTicket.id)).all()
    assert [(t.category, t.flagged_for_human) for t in tickets[-2:]] == [("quality", False), ("service", True)]
    assert tickets[-2].order_id == order.id and tickets[-2].offers == "return,exchange,compensation"
    angry = service.file_complaint(7, "你们就是骗子，图片和实物完全不一样")
    assert angry.data["category"] == "mismatch" and angry.data["flagged_for_human"]


def _ticket(sessions, ticket_no: str) -> m.ComplaintTicket:
    with sessions() as s:
        return s.scalars(select(m.ComplaintTicket).where(m.ComplaintTicket.ticket_no == ticket_no)).one()


def test_complaint_keeps_the_photo_verdict_for_agents(service, sessions):
    order = one(sessions, lambda o: o.shopper_id == 3)
    photo = {"media_id": "image-" + "a" * 64 + ".jpg", "verdict": "colour_differs",
             "evidence": "颜色差异明显：收到偏蓝，商品图为灰色", "measures": {"delta_e2000": 24.0, "structure": 0.81}}
    filed = service.file_complaint(3, "收到的颜色和图片不一样", order_no=order.order_no, category="mismatch",
                                   photo=photo)
    assert filed.data["photo_verdict"] == "colour_differs"
    ticket = _ticket(sessions, filed.data["ticket_no"])
    assert (ticket.evidence_media_id, ticket.photo_verdict, ticket.photo_evidence) == (
        photo["media_id"], "colour_differs", "颜色差异明显：收到偏蓝，商品图为灰色")
    assert json.loads(ticket.photo_measures) == {"delta_e2000": 24.0, "structure": 0.81}
    plain = service.file_complaint(3, "客服态度不好")
    bare = _ticket(sessions, plain.data["ticket_no"])
    assert bare.photo_verdict is None and bare.evidence_media_id is None and plain.data["photo_verdict"] is None


@pytest.mark.parametrize("photo", [{"verdict": "looks fine"}, {"verdict": "match", "media_id": "x" * 101},
                                   {"verdict": "match", "media_id": 5}, "match"])
def test_a_malformed_photo_verdict_writes_no_ticket(service, sessions, photo):
    before = count(sessions, m.ComplaintTicket)
    with pytest.raises(ValueError):
        service.file_complaint(3, "和图片不符", category="mismatch", photo=photo)
    assert count(sessions, m.ComplaintTicket) == before


def test_behaviour_events_are_recorded(service, sessions):
    before = count(sessions, m.BehaviourEvent, m.BehaviourEvent.shopper_id == 1)
    service.record_event(1, "view", "P0001")
    assert count(sessions, m.BehaviourEvent, m.BehaviourEvent.shopper_id == 1) == before + 1


def test_preview_says_what_would_happen_and_changes_nothing(service, sessions):
    paid = one(sessions, lambda o: o.shopper_id == 1 and o.status == OrderStatus.PAID).order_no
    refunds_before = count(sessions, m.Refund)
    preview = service.preview().cancel(1, paid)
    assert preview.ok and preview.code == "cancel_paid"
    assert reload(sessions, paid).status == OrderStatus.PAID
    assert count(sessions, m.Refund) == refunds_before
    real = service.cancel(1, paid)
    assert (real.ok, real.code) == (preview.ok, preview.code)
    assert reload(sessions, paid).status == OrderStatus.CANCELLED
    refused = service.preview().cancel(1, paid)
    assert not refused.ok and refused.code == "cancel_already"
