"""Two Rasa processes side by side share one Redis lock store: one conversation, one turn at a time.

Each worker process is what a second `rasa run` does per message: take the
conversation's lock from the configured lock store, read the conversation, work,
write it back. Two processes that interleave lose turns; with a working shared
lock every increment survives. Rasa 3.6's own RedisLockStore hung here (its ticket
queue is a JSON value updated by GET/SET, see shop/locking.py), so the shipped
configuration names shop.locking.AtomicRedisLockStore. The redis-server is the one
scripts/install_falkordb.sh installs, on a free loopback port, without persistence.
"""
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.channels.test_shared_duplicate_store import REDIS_SERVER, redis_url  # noqa: F401  (fixture)

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(not REDIS_SERVER.exists(), reason="no redis-server (run scripts/install_falkordb.sh)")

WORKER = textwrap.dedent("""
    import asyncio, sys
    from pathlib import Path
    from rasa.core.lock_store import LockStore
    from rasa.utils.endpoints import EndpointConfig

    async def main(port, state, turns):
        # Built as `rasa run` builds it from endpoints.yml.
        store = LockStore.create(EndpointConfig(url="127.0.0.1", type="shop.locking.AtomicRedisLockStore",
                                                port=int(port), db=0))
        for _ in range(int(turns)):
            async with store.lock("miniprogram:oShared", wait_time_in_seconds=0.01):
                n = int(Path(state).read_text())
                await asyncio.sleep(0.01)  # the turn's work: NLU, actions
                Path(state).write_text(str(n + 1))

    asyncio.run(main(*sys.argv[1:]))
""")


def run_workers(port: str, state, turns: int, workers: int = 2) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [subprocess.Popen([sys.executable, "-c", WORKER, port, str(state), str(turns)], env=env)
             for _ in range(workers)]
    for p in procs:
        assert p.wait(timeout=120) == 0


def test_two_processes_never_interleave_a_conversation(redis_url, tmp_path):  # noqa: F811
    port = redis_url.rsplit(":", 1)[1].split("/")[0]
    state = tmp_path / "conversation"
    state.write_text("0")
    run_workers(port, state, turns=15)
    assert state.read_text() == "30"


def test_the_shipped_docs_configure_the_redis_lock_store():
    import yaml
    doc = (Path(__file__).resolve().parents[2] / "docs" / "deploy.md").read_text(encoding="utf-8")
    block = doc.split("```yaml", 1)[1].split("```", 1)[0]
    config = yaml.safe_load(block)
    assert config["lock_store"]["type"] == "shop.locking.AtomicRedisLockStore"
    assert config["tracker_store"]["dialect"] == "postgresql"
