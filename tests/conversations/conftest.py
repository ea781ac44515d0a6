"""Live conversations: the trained model, the real action server and a seeded order store.

The model is the one scripts/train.sh built for the current data (make test trains it
first and sets SHOP_REQUIRE_MODEL=1, so a missing model fails there; a plain pytest run
without a model skips these and says why). The action server is started as make run
starts it, on a free loopback port, with the shop clock pinned to the seed's anchor so
every "delivered 3 days ago" is the same on every run. Each test talks as a fresh sender
bound to a seeded shopper, so conversations never share a tracker.
"""
from __future__ import annotations

import asyncio
import itertools
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from shop.identity import bind
from shop.store import models as m
from shop.store.clock import china_now
from shop.store.migrate import upgrade
from shop.store.seed import seed
from shop.store.session import make_engine, session_factory

ROOT = Path(__file__).resolve().parents[2]
ANCHOR = "2025-11-24T10:00"
_senders = itertools.count(1)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def current_model() -> Path:
    out = subprocess.run(["bash", "scripts/train.sh"], cwd=ROOT, capture_output=True, text=True, check=True,
                         env={**os.environ, "SHOP_TRAIN_DRY_RUN": "1"})
    return ROOT / out.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="session")
def model_path() -> Path:
    # SHOP_MODEL: try a given model (e.g. while the data is being edited) instead of the current one.
    path = Path(os.environ["SHOP_MODEL"]) if os.environ.get("SHOP_MODEL") else current_model()
    if not path.exists():
        message = f"no trained model for the current data ({path.name}); run `make train` first"
        if os.environ.get("SHOP_REQUIRE_MODEL"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def store_url(tmp_path_factory) -> str:
    import datetime as dt
    url = f"sqlite:///{tmp_path_factory.mktemp('conversations') / 'shop.db'}"
    upgrade(url)
    engine = make_engine(url)
    with session_factory(engine)() as s, s.begin():
        seed(s, dt.datetime.fromisoformat(ANCHOR))
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def sessions(store_url):
    engine = make_engine(store_url)
    yield session_factory(engine)
    engine.dispose()


@pytest.fixture(scope="session")
def graph_server(tmp_path_factory):
    """The embedded FalkorDB as make run starts it (loopback, password), seeded with the catalog."""
    from shop.catalog import load_catalog
    from shop.graph.falkor_store import FalkorStore
    from shop.graph.seed import seed as seed_graph
    from shop.graph.server import EmbeddedFalkorDB
    server = EmbeddedFalkorDB(data_dir=tmp_path_factory.mktemp("graph"), port=_free_port())
    server.start()
    store = FalkorStore(port=server.port, graph="shop", username="shop", password=server.password)
    seed_graph(store, load_catalog())
    store.close()
    yield server
    server.stop()


def wait_until_serving(url: str, proc: subprocess.Popen, log: Path, seconds: float, what: str) -> None:
    """Returns once ``url`` answers; fails the test with the log's tail if the process dies or is too slow."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            if proc.poll() is not None:
                pytest.fail(f"{what} exited: {log.read_text(errors='replace')[-3000:]}", pytrace=False)
            time.sleep(0.5)
    proc.kill()
    pytest.fail(f"{what} did not start within {seconds:.0f} s", pytrace=False)


@pytest.fixture(scope="session")
def media_root(tmp_path_factory) -> Path:
    """The action server's media store (SHOP_MEDIA_DIR); tests put shoppers' photos under uploads/."""
    root = tmp_path_factory.mktemp("media")
    (root / "uploads").mkdir()
    return root


@pytest.fixture(scope="session")
def sms_outbox(tmp_path_factory) -> Path:
    """Where the action server's one-time codes go (shop.identity.sms.OutboxSms): the shoppers' phones."""
    return tmp_path_factory.mktemp("sms") / "sms_outbox.jsonl"


@pytest.fixture(scope="session")
def action_server(store_url, graph_server, media_root, sms_outbox, tmp_path_factory):
    port = _free_port()
    log = tmp_path_factory.mktemp("actions") / "actions.log"
    env = {**os.environ, "SHOP_DB_URL": store_url, "SHOP_NOW": ANCHOR, "SANIC_HOST": "127.0.0.1",
           "SHOP_MEDIA_DIR": str(media_root), "SHOP_SMS_OUTBOX": str(sms_outbox),
           "PYTHONPATH": str(ROOT), "SHOP_GRAPH_URL": f"falkor://127.0.0.1:{graph_server.port}/shop",
           "SHOP_GRAPH_USER": "shop", "SHOP_GRAPH_PASSWORD": graph_server.password}
    with log.open("wb") as out:
        # As make run starts it: only calls with the shared secret ($SHOP_ACTION_TOKEN) are answered.
        proc = subprocess.Popen([sys.executable, "-m", "actions.server", "--actions", "actions", "-p", str(port)],
                                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    wait_until_serving(url + "/health", proc, log, 120, "action server")
    yield url + "/webhook"
    proc.terminate()
    proc.wait(timeout=30)


@pytest.fixture(scope="session")
def loop():
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


@pytest.fixture(scope="session")
def agent(model_path, action_server, loop):
    from rasa.core.agent import load_agent
    from rasa.core.utils import AvailableEndpoints
    from rasa.utils.endpoints import EndpointConfig
    from rasa.core.utils import read_endpoints_from_path
    # The shipped NLG (endpoints.yml: varied wording, never the same text twice in a row).
    nlg = read_endpoints_from_path(ROOT / "endpoints.yml").nlg
    action = EndpointConfig(action_server, token=os.environ["SHOP_ACTION_TOKEN"])
    return loop.run_until_complete(load_agent(model_path=str(model_path),
                                              endpoints=AvailableEndpoints(action=action, nlg=nlg)))


class Conversation:
    def __init__(self, agent, loop, sender: str):
        self.agent, self.loop, self.sender = agent, loop, sender
        self.transcript: list[str] = []

    def say(self, text: str, metadata: dict | None = None) -> str:
        from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
        out = CollectingOutputChannel()
        self.loop.run_until_complete(self.agent.handle_message(
            UserMessage(text, out, self.sender, input_channel="rest", metadata=metadata)))
        replies = out.messages
        answer = "\n".join(r.get("text", "") for r in replies or [] if r.get("text"))
        self.transcript += [f"用户：{text}", f"客服：{answer}"]
        return answer

    def expect(self, text: str, *wanted: str, absent: tuple[str, ...] = (), metadata: dict | None = None) -> str:
        answer = self.say(text, metadata)
        for w in wanted:
            assert w in answer, f"expected {w!r} after {text!r}\n" + "\n".join(self.transcript)
        for w in absent:
            assert w not in answer, f"did not expect {w!r} after {text!r}\n" + "\n".join(self.transcript)
        return answer

    def slot(self, name: str):
        tracker = self.loop.run_until_complete(self.agent.tracker_store.retrieve(self.sender))
        return tracker.get_slot(name) if tracker else None  # no tracker before the first message


@pytest.fixture
def talk(agent, loop, sessions):
    """talk(shopper_id) → a conversation as a new sender bound to that shopper (None: unknown sender)."""
    def make(shopper_id: int | None = 1) -> Conversation:
        sender = f"conv-{os.getpid()}-{next(_senders)}"
        if shopper_id is not None:
            with sessions() as s, s.begin():
                # As the one-time-code step binds a sender (test setup; shop.identity).
                bind(s, "rest", sender, shopper_id, "otp", china_now())
        return Conversation(agent, loop, sender)
    return make


@pytest.fixture
def agent_on_duty(sessions):
    """An agent signed in to the workbench for the length of one test (then signed out again)."""
    from shop.workbench.accounts import Accounts
    accounts = Accounts(sessions)
    agent = accounts.authenticate("duty01", "a-long-enough-password-1") or \
        accounts.add_agent("duty01", "值班客服", "a-long-enough-password-1")
    token, _ = accounts.open_session(agent)
    yield agent
    accounts.close_session(token)
