import datetime as dt

import pytest

from shop.review.queue import Candidate, ReviewQueue
from shop.store.migrate import upgrade
from shop.store.session import make_engine, session_factory

T0 = dt.datetime(2026, 12, 1, 10, 0)


@pytest.fixture
def store_url(tmp_path):
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    upgrade(url)
    return url


@pytest.fixture
def sessions(store_url):
    engine = make_engine(store_url)
    yield session_factory(engine)
    engine.dispose()


@pytest.fixture
def queue(sessions):
    return ReviewQueue(sessions, clock=lambda: T0)


def candidate(text, source=None, reasons=("low_confidence",), top=(("ask_stock", 0.31),), entities=()):
    return Candidate(source=source or f"src-{text}", conversation="c" * 64, channel="rest", occurred_at=T0,
                     text=text, reasons=list(reasons), top_intents=[list(t) for t in top],
                     entities=list(entities), context=[{"who": "shopper", "text": text, "this": True}])
