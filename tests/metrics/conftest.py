"""Event streams saved through Rasa's own SQLTrackerStore into a temporary SQLite file."""
from __future__ import annotations

import asyncio
import os
import datetime as dt
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Iterable

import pytest
from rasa.shared.core.events import BotUttered, ConversationPaused, ConversationResumed, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from shop.store.clock import CHINA

# An hour boundary, so hourly buckets are easy to count by hand.
T0 = 1_764_000_000 - 1_764_000_000 % 3600


def user(t: float, text: str, intent: str) -> UserUttered:
    return UserUttered(text, intent={"name": intent, "confidence": 0.99}, timestamp=t,
                       input_channel="test", metadata={"channel": "test"})


def bot(t: float, text: str = "好的", agent: str | None = None) -> BotUttered:
    return BotUttered(text, metadata={"agent": agent} if agent else {}, timestamp=t)


def paused(t: float) -> ConversationPaused:
    return ConversationPaused(timestamp=t)


def resumed(t: float) -> ConversationResumed:
    return ConversationResumed(timestamp=t)


def session(t: float) -> SessionStarted:
    return SessionStarted(timestamp=t)


def save_conversations(db: Path, conversations: dict[str, Iterable]) -> str:
    """Saves each sender's events (one tracker each) with Rasa's SQLTrackerStore; returns the URL."""
    save_to_tracker_store(conversations, dialect="sqlite", db=str(db))
    return f"sqlite:///{db}"


def save_to_tracker_store(conversations: dict[str, Iterable], **settings) -> None:
    """Saves each sender's events through a SQLTrackerStore built from ``settings`` (any dialect)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from rasa.core.tracker_store import SQLTrackerStore
        store = SQLTrackerStore(**settings)

    async def save_all():
        for sender, events in conversations.items():
            await store.save(DialogueStateTracker.from_events(sender, list(events)))

    # a thread of its own, so async tests (already inside a loop) can save more on the way
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, save_all()).result()
    store.engine.dispose()


def china(t: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(t, CHINA).replace(tzinfo=None)


def save_ratings(db: Path, ratings: Iterable[tuple]) -> str:
    """(conversation_id, channel, stars, unix time[, agent]) rows into the shop store's real ratings table."""
    from shop.store.models import Base, Rating
    from shop.store.session import make_engine, session_factory
    url = f"sqlite:///{db}"
    engine = make_engine(url)
    Base.metadata.create_all(engine)
    with session_factory(engine)() as s:
        for conversation_id, channel, stars, t, *agent in ratings:
            s.add(Rating(conversation_id=conversation_id, channel=channel, stars=stars,
                         agent=agent[0] if agent else None, comment="", created_at=china(t)))
        s.commit()
    engine.dispose()
    return url


@pytest.fixture
def empty_shop_db(tmp_path) -> str:
    return save_ratings(tmp_path / "shop.db", [])


class ThrowawayRabbitMQ:
    """A RabbitMQ node of its own (Debian's rabbitmq-server) on free loopback ports, data in a temp dir.

    The default guest account is used: RabbitMQ lets it in from loopback only.
    """

    BIN = Path("/usr/lib/rabbitmq/bin")

    def __init__(self, base: Path):
        import socket

        def free() -> int:
            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
                return s.getsockname()[1]

        self.base, self.port, dist = base, free(), free()
        self.node = f"shoptest{self.port}@localhost"
        (base / "enabled_plugins").write_text("[].\n")
        (base / "rabbitmq.conf").write_text(f"listeners.tcp.default = 127.0.0.1:{self.port}\n")
        self.env = {**os.environ, "HOME": str(base), "RABBITMQ_NODENAME": self.node,
                    "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1", "ERL_EPMD_ADDRESS": "127.0.0.1",
                    "RABBITMQ_DIST_PORT": str(dist), "RABBITMQ_MNESIA_BASE": str(base / "mnesia"),
                    "RABBITMQ_LOG_BASE": str(base / "log"), "RABBITMQ_CONFIG_FILE": str(base / "rabbitmq"),
                    "RABBITMQ_ENABLED_PLUGINS_FILE": str(base / "enabled_plugins"),
                    "RABBITMQ_PID_FILE": str(base / "pid")}
        self.process = None

    def start(self) -> None:
        import subprocess
        self.process = subprocess.Popen([str(self.BIN / "rabbitmq-server")], env=self.env,
                                        stdout=open(self.base / "out.log", "wb"), stderr=subprocess.STDOUT)
        subprocess.run([str(self.BIN / "rabbitmqctl"), "-n", self.node, "wait", "--timeout", "90",
                        str(self.base / "pid")], env=self.env, check=True, capture_output=True, timeout=120)

    def stop(self) -> None:
        import subprocess
        subprocess.run([str(self.BIN / "rabbitmqctl"), "-n", self.node, "stop"], env=self.env,
                       capture_output=True, timeout=60)
        if self.process is not None:
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()


@pytest.fixture(scope="session")
def rabbitmq():
    import shutil
    import subprocess
    import tempfile
    if not (ThrowawayRabbitMQ.BIN / "rabbitmq-server").exists():
        pytest.skip("RabbitMQ not installed (apt-get install rabbitmq-server; scripts/install_system.sh --cluster)")
    base = Path(tempfile.mkdtemp(prefix="shop-rabbitmq-"))
    server = ThrowawayRabbitMQ(base)
    try:
        server.start()
    except subprocess.CalledProcessError as exc:
        server.stop()
        pytest.fail(f"could not start RabbitMQ: {exc.stderr.decode(errors='replace')}", pytrace=False)
    yield server
    server.stop()
    shutil.rmtree(base, ignore_errors=True)
