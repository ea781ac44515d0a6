"""Migrations build the models' schema from nothing, on SQLite and PostgreSQL."""
import pytest
from alembic import command
from sqlalchemy import inspect

from shop.store import migrate
from shop.store.models import Base
from shop.store.session import make_engine


def _tables(url):
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.db'}"
    return request.getfixturevalue("pg_empty_url")


def test_upgrade_from_empty_to_head_matches_the_models(empty_url):
    assert migrate.current_revision(empty_url) is None
    migrate.upgrade(empty_url)
    assert migrate.current_revision(empty_url) == migrate.head_revision()
    assert _tables(empty_url) == set(Base.metadata.tables)
    assert migrate.schema_differences(empty_url) == []
    migrate.upgrade(empty_url)  # a second upgrade is a no-op
    command.downgrade(migrate.alembic_config(empty_url), "base")
    assert _tables(empty_url) == set()
    migrate.upgrade(empty_url)
    assert migrate.schema_differences(empty_url) == []


def test_cli_upgrade_and_check(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    assert migrate.main(["--url", url]) == 0
    assert migrate.main(["check", "--url", url]) == 0
    assert "schema matches" in capsys.readouterr().out
