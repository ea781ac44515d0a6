"""The demo seed: deterministic, idempotent, every order state, data that passes the shop's own checks."""
import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from shop.orders import OrderService
from shop.rules import validate_order_no, validate_phone, validate_tax_number
from shop.rules.logistics import detect_delay
from shop.rules.policy import OrderStatus, ReturnStatus
from shop.store import models as m
from shop.store.migrate import upgrade
from shop.store.products import demo_products
from shop.store.seed import main as seed_main, seed
from shop.store.session import make_engine, session_factory
from tests.store.conftest import ANCHOR
from tests.store.helpers import count, orders


def _dump(url):
    engine = make_engine(url)
    with session_factory(engine)() as s:
        rows = [(o.order_no, o.status, o.pay_amount, o.created_at, tuple((i.product_id, i.color, i.size, i.qty)
                 for i in o.items)) for o in s.scalars(select(m.Order).order_by(m.Order.order_no)
                                                      .options(selectinload(m.Order.items)))]
        events = s.scalars(select(m.TrackingEvent.description).order_by(m.TrackingEvent.id)).all()
        phones = s.scalars(select(m.Shopper.phone).order_by(m.Shopper.id)).all()
    engine.dispose()
    return rows, events, phones


def test_same_anchor_same_data_and_second_run_does_nothing(tmp_path, monkeypatch, sqlite_template, capsys):
    url = f"sqlite:///{tmp_path / 'again.db'}"
    monkeypatch.setenv("SHOP_SEED_NOW", ANCHOR.isoformat())
    assert seed_main(["--url", url]) == 0
    assert _dump(url) == _dump(f"sqlite:///{sqlite_template}")
    assert seed_main(["--url", url]) == 0
    assert "already seeded" in capsys.readouterr().out
    assert len(_dump(url)[0]) == len(_dump(f"sqlite:///{sqlite_template}")[0])
    # --reset reseeds the same rows (a different anchor would shift dates and numbers)
    assert seed_main(["--url", url, "--reset"]) == 0
    assert _dump(url) == _dump(f"sqlite:///{sqlite_template}")


def test_every_state_is_there(sessions):
    all_orders = orders(sessions)
    assert 70 <= len(all_orders) <= 90
    assert count(sessions, m.Shopper) == 20
    statuses = {o.status for o in all_orders}
    assert statuses == set(OrderStatus.ALL)
    delivered = [o for o in all_orders if o.status == OrderStatus.DELIVERED]
    assert any(ANCHOR - o.delivered_at < dt.timedelta(days=7) for o in delivered)
    assert any(ANCHOR - o.delivered_at > dt.timedelta(days=8) for o in delivered)
    shipped = [o for o in all_orders if o.status == OrderStatus.SHIPPED]
    lags = [detect_delay(o.status, now=ANCHOR, last_update_at=o.shipments[0].events[-1].occurred_at).code
            for o in shipped]
    assert "parcel_delayed" in lags and "parcel_moving" in lags
    paid = [o for o in all_orders if o.status == OrderStatus.PAID]
    assert {detect_delay(o.status, now=ANCHOR, paid_at=o.paid_at).code for o in paid} == {"awaiting_shipment",
                                                                                           "shipment_late"}
    returns = {r.status for o in all_orders for r in o.return_requests}
    assert {ReturnStatus.REQUESTED, ReturnStatus.RECEIVED, ReturnStatus.REFUNDED, ReturnStatus.EXCHANGED} <= returns
    assert any(o.refunds for o in all_orders if o.status == OrderStatus.CANCELLED)
    assert count(sessions, m.BehaviourEvent, m.BehaviourEvent.kind == "pay") > 0
    assert count(sessions, m.ComplaintTicket, m.ComplaintTicket.flagged_for_human.is_(True)) >= 1


def test_demo_shopper_has_one_of_each(service):
    assert service.shopper_for_sender("rest", "demo").name == "张伟"
    statuses = {o.status for o in service.recent_orders(1, limit=50)}
    assert statuses == set(OrderStatus.ALL)


def test_numbers_products_and_money_are_consistent(sessions):
    products = {p.id: p for p in demo_products()}
    for o in orders(sessions):
        assert validate_order_no(o.order_no).allowed and o.order_no[:8] == o.created_at.strftime("%Y%m%d")
        assert validate_phone(o.receiver_phone).allowed
        assert o.pay_amount == o.items_total + o.shipping_fee - o.discount
        for i in o.items:
            p = products[i.product_id]
            assert (i.product_name, i.category, i.unit_price) == (p.name, p.category, p.price)
            assert (i.color, i.size) in {(v.color, v.size) for v in p.variants}
        for sh in o.shipments:
            times = [e.occurred_at for e in sh.events]
            assert times == sorted(times) and times[-1] <= ANCHOR
            assert all(any("\u4e00" <= c <= "\u9fff" for c in e.description) for e in sh.events)  # Chinese
    with sessions() as s:
        for tax in s.scalars(select(m.Invoice.tax_number).where(m.Invoice.tax_number.is_not(None))):
            assert validate_tax_number(tax).allowed
