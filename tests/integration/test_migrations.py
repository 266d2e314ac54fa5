"""Migrations work on every backend and match the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from filmbot.db import migrate
from filmbot.db.base import Base
from filmbot.db.session import engine_for_url

TABLES = {"guilds", "subscriptions", "watchlists", "ratings", "tmdb_cache"}


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


def _diff(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


async def test_upgrade_from_empty_then_downgrade_to_base(database_url: str) -> None:
    engine = engine_for_url(database_url)
    try:
        assert await migrate.current(engine) is None
        await migrate.upgrade(engine)
        assert await migrate.current(engine) == migrate.head_revision()
        async with engine.connect() as connection:
            assert await connection.run_sync(_tables) >= TABLES
        await migrate.downgrade(engine, "base")
        assert await migrate.current(engine) is None
        async with engine.connect() as connection:
            assert not TABLES & await connection.run_sync(_tables)
        await migrate.upgrade(engine)
        assert await migrate.current(engine) == migrate.head_revision()
    finally:
        await engine.dispose()


async def test_migrated_schema_has_no_pending_autogenerate_diff(database_url: str) -> None:
    engine = engine_for_url(database_url)
    try:
        await migrate.upgrade(engine)
        async with engine.connect() as connection:
            diff = await connection.run_sync(_diff)
        assert diff == []
    finally:
        await engine.dispose()
