"""The embedded default server: password required, loopback only, data kept across restarts."""
import os
import socket
import stat

import pytest
import redis

from shop.graph.falkor_store import FalkorStore
from shop.graph.settings import settings_from_env
from shop.graph.server import USER


def _non_loopback_addresses():
    addrs = set()
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("192.0.2.1", 9))  # no packet is sent for UDP connect; picks the outbound interface
            addrs.add(s.getsockname()[0])
    except OSError:
        pass
    for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET):
        addrs.add(info[4][0])
    return sorted(a for a in addrs if not a.startswith("127."))


def test_refuses_clients_without_password(falkor_server):
    with pytest.raises(redis.AuthenticationError):
        redis.Redis(port=falkor_server.port, socket_timeout=2).ping()
    with pytest.raises(redis.AuthenticationError):
        redis.Redis(port=falkor_server.port, username=USER, password="wrong", socket_timeout=2).ping()
    with pytest.raises(redis.AuthenticationError):
        redis.Redis(port=falkor_server.port, username="default", password="", socket_timeout=2).ping()


def test_listens_on_loopback_only(falkor_server):
    listening = []
    for line in open("/proc/net/tcp").read().splitlines()[1:] + open("/proc/net/tcp6").read().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        if state == "0A" and int(local.rsplit(":", 1)[1], 16) == falkor_server.port:
            listening.append(local.rsplit(":", 1)[0])
    assert listening == ["0100007F"], listening  # 127.0.0.1 only, no IPv6, no 0.0.0.0
    for addr in _non_loopback_addresses():
        with socket.socket() as s:
            s.settimeout(1)
            assert s.connect_ex((addr, falkor_server.port)) != 0, f"reachable on {addr}"


def test_password_file_is_private_and_stable(falkor_server):
    pw_file = falkor_server.data_dir / "password"
    assert stat.S_IMODE(os.stat(pw_file).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(falkor_server.conf_file).st_mode) == 0o600
    assert len(falkor_server.password) >= 32
    assert falkor_server.password == pw_file.read_text().strip()
    assert "BOLT_PORT" not in falkor_server.conf_file.read_text()


def test_settings_read_password_file(falkor_server, tmp_path):
    s = settings_from_env({"SHOP_GRAPH_URL": f"falkor://127.0.0.1:{falkor_server.port}/shop",
                           "SHOP_GRAPH_DIR": str(falkor_server.data_dir)})
    assert s.password == falkor_server.password and s.graph_name == "shop" and s.username == "shop"
    store = FalkorStore.from_settings(s)
    assert store.query("MATCH (p:Product {id: $id}) RETURN p.id AS id", {"id": "P0001"}) == [{"id": "P0001"}]
    store.close()


def test_data_survives_restart(falkor_server):
    store = FalkorStore(port=falkor_server.port, graph="restart", password=falkor_server.password)
    store.write("MERGE (:Marker {id: $id})", {"id": "kept"})
    store.close()
    falkor_server.stop()
    assert falkor_server.pid() is None
    falkor_server.start()
    store = FalkorStore(port=falkor_server.port, graph="restart", password=falkor_server.password)
    assert store.query("MATCH (m:Marker) RETURN m.id AS id") == [{"id": "kept"}]
    store.close()


def test_bolt_settings_require_credentials():
    from shop.graph import from_env
    with pytest.raises(ValueError):
        from_env({"SHOP_GRAPH_URL": "bolt://127.0.0.1:7687"})


def test_missing_binaries_say_how_to_install(tmp_path):
    from shop.graph.server import FalkorDBMissing, binaries
    with pytest.raises(FalkorDBMissing, match="scripts/install_falkordb.sh"):
        binaries(tmp_path)
