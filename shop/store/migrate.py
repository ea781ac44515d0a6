"""Schema migrations for the order store (Alembic, configured in code).

    python -m shop.store.migrate                 upgrade SHOP_DB_URL (or var/shop.db) to head
    python -m shop.store.migrate --url URL       another database
    python -m shop.store.migrate check           exit 1 if the database differs from the models
    python -m shop.store.migrate revision -m "add x"   autogenerate a new revision (developers)
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from shop.store.models import Base
from shop.store.session import make_engine
from shop.store.settings import db_url

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str | None = None, connection=None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    # ConfigParser interpolation would choke on "%" in URL-encoded passwords.
    cfg.set_main_option("sqlalchemy.url", (url or db_url()).replace("%", "%%"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def upgrade(url: str | None = None, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def current_revision(url: str | None = None) -> str | None:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


def schema_differences(url: str | None = None) -> list:
    """Alembic's autogenerate diff between the live database and the models (empty = in sync)."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True})
            return compare_metadata(ctx, Base.metadata)
    finally:
        engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m shop.store.migrate", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", nargs="?", default="upgrade", choices=["upgrade", "check", "revision", "current"])
    parser.add_argument("--url", help="database URL (default: SHOP_DB_URL or var/shop.db)")
    parser.add_argument("-m", "--message", help="revision message (with `revision`)")
    args = parser.parse_args(argv)
    url = args.url or db_url()
    if args.action == "upgrade":
        upgrade(url)
        print(f"order store at revision {current_revision(url)} (head {head_revision()})")
        return 0
    if args.action == "current":
        print(current_revision(url) or "empty")
        return 0
    if args.action == "check":
        diffs = schema_differences(url)
        for d in diffs:
            print(d)
        print("schema matches the models" if not diffs else f"{len(diffs)} difference(s)")
        return 1 if diffs else 0
    if not args.message:
        parser.error("revision needs -m MESSAGE")
    command.revision(alembic_config(url), message=args.message, autogenerate=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
