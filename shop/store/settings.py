"""Where the order store lives.

SHOP_DB_URL   any SQLAlchemy URL; default a SQLite file in var/ of the project.
              PostgreSQL: postgresql+psycopg2://user:password@host:5432/shop
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Mapping

PROJECT_DIR = Path(__file__).resolve().parents[2]
DEFAULT_DB_PATH = PROJECT_DIR / "var" / "shop.db"


def db_url(env: Mapping[str, str] | None = None) -> str:
    env = os.environ if env is None else env
    return env.get("SHOP_DB_URL") or f"sqlite:///{DEFAULT_DB_PATH}"
