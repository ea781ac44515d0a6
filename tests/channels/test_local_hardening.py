"""Finding 10, local: the API token off the command line, private data files, an action server that needs its secret."""
from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from actions import server as action_server
from channels import server as rasa_server
from shop.store.session import make_engine

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _status(url: str, data: bytes | None = None) -> int:
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"},
                                 method="POST" if data is not None else "GET")
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def _wait(url: str, proc: subprocess.Popen, log: Path, seconds: float = 180) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"server exited: {log.read_text(errors='replace')[-2000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.5)
    pytest.fail("server did not start")


def test_the_rasa_token_is_read_from_a_file_and_never_shown_in_the_process_list(tmp_path):
    token_file = tmp_path / "rasa_api_token"
    token_file.write_text("-file-token-" + "x" * 20 + "\n")   # token_urlsafe may start with "-" (1 in 64)
    port, log = _free_port(), tmp_path / "rasa.log"
    env = {**os.environ, "SHOP_RASA_API_TOKEN_FILE": str(token_file), "RASA_TELEMETRY_ENABLED": "false",
           "PYTHONPATH": str(ROOT)}
    env.pop("SHOP_RASA_API_TOKEN", None)
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "channels.server", "run", "--enable-api", "-i", "127.0.0.1",
                                 "-p", str(port), "--model", str(tmp_path / "no-model.tar.gz"),
                                 "--endpoints", str(tmp_path / "none.yml"), "--credentials", str(tmp_path / "none.yml")],
                                cwd=tmp_path, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        _wait(base + "/", proc, log)
        cmdline = Path(f"/proc/{proc.pid}/cmdline").read_bytes()
        assert b"file-token" not in cmdline and b"--auth-token" not in cmdline
        assert _status(base + "/status?token=wrong") == 401
        assert _status(base + "/status?token=-file-token-" + "x" * 20) == 409  # authenticated; no model loaded
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_the_launcher_refuses_a_token_on_the_command_line(capsys):
    assert rasa_server.main(["run", "--enable-api", "--auth-token", "secret"]) == 2
    assert rasa_server.main(["run", "--auth-token=secret"]) == 2
    assert "command line" in capsys.readouterr().err


def test_tokens_come_from_the_environment_before_the_file(tmp_path):
    f = tmp_path / "t"
    f.write_text("from-file\n")
    assert rasa_server.api_token({"SHOP_RASA_API_TOKEN": "from-env", "SHOP_RASA_API_TOKEN_FILE": str(f)}) == "from-env"
    assert rasa_server.api_token({"SHOP_RASA_API_TOKEN_FILE": str(f)}) == "from-file"
    assert rasa_server.api_token({"SHOP_RASA_API_TOKEN_FILE": str(tmp_path / "missing")}) is None
    assert action_server.action_token({"SHOP_ACTION_TOKEN_FILE": str(f)}) == "from-file"


def test_data_files_are_private(tmp_path):
    """The order store and tracker store were readable by every local user."""
    url = f"sqlite:///{tmp_path / 'var' / 'shop.db'}"
    engine = make_engine(url)
    with engine.connect() as c:
        c.exec_driver_sql("CREATE TABLE t (a)")
    engine.dispose()
    assert stat.S_IMODE((tmp_path / "var" / "shop.db").stat().st_mode) == 0o600
    old = tmp_path / "var" / "tracker.db"
    old.write_bytes(b"")
    old.chmod(0o644)
    (tmp_path / "var").chmod(0o755)
    (tmp_path / "var" / "graph").mkdir()
    (tmp_path / "var" / "graph" / "password").write_text("secret")
    (tmp_path / "var" / "graph" / "password").chmod(0o644)
    changed = rasa_server.make_private(tmp_path / "var")
    assert {p.name for p in changed} == {"var", "tracker.db", "graph", "password"}
    assert stat.S_IMODE(old.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "var").stat().st_mode) == 0o700


def test_the_action_server_refuses_calls_without_the_shared_secret(tmp_path):
    """A hand-made tracker from any local process used to get a shopper's orders back."""
    port, log = _free_port(), tmp_path / "actions.log"
    env = {**os.environ, "SHOP_ACTION_TOKEN": "action-secret-1", "SANIC_HOST": "127.0.0.1", "PYTHONPATH": str(ROOT),
           "SHOP_DB_URL": f"sqlite:///{tmp_path / 'shop.db'}"}
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "actions.server", "--actions", "actions", "-p", str(port)],
                                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        _wait(base + "/health", proc, log)
        call = json.dumps({"next_action": "action_order_task", "sender_id": "demo", "version": "3.6.21",
                           "tracker": {"sender_id": "demo", "slots": {}, "latest_message": {}, "events": [],
                                       "paused": False, "followup_action": None, "active_loop": {},
                                       "latest_action_name": None}, "domain": {}}).encode()
        assert _status(base + "/webhook", call) == 401
        assert _status(base + "/webhook?token=wrong", call) == 401
        assert _status(base + "/actions") == 401
        assert _status(base + "/actions?token=action-secret-1") == 200
        assert _status(base + "/health") == 200
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_the_action_server_does_not_start_without_a_secret(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "SHOP_ACTION_TOKEN"}
    env.update({"SHOP_ACTION_TOKEN_FILE": str(tmp_path / "missing"), "PYTHONPATH": str(ROOT)})
    done = subprocess.run([sys.executable, "-m", "actions.server", "-p", str(_free_port())], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "no secret" in done.stderr
