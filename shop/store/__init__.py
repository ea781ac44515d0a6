"""The order store: SQLAlchemy 1.4 models, sessions from SHOP_DB_URL, Alembic migrations, demo seed.

    python -m shop.store.migrate    upgrade the database to the newest schema
    python -m shop.store.seed       migrate, then load the demo data once
"""
from shop.store.session import make_engine, session_factory
from shop.store.settings import db_url

__all__ = ["db_url", "make_engine", "session_factory"]
