"""Order-store fixtures: a seeded SQLite file per test, and the same on a real PostgreSQL.

PostgreSQL comes from Debian's packages (/usr/lib/postgresql/*/bin): one throwaway
server per session on a free loopback port, data in a temp dir. Seeding is done once
into a template (a file for SQLite, a TEMPLATE database for PostgreSQL) and each test
gets a fresh copy, so tests may change data freely. Without the binaries the
PostgreSQL variants skip and say why.
"""
from __future__ import annotations

import datetime as dt
import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from shop.orders import OrderService
from shop.store.migrate import upgrade
from shop.store.seed import seed
from shop.store.session import make_engine, session_factory

# The seed's anchor and the service's clock in service tests: everything is
# "now" = this moment, so scenarios (delivered 3 days ago ...) are fixed.
ANCHOR = dt.datetime(2025, 11, 24, 10, 0)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pg_bindir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return Path(found[-1]).parent if found else None


class ThrowawayPostgres:
    """initdb + pg_ctl in a temp dir, trust auth on 127.0.0.1 only, no unix socket in /run."""

    def __init__(self, bindir: Path, base: Path):
        self.bindir, self.port = bindir, _free_port()
        self.base = base
        self.data = base / "data"
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            # PostgreSQL refuses to run as root: run it as the postgres system user,
            # which must own the directory (pytest's tmp dirs are root-only, hence mkdtemp).
            pwd.getpwnam("postgres")
            shutil.chown(base, "postgres", "postgres")
            self.as_user = ["runuser", "-u", "postgres", "--"]

    def _run(self, *args: str) -> None:
        subprocess.run([*self.as_user, *args], check=True, capture_output=True, timeout=60)

    def start(self) -> None:
        self._run(str(self.bindir / "initdb"), "-D", str(self.data), "-U", "shop", "--auth=trust",
                  "-E", "UTF8", "--locale=C", "--no-sync")
        opts = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.base} -c fsync=off -c full_page_writes=off"
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-o", opts, "-l", str(self.base / "log"),
                  "-w", "-t", "30", "start")

    def stop(self) -> None:
        try:
            self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")
        except subprocess.CalledProcessError:
            pass

    def url(self, database: str) -> str:
        return f"postgresql+psycopg2://shop@127.0.0.1:{self.port}/{database}"


@pytest.fixture(scope="session")
def postgres():
    bindir = pg_bindir()
    if bindir is None:
        pytest.skip("PostgreSQL binaries not found (/usr/lib/postgresql/*/bin/pg_ctl; apt-get install postgresql)")
    base = Path(tempfile.mkdtemp(prefix="shop-store-pg-"))
    server = ThrowawayPostgres(bindir, base)
    try:
        server.start()
    except subprocess.CalledProcessError as exc:
        shutil.rmtree(base, ignore_errors=True)
        pytest.fail(f"could not start PostgreSQL: {exc.stderr.decode(errors='replace')}", pytrace=False)
    yield server
    server.stop()
    shutil.rmtree(base, ignore_errors=True)


def _admin(server: ThrowawayPostgres, sql: str) -> None:
    engine = create_engine(server.url("postgres"), isolation_level="AUTOCOMMIT", future=True)
    with engine.connect() as conn:
        conn.execute(text(sql))
    engine.dispose()


_db_names = itertools.count(1)


@pytest.fixture
def pg_empty_url(postgres):
    name = f"empty_{next(_db_names)}"
    _admin(postgres, f"CREATE DATABASE {name}")
    return postgres.url(name)


def _seed(url: str) -> None:
    upgrade(url)
    engine = make_engine(url)
    with session_factory(engine)() as s, s.begin():
        seed(s, ANCHOR)
    engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("store-template") / "shop.db"
    _seed(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_template(postgres) -> str:
    _admin(postgres, "CREATE DATABASE shop_template")
    _seed(postgres.url("shop_template"))
    return "shop_template"


@pytest.fixture
def sqlite_sessions(sqlite_template, tmp_path):
    """A fresh copy of the seeded SQLite store (tests that need one backend only)."""
    path = tmp_path / "shop.db"
    shutil.copy(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    yield session_factory(engine)
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    """A freshly seeded store (anchor ANCHOR) on each backend."""
    if request.param == "sqlite":
        path = tmp_path / "shop.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    server = request.getfixturevalue("postgres")
    template = request.getfixturevalue("pg_template")
    name = f"t_{next(_db_names)}"
    _admin(server, f"CREATE DATABASE {name} TEMPLATE {template}")
    yield server.url(name)
    _admin(server, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def sessions(store_url):
    engine = make_engine(store_url)
    yield session_factory(engine)
    engine.dispose()


@pytest.fixture
def clock():
    """A settable clock: tests move time with clock.now = ..."""
    class Clock:
        now = ANCHOR

        def __call__(self):
            return self.now
    return Clock()


@pytest.fixture
def service(sessions, clock):
    return OrderService(sessions, clock=clock)
