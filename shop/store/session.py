"""Engines and sessions (SQLAlchemy 1.4 with the 2.0-style `future=True` API)."""
from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

from shop.store.settings import db_url


def make_engine(url: str | None = None, **kwargs) -> Engine:
    url = url or db_url()
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            private_file(Path(parsed.database))
        engine = create_engine(url, future=True, **kwargs)
        _sqlite_pragmas(engine)
        return engine
    # pool_pre_ping: the action server runs for days; a PostgreSQL restart must not
    # surface as an error on the shopper's next message.
    return create_engine(url, future=True, pool_pre_ping=True, **kwargs)


def private_file(path: Path) -> None:
    """Creates ``path`` readable by its owner only (0600), or makes an existing one so.

    The order store holds names, phones and addresses: SQLite would create the file with
    the process's umask (usually world-readable), so it is created here first.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    if path.stat().st_mode & 0o077 and path.stat().st_uid == os.getuid():
        path.chmod(0o600)


def _sqlite_pragmas(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        cur = dbapi_conn.cursor()
        # SQLite ignores foreign keys unless asked, and PostgreSQL always enforces them:
        # both backends must refuse the same bad writes.
        cur.execute("PRAGMA foreign_keys=ON")
        # The action server and a seed/migrate run may touch the file at the same time.
        cur.execute("PRAGMA busy_timeout=5000")
        cur.close()


def session_factory(engine: Engine | str | None = None) -> sessionmaker:
    if not isinstance(engine, Engine):
        engine = make_engine(engine)
    # expire_on_commit=False: service methods return plain views built inside the
    # transaction, but callers may still read attributes after commit.
    return sessionmaker(bind=engine, future=True, expire_on_commit=False, class_=Session)
