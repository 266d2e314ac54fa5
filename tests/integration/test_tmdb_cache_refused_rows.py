"""A row the database refuses fails only its own write; the rest of its round is committed."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from filmbot.db import migrate
from filmbot.db.cache import MAX_VALUE_CHARS, DatabaseCache
from filmbot.db.session import engine_for_url
from filmbot.domain.errors import DatabaseUnavailableError
from filmbot.tmdb.cache import TMDBCache

# tmdb_cache.key is a VARCHAR(255): PostgreSQL and MariaDB refuse a longer one.
TOO_LONG_KEY = "tmdb:movie/1:" + "x" * 300


def payload(n: int) -> dict[str, Any]:
    return {"id": n, "title": f"Film {n}", "overview": "x" * 500}


async def test_a_refused_row_fails_its_own_write_and_the_others_of_the_round_are_committed(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    cache = DatabaseCache(sessionmaker)
    expires = datetime.now(UTC) + timedelta(hours=1)
    naive = expires.replace(tzinfo=None)  # refused by the expiry column (UTC only)
    keys = [f"tmdb:movie/{n:02}:x" for n in range(12)]
    outcomes = await asyncio.gather(
        *(cache.set(key, payload(n), naive if n == 7 else expires) for n, key in enumerate(keys)),
        return_exceptions=True,
    )

    assert [n for n, outcome in enumerate(outcomes) if outcome is not None] == [7]
    assert isinstance(outcomes[7], Exception) and "naive" in str(outcomes[7])
    restarted = DatabaseCache(sessionmaker)
    now = datetime.now(UTC)
    rows = await asyncio.gather(*(restarted.get(key, now) for key in keys))
    assert [row[0]["id"] if row else None for row in rows] == [*range(7), None, *range(8, 12)]
    await cache.set(keys[7], payload(7), expires)  # the next round works
    assert await DatabaseCache(sessionmaker).get(keys[7], now) is not None


async def test_a_payload_that_is_not_json_fails_its_own_write_on_every_backend(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    cache = DatabaseCache(sessionmaker)
    expires = datetime.now(UTC) + timedelta(hours=1)
    outcomes = await asyncio.gather(
        cache.set("tmdb:movie/1:x", payload(1), expires),
        cache.set("tmdb:movie/2:x", {"id": 2, "rating": float("nan")}, expires),
        cache.set("tmdb:movie/3:x", {"id": 3, "unstorable": object()}, expires),
        return_exceptions=True,
    )

    assert outcomes[0] is None
    assert isinstance(outcomes[1], ValueError) and isinstance(outcomes[2], TypeError)
    restarted = DatabaseCache(sessionmaker)
    now = datetime.now(UTC)
    assert await restarted.get("tmdb:movie/1:x", now) is not None
    assert await restarted.get("tmdb:movie/2:x", now) is None


async def test_a_row_the_database_refuses_leaves_the_database_tier_in_use(
    backend: str, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    if backend == "sqlite":
        pytest.skip("SQLite does not enforce a VARCHAR's length")
    cache = TMDBCache(database=DatabaseCache(sessionmaker))
    keys = ["tmdb:movie/1:x", TOO_LONG_KEY, "tmdb:movie/3:x", "tmdb:movie/4:x"]
    await asyncio.gather(*(cache.set(key, payload(n), 3600) for n, key in enumerate(keys)))

    assert (cache.stats.database_refused, cache.stats.database_errors) == (1, 0)
    await cache.set("tmdb:movie/5:x", payload(4), 3600)  # not switched off for 30 s
    restarted = DatabaseCache(sessionmaker)
    now = datetime.now(UTC)
    rows = await asyncio.gather(*(restarted.get(key, now) for key in [*keys, "tmdb:movie/5:x"]))
    assert [row[0]["id"] if row else None for row in rows] == [0, None, 2, 3, 4]


async def test_a_payload_too_large_for_one_statement_is_refused_alone_on_every_backend(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    # Sent as it is, a row this size could exceed MariaDB's max_allowed_packet by itself,
    # and the dropped connection would fail every row of its round.
    cache = TMDBCache(database=DatabaseCache(sessionmaker))
    huge = {"id": 2, "overview": "x" * (MAX_VALUE_CHARS + 1)}
    keys = ["tmdb:movie/1:x", "tmdb:movie/2:x", "tmdb:movie/3:x"]
    await asyncio.gather(
        *(cache.set(k, huge if n == 1 else payload(n), 3600) for n, k in enumerate(keys))
    )

    assert (cache.stats.database_refused, cache.stats.database_errors) == (1, 0)
    assert await cache.get("tmdb:movie/2:x") == huge  # kept in memory
    restarted = DatabaseCache(sessionmaker)
    now = datetime.now(UTC)
    rows = await asyncio.gather(*(restarted.get(key, now) for key in keys))
    assert [row[0]["id"] if row else None for row in rows] == [0, None, 2]


class CountingTransactions(async_sessionmaker[AsyncSession]):
    """A session factory that counts the transactions begun through it."""

    begun = 0

    def begin(self) -> Any:
        self.begun += 1
        return super().begin()


async def test_a_round_that_cannot_reach_the_database_fails_every_write_after_one_attempt() -> None:
    engine = engine_for_url("postgresql+asyncpg://postgres@127.0.0.1:9/filmbot")
    sessions = CountingTransactions(engine, expire_on_commit=False)
    try:
        cache = DatabaseCache(sessions)
        expires = datetime.now(UTC) + timedelta(hours=1)
        outcomes = await asyncio.gather(
            *(cache.set(f"tmdb:movie/{n}:x", payload(n), expires) for n in range(8)),
            return_exceptions=True,
        )
    finally:
        await engine.dispose()

    assert all(isinstance(outcome, DatabaseUnavailableError) for outcome in outcomes)
    assert sessions.begun == 1  # not tried again row by row


async def test_a_database_that_refuses_every_write_takes_the_tier_out_of_use(
    tmp_path: Path,
) -> None:
    # Reachable but read-only (as after a failover, or a full disk): no row is at fault, so
    # the round is not bisected row by row and the cache stops using the database.
    path = tmp_path / "filmbot.db"
    writable = engine_for_url(f"sqlite+aiosqlite:///{path}")
    await migrate.upgrade(writable)
    await writable.dispose()
    engine = engine_for_url(f"sqlite+aiosqlite:///file:{path}?mode=ro&uri=true")
    sessions = CountingTransactions(engine, expire_on_commit=False)
    try:
        cache = TMDBCache(database=DatabaseCache(sessions))
        await asyncio.gather(*(cache.set(f"tmdb:movie/{n}:x", payload(n), 3600) for n in range(8)))
        assert sessions.begun == 1
        assert cache.stats.database_refused == 0 and cache.stats.database_errors == 8
        await cache.set("tmdb:movie/9:x", payload(9), 3600)  # skipped while out of use
        assert sessions.begun == 1
    finally:
        await engine.dispose()
