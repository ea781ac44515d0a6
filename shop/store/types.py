"""Column types shared by the models."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import Integer
from sqlalchemy.types import TypeDecorator


class Money(TypeDecorator):
    """Yuan as Decimal in Python, whole fen (cents) as INTEGER in the database.

    SQLite has no exact decimal type (SQLAlchemy would go through float and warn);
    integers are exact and behave the same on SQLite and PostgreSQL.
    """
    impl = Integer
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return int((Decimal(value) * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP))

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return (Decimal(value) / 100).quantize(Decimal("0.01"))
