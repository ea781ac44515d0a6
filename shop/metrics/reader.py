"""Reading the figures' inputs: Rasa's ``events`` table and the shop store's ``ratings``.

Both by SQLAlchemy URL (SQLite files by default, PostgreSQL by URL), read-only.
The events read are bounded: the range itself, the repeat window and one session
before it (a repeat looks back that far), and far enough back to hold the last
LOOKBACK_REPLIES replies, which the last-100 response times need.
"""
from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from pathlib import Path
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url

from shop.metrics.events import BOT, READ_TYPES, Event, channel_of, event_from_row
from shop.metrics.figures import Rating, Settings, dashboard
from shop.store.clock import CHINA

logger = logging.getLogger(__name__)

LOOKBACK_REPLIES = 2000
MAX_RANGE_S = 31 * 24 * 3600

_events = sa.table("events", sa.column("id"), sa.column("sender_id"), sa.column("type_name"),
                   sa.column("timestamp", sa.Float), sa.column("intent_name"), sa.column("data"))
_ratings = sa.table("ratings", sa.column("conversation_id"), sa.column("channel"), sa.column("stars", sa.Integer),
                    sa.column("agent"), sa.column("created_at", sa.DateTime))

_engines: dict = {}
_engines_lock = threading.Lock()


def engine_for(url: str) -> Engine:
    """One engine per URL for the process (they pool connections)."""
    with _engines_lock:
        engine = _engines.get(url)
        if engine is None:
            parsed = make_url(url)  # raises ArgumentError on a malformed URL
            kwargs = {} if parsed.get_backend_name() == "sqlite" else {"pool_pre_ping": True}
            engine = _engines[url] = sa.create_engine(url, future=True, **kwargs)
        return engine


def has_table(engine: Engine, name: str) -> bool:
    """Whether the store has the table; a SQLite file that does not exist yet is not created."""
    database = engine.url.database
    if engine.url.get_backend_name() == "sqlite" and database and database != ":memory:" \
            and not Path(database).exists():
        return False  # connecting would create the file; a reader must not
    return sa.inspect(engine).has_table(name)


def read_events(url: str, since: float, until: float, settings: Settings = Settings()) -> list[Event]:
    engine = engine_for(url)
    if not has_table(engine, "events"):
        logger.info("no events table at the tracker store yet: no conversations")
        return []
    lower = since - settings.repeat_window_s - settings.session_gap_s
    with engine.connect() as conn:
        # the timestamp of the LOOKBACK_REPLIES-th latest reply, if the range does not reach it
        nth = conn.execute(
            sa.select(_events.c.timestamp).where(_events.c.type_name == BOT, _events.c.timestamp < until)
            .order_by(_events.c.timestamp.desc()).limit(1).offset(LOOKBACK_REPLIES - 1)).scalar()
        if nth is None:
            oldest = conn.execute(sa.select(sa.func.min(_events.c.timestamp))
                                  .where(_events.c.timestamp < until)).scalar()
            nth = oldest if oldest is not None else lower
        lower = min(lower, float(nth))
        rows = conn.execute(
            sa.select(_events.c.id, _events.c.sender_id, _events.c.type_name, _events.c.timestamp,
                      _events.c.intent_name, _events.c.data)
            .where(_events.c.timestamp >= lower, _events.c.timestamp < until,
                   _events.c.type_name.in_(READ_TYPES))
            .order_by(_events.c.id)).all()
    return [e for e in (event_from_row(*row) for row in rows) if e is not None]


def china_time(t: float) -> dt.datetime:
    """Unix seconds as the shop store's naive China Standard Time."""
    return dt.datetime.fromtimestamp(t, CHINA).replace(tzinfo=None)


def _unix(naive_china: dt.datetime) -> float:
    return naive_china.replace(tzinfo=CHINA).timestamp()


def read_ratings(url: str, since: float, until: float) -> list[Rating]:
    """Ratings given in [since, until); ``created_at`` is naive China time in the store."""
    engine = engine_for(url)
    if not has_table(engine, "ratings"):
        logger.info("no ratings table in the shop store yet: no ratings")
        return []
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(_ratings.c.conversation_id, _ratings.c.channel, _ratings.c.stars, _ratings.c.agent,
                      _ratings.c.created_at)
            .where(_ratings.c.created_at >= china_time(since), _ratings.c.created_at < china_time(until))).all()
    ratings = []
    for conversation_id, channel, stars, agent, created_at in rows:
        if isinstance(created_at, str):  # SQLite handed back text from a raw insert
            created_at = dt.datetime.fromisoformat(created_at)
        ratings.append(Rating(str(conversation_id), channel or channel_of(conversation_id), int(stars),
                              _unix(created_at), agent))
    return ratings


def load_dashboard(tracker_db_url: str, shop_db_url: str, hours: float = 24, until: Optional[float] = None,
                   settings: Settings = Settings()) -> dict:
    """The dashboard's JSON for the ``hours`` before ``until`` (default now)."""
    until = time.time() if until is None else float(until)
    if not 0 < hours * 3600 <= MAX_RANGE_S:
        raise ValueError(f"hours must be in (0, {MAX_RANGE_S // 3600}], got {hours!r}")
    since = until - hours * 3600
    events = read_events(tracker_db_url, since, until, settings)
    ratings = read_ratings(shop_db_url, since, until)
    result = dashboard(events, ratings, since, until, settings=settings)
    result["generated_at"] = time.time()
    return result
