"""Migrations work on every backend and match the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from filmbot.db import migrate
from filmbot.db.base import Base
from filmbot.db.session import engine_for_url

NOW = "CURRENT_TIMESTAMP"
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


def _subscription_columns(connection: Connection) -> set[str]:
    return {column["name"] for column in inspect(connection).get_columns("subscriptions")}


async def test_0003_drops_last_checked_keeps_subscriptions_and_downgrades(
    database_url: str,
) -> None:
    from sqlalchemy import text

    engine = engine_for_url(database_url)
    try:
        await migrate.upgrade(engine, "0002")
        async with engine.begin() as connection:
            await connection.execute(
                text(
                    "INSERT INTO guilds (id, name, prefix, auto_update, language, region,"
                    " timezone, subscribe_permission, created_at, updated_at) VALUES"
                    f" (1, 'g', '!', true, 'en-US', 'US', 'UTC', 'everyone', {NOW}, {NOW})"
                )
            )
            await connection.execute(
                text(
                    "INSERT INTO subscriptions (guild_id, tmdb_id, media_type, title,"
                    " subscribed_at, last_checked, notify_release, notify_update, title_missing)"
                    f" VALUES (1, 10, 'movie', 'Film', {NOW}, {NOW}, true, false, false)"
                )
            )
        await migrate.upgrade(engine, "0003")
        async with engine.connect() as connection:
            assert "last_checked" not in await connection.run_sync(_subscription_columns)
            kept = (
                await connection.execute(
                    text("SELECT tmdb_id, title, notify_update FROM subscriptions")
                )
            ).all()
            counters = (
                await connection.execute(text("SELECT name, value FROM change_counters"))
            ).all()
        assert [(t, title, bool(u)) for t, title, u in kept] == [(10, "Film", False)]
        assert counters == [("subscriptions", 0)]
        await migrate.downgrade(engine, "0002")
        async with engine.connect() as connection:
            assert "last_checked" in await connection.run_sync(_subscription_columns)
            assert "change_counters" not in await connection.run_sync(_tables)
            count = (await connection.execute(text("SELECT count(*) FROM subscriptions"))).scalar()
        assert count == 1
    finally:
        await engine.dispose()


def _columns(connection: Connection, table: str) -> set[str]:
    return {column["name"] for column in inspect(connection).get_columns(table)}


async def test_0004_adds_routing_and_template_columns_keeps_rows_and_downgrades(
    database_url: str,
) -> None:
    from sqlalchemy import text

    engine = engine_for_url(database_url)
    try:
        await migrate.upgrade(engine, "0003")
        async with engine.begin() as connection:
            await connection.execute(
                text(
                    "INSERT INTO guilds (id, name, prefix, notification_channel_id, auto_update,"
                    " language, region, timezone, subscribe_permission, created_at, updated_at)"
                    " VALUES (1, 'g', '!', 77, true, 'en-US', 'US', 'UTC', 'everyone',"
                    f" {NOW}, {NOW})"
                )
            )
            await connection.execute(
                text(
                    "INSERT INTO subscriptions (guild_id, tmdb_id, media_type, title,"
                    " subscribed_at, notify_release, notify_update, title_missing)"
                    f" VALUES (1, 10, 'movie', 'Film', {NOW}, true, true, false)"
                )
            )
        await migrate.upgrade(engine, "0004_routing_templates")
        async with engine.connect() as connection:
            guild = (
                await connection.execute(
                    text(
                        "SELECT notification_channel_id, movie_channel_id, tv_channel_id,"
                        " notification_templates FROM guilds"
                    )
                )
            ).one()
            channel = (await connection.execute(text("SELECT channel_id FROM subscriptions"))).one()
            ledger = await connection.run_sync(_columns, "update_deliveries")
        assert tuple(guild) == (77, None, None, None)
        assert tuple(channel) == (None,)
        assert "channel_id" in ledger
        await migrate.downgrade(engine, "0003")
        async with engine.connect() as connection:
            assert "movie_channel_id" not in await connection.run_sync(_columns, "guilds")
            assert "channel_id" not in await connection.run_sync(_columns, "subscriptions")
            assert "channel_id" not in await connection.run_sync(_columns, "update_deliveries")
            count = (await connection.execute(text("SELECT count(*) FROM subscriptions"))).scalar()
        assert count == 1
    finally:
        await engine.dispose()


def _rating_indexes(connection: Connection) -> set[str]:
    return {str(index["name"]) for index in inspect(connection).get_indexes("ratings")}


async def test_0009_indexes_rating_changes_and_downgrades(database_url: str) -> None:
    engine = engine_for_url(database_url)
    try:
        await migrate.upgrade(engine, "0009_rating_updated_index")
        async with engine.connect() as connection:
            assert "ix_ratings_updated_at" in await connection.run_sync(_rating_indexes)
        await migrate.downgrade(engine, "0006_server_watchlist")
        async with engine.connect() as connection:
            indexes = await connection.run_sync(_rating_indexes)
        assert "ix_ratings_updated_at" not in indexes
        assert "ix_ratings_user_id" in indexes
    finally:
        await engine.dispose()
