"""The engine names a lost database as an outage, but a cancelled query stays cancelled."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import text

from filmbot.db.session import engine_for_url
from filmbot.domain.errors import DatabaseUnavailableError
from tests.databases import throwaway_database


async def test_a_query_cancelled_at_shutdown_ends_cancelled_not_as_an_outage(
    tmp_path: Path,
) -> None:
    async with throwaway_database("postgresql", tmp_path) as url:
        engine = engine_for_url(url)
        try:
            async with engine.connect() as connection:
                await connection.execute(text("SELECT 1"))

            async def slow_query() -> None:
                async with engine.connect() as connection:
                    await connection.execute(text("SELECT pg_sleep(5)"))

            task = asyncio.create_task(slow_query())
            await asyncio.sleep(0.3)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
        finally:
            await engine.dispose()


async def test_an_unreachable_database_is_an_outage() -> None:
    engine = engine_for_url("postgresql+asyncpg://postgres@127.0.0.1:9/filmbot")
    try:
        with pytest.raises(DatabaseUnavailableError, match="cannot connect"):
            async with engine.connect():
                pass
    finally:
        await engine.dispose()
