"""Dialect-specific statements: upserts, inserts that skip duplicates, and batching.

SQLite, PostgreSQL and MySQL/MariaDB each spell "insert, or else update/skip" their own
way; these builders hide that so repositories write one statement for every backend.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, TypeVar

from sqlalchemy.dialects import mysql, postgresql, sqlite
from sqlalchemy.sql.dml import Insert

CHUNK = 500
NATIVE_UPSERT = frozenset({"sqlite", "postgresql", "mysql", "mariadb"})
_MYSQL = ("mysql", "mariadb")
T = TypeVar("T")


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    """Yield consecutive slices of at most `size` items."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def dialect_insert(dialect: str, model: type[Any]) -> Any:
    """Return the dialect's INSERT construct, which knows its conflict clause."""
    if dialect == "postgresql":
        return postgresql.insert(model)
    if dialect in _MYSQL:
        return mysql.insert(model)
    if dialect == "sqlite":
        return sqlite.insert(model)
    raise NotImplementedError(f"no upsert for {dialect}")


def upsert(dialect: str, model: type[Any], keys: Sequence[str]) -> Insert:
    """Build an INSERT that replaces the non-key columns of an existing row."""
    statement = dialect_insert(dialect, model)
    columns = [c.name for c in model.__table__.columns if c.name not in keys]
    if dialect in _MYSQL:
        return statement.on_duplicate_key_update(  # type: ignore[no-any-return]
            {name: statement.inserted[name] for name in columns}
        )
    return statement.on_conflict_do_update(  # type: ignore[no-any-return]
        index_elements=list(keys), set_={name: statement.excluded[name] for name in columns}
    )


def insert_ignore(dialect: str, model: type[Any], keep: str = "id") -> Insert:
    """Build an INSERT that leaves an existing row with the same unique key alone.

    MySQL has no DO NOTHING; assigning the `keep` column to itself has the same effect.
    """
    statement = dialect_insert(dialect, model)
    if dialect in _MYSQL:
        return statement.on_duplicate_key_update(  # type: ignore[no-any-return]
            {keep: model.__table__.c[keep]}
        )
    return statement.on_conflict_do_nothing()  # type: ignore[no-any-return]
