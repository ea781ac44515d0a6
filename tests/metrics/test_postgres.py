"""The same figures from a PostgreSQL tracker store and shop store (a throwaway server on loopback)."""
from __future__ import annotations

import uuid

from sqlalchemy import create_engine, text

from shop.metrics.reader import load_dashboard
from tests.metrics.conftest import (T0, bot, china, paused, save_conversations, save_ratings, save_to_tracker_store,
                                   session, user)
from tests.store.conftest import postgres  # noqa: F401  (the store suite's throwaway server)

H = 3600
CONVERSATIONS = {
    "app:7": [session(T0), user(T0 + 1, "快递到哪了", "track_logistics"), bot(T0 + 5),
              session(T0 + 10 * H), user(T0 + 10 * H + 1, "怎么还没到", "track_logistics"), paused(T0 + 10 * H + 2),
              bot(T0 + 10 * H + 62, "您好", agent="li")],
    "social:8": [user(T0 + 7, "谢谢亲", "thank"), bot(T0 + 9)],
}


def _create(server, name: str) -> str:
    name = f"{name}_{uuid.uuid4().hex[:8]}"  # the server is shared with the store suite
    engine = create_engine(server.url("postgres"), isolation_level="AUTOCOMMIT", future=True)
    with engine.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    engine.dispose()
    return server.url(name)


def test_postgresql_stores_give_the_same_figures_as_sqlite(postgres, tmp_path):
    tracker_url = _create(postgres, "tracker")
    tracker_db = tracker_url.rsplit("/", 1)[1]
    save_to_tracker_store(CONVERSATIONS, dialect="postgresql", host="127.0.0.1", port=postgres.port,
                          db=tracker_db, username="shop")

    shop_pg = _create(postgres, "shop")
    from shop.store.models import Base, Rating
    from shop.store.session import make_engine, session_factory
    engine = make_engine(shop_pg)
    Base.metadata.create_all(engine)
    with session_factory(engine)() as s:
        s.add(Rating(conversation_id="app:7", channel="app", stars=4, comment="", created_at=china(T0 + 20)))
        s.commit()
    engine.dispose()

    tracker_sqlite = save_conversations(tmp_path / "tracker.db", CONVERSATIONS)
    shop_sqlite = save_ratings(tmp_path / "shop.db", [("app:7", "app", 4, T0 + 20)])

    on_pg = load_dashboard(tracker_url, shop_pg, hours=24, until=T0 + 20 * H)
    on_sqlite = load_dashboard(tracker_sqlite, shop_sqlite, hours=24, until=T0 + 20 * H)
    assert on_pg["figures"] == on_sqlite["figures"]
    assert on_pg["series"] == on_sqlite["series"] and on_pg["channels"] == on_sqlite["channels"]
    figures = on_pg["figures"]
    assert (figures["response_time"]["bot"]["value"], figures["response_time"]["bot"]["samples"]) == (3.0, 2)
    assert figures["response_time"]["human"]["value"] == 61.0  # from the shopper's message, before the pause
    assert (figures["first_contact_resolution"]["samples"], figures["first_contact_resolution"]["repeats"]) == (2, 1)
    assert figures["satisfaction"]["ratings"] == {"value": 4.0, "samples": 1}
