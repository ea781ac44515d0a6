"""Migration 0004: complaint tickets gain the photo columns; tickets before it are kept."""
from __future__ import annotations

import datetime as dt

import pytest
from alembic import command
from sqlalchemy import text

from shop.store import migrate
from shop.store.session import make_engine


def _exec(url, sql, **params):
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            return conn.execute(text(sql), params).fetchall() if sql.lstrip().upper().startswith("SELECT") \
                else conn.execute(text(sql), params)
    finally:
        engine.dispose()


def test_0004_adds_photo_columns_and_keeps_tickets(tmp_path):
    url = f"sqlite:///{tmp_path / 'm.db'}"
    migrate.upgrade(url, "0003")
    _exec(url, "INSERT INTO shoppers (id, name, phone, created_at) VALUES (1, '张伟', '13800000000', :t)",
          t=dt.datetime(2025, 11, 1))
    _exec(url, "INSERT INTO complaint_tickets (ticket_no, shopper_id, category, priority, flagged_for_human, text, "
               "offers, status, created_at) VALUES ('TS1', 1, 'mismatch', 'normal', 0, '和图片不符', '', 'open', :t)",
          t=dt.datetime(2025, 11, 2))
    migrate.upgrade(url)
    assert migrate.current_revision(url) == migrate.head_revision()  # 0004 and any later revision
    assert migrate.schema_differences(url) == []
    assert migrate.main(["check", "--url", url]) == 0
    assert _exec(url, "SELECT ticket_no, photo_verdict, evidence_media_id FROM complaint_tickets") == [
        ("TS1", None, None)]
    with pytest.raises(Exception):  # the CHECK holds verdicts to the four the code writes
        _exec(url, "UPDATE complaint_tickets SET photo_verdict = 'probably' WHERE ticket_no = 'TS1'")
    # While a ticket holds photo evidence the downgrade refuses; without it, it goes through.
    _exec(url, "UPDATE complaint_tickets SET photo_verdict = 'colour_differs' WHERE ticket_no = 'TS1'")
    with pytest.raises(RuntimeError, match="photo evidence"):
        command.downgrade(migrate.alembic_config(url), "0003")
    assert migrate.current_revision(url) == "0004"
    _exec(url, "UPDATE complaint_tickets SET photo_verdict = NULL")
    command.downgrade(migrate.alembic_config(url), "0003")
    assert migrate.current_revision(url) == "0003"
    assert _exec(url, "SELECT ticket_no FROM complaint_tickets") == [("TS1",)]
