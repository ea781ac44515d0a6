"""Migrations build the models' schema from nothing, on SQLite and PostgreSQL."""
import datetime as dt
from decimal import Decimal

import pytest
from alembic import command
from sqlalchemy import func, inspect, select, text

from shop.store import migrate
from shop.store import models as m
from shop.store.models import Base
from shop.store.session import make_engine, session_factory


def _tables(url):
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.db'}"
    return request.getfixturevalue("pg_empty_url")


def test_upgrade_from_empty_to_head_matches_the_models(empty_url):
    assert migrate.current_revision(empty_url) is None
    migrate.upgrade(empty_url)
    assert migrate.current_revision(empty_url) == migrate.head_revision()
    assert _tables(empty_url) == set(Base.metadata.tables)
    assert migrate.schema_differences(empty_url) == []
    migrate.upgrade(empty_url)  # a second upgrade is a no-op
    command.downgrade(migrate.alembic_config(empty_url), "base")
    assert _tables(empty_url) == set()
    migrate.upgrade(empty_url)
    assert migrate.schema_differences(empty_url) == []


def test_cli_upgrade_and_check(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    assert migrate.main(["--url", url]) == 0
    assert migrate.main(["check", "--url", url]) == 0
    assert "schema matches" in capsys.readouterr().out


def test_0002_keeps_seeded_coupons_and_admits_cart_reminders(empty_url):
    migrate.upgrade(empty_url, "0001")
    engine = make_engine(empty_url)
    sessions = session_factory(engine)
    # Rows written as the 0001 schema holds them (today's models have columns 0001 lacks).
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO shoppers (id, name, phone, created_at) "
                          "VALUES (1, '张伟', '13800138000', '2025-11-01 10:00:00')"))
        for i, source in enumerate(("promotion", "delay_compensation", "complaint_compensation")):
            conn.execute(text("INSERT INTO coupons (code, shopper_id, title, amount, threshold, valid_from, "
                              "valid_until, source) VALUES (:code, 1, '满减券', 1000, 9900, "
                              "'2025-11-01 00:00:00', '2025-12-01 00:00:00', :source)"),
                         {"code": f"OLD{i}", "source": source})
    before = 3
    migrate.upgrade(empty_url)
    with sessions() as s, s.begin():
        assert s.scalar(select(func.count()).select_from(m.Coupon)) == before
        now = dt.datetime(2025, 11, 24, 10, 0)
        s.add(m.Coupon(code="CRTEST", shopper_id=1, title="购物车专享", amount=Decimal("10"),
                       threshold=Decimal("99"), valid_from=now, valid_until=now + dt.timedelta(days=3),
                       source="cart_reminder"))
    engine.dispose()
    # The old CHECK cannot hold that row: the downgrade refuses rather than delete it.
    with pytest.raises(RuntimeError, match="cart_reminder"):
        command.downgrade(migrate.alembic_config(empty_url), "0001")
    # PostgreSQL rolls the whole downgrade back (transactional DDL); SQLite keeps the
    # later revisions' steps that ran before the refusal. Either way 0002 and the row stay.
    assert migrate.current_revision(empty_url) in ("0002", migrate.head_revision())
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(m.Coupon).where(m.Coupon.code == "CRTEST")) == 1


def test_0005_keeps_the_demo_sender_and_distrusts_bindings_made_without_proof(empty_url):
    """Finding 1/3: bindings by sender name or by a phone number alone stop identifying anyone."""
    migrate.upgrade(empty_url, "0004")
    engine = make_engine(empty_url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO shoppers (id, name, phone, created_at) "
                          "VALUES (1, '张伟', '13800138000', '2025-11-01 10:00:00')"))
        for channel, sender in (("rest", "demo"), ("rest", "shopper01"), ("app", "app:u-1")):
            conn.execute(text("INSERT INTO shopper_channels (shopper_id, channel, external_id, created_at) "
                              "VALUES (1, :c, :e, '2025-11-01 10:00:00')"), {"c": channel, "e": sender})
    migrate.upgrade(empty_url)
    with session_factory(engine)() as s:
        kinds = dict(s.execute(select(m.ShopperChannel.external_id, m.ShopperChannel.verified_by)).all())
    assert kinds == {"demo": "demo", "shopper01": "legacy", "app:u-1": "legacy"}
    engine.dispose()
