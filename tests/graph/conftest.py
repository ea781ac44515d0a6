"""Real FalkorDB servers for the graph tests, on free loopback ports in tmp dirs.

- `falkor_server`: the default, as `make run` starts it (Redis protocol, ACL password, no Bolt).
- `bolt_server`: a second FalkorDB with BOLT_PORT, standing in for Neo4j; its Bolt
  listener binds every interface and takes auth=None, so it lives only for this session.
Missing binaries fail loudly: run scripts/install_falkordb.sh.
"""
from __future__ import annotations

import socket
import time

import pytest

from shop.catalog import load_catalog
from shop.graph.bolt_store import BoltStore
from shop.graph.falkor_store import FalkorStore
from shop.graph.ports import free_bolt_port, free_loopback_port as free_port
from shop.graph.seed import seed
from shop.graph.server import EmbeddedFalkorDB, FalkorDBMissing, binaries


def _require_binaries() -> None:
    try:
        binaries()
    except FalkorDBMissing as exc:
        pytest.fail(f"{exc}\n(the graph tests need the real server; they do not skip)", pytrace=False)


@pytest.fixture(scope="session")
def catalog():
    return load_catalog()


@pytest.fixture(scope="session")
def falkor_server(tmp_path_factory):
    _require_binaries()
    server = EmbeddedFalkorDB(data_dir=tmp_path_factory.mktemp("falkor"), port=free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def bolt_server(tmp_path_factory):
    _require_binaries()
    server = EmbeddedFalkorDB(data_dir=tmp_path_factory.mktemp("bolt"), port=free_port(),
                              bolt_port=free_bolt_port())
    server.start()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:  # the Bolt listener comes up just after the Redis port
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", server.bolt_port)) == 0:
                break
        time.sleep(0.05)
    else:
        server.stop()
        pytest.fail(f"FalkorDB's Bolt listener did not open port {server.bolt_port}", pytrace=False)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def falkor_store(falkor_server, catalog):
    store = FalkorStore(port=falkor_server.port, graph="shop", username="shop",
                        password=falkor_server.password)
    seed(store, catalog)
    yield store
    store.close()


@pytest.fixture(scope="session")
def bolt_store(bolt_server, catalog):
    # FalkorDB names its Bolt graph `falkordb`; the seed itself runs over Bolt here.
    store = BoltStore(f"bolt://127.0.0.1:{bolt_server.bolt_port}", auth=None)
    seed(store, catalog)
    yield store
    store.close()


@pytest.fixture(params=["falkor", "bolt"])
def store(request):
    return request.getfixturevalue(f"{request.param}_store")
