"""The database tier of the TMDB cache groups concurrent reads and writes, on every backend."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from filmbot.config import Settings
from filmbot.db.cache import DatabaseCache
from filmbot.domain.models import MediaType, TitleRef
from filmbot.services.container import build_tmdb
from tests.fakes.tmdb_server import FakeTMDB


@contextmanager
def counting(engine: AsyncEngine) -> Iterator[Counter[str]]:
    """Count commits and the statements that touch tmdb_cache, by their first word."""
    seen: Counter[str] = Counter()

    def on_statement(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if "tmdb_cache" in statement:
            seen[statement.split(None, 1)[0].upper()] += 1

    def on_commit(_conn: Any) -> None:
        seen["COMMIT"] += 1

    event.listen(engine.sync_engine, "before_cursor_execute", on_statement)
    event.listen(engine.sync_engine, "commit", on_commit)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", on_statement)
        event.remove(engine.sync_engine, "commit", on_commit)


def payload(n: int) -> dict[str, Any]:
    """A details-like payload of a few KB."""
    return {"id": n, "title": f"Film {n}", "overview": "x" * 2000, "genres": [{"id": n % 7}]}


async def test_writes_issued_together_commit_in_one_transaction(
    engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    cache = DatabaseCache(sessionmaker)
    expires = datetime.now(UTC) + timedelta(hours=1)
    with counting(engine) as seen:
        await asyncio.gather(
            *(cache.set(f"tmdb:movie/{n}:x", payload(n), expires) for n in range(80))
        )
    assert seen["COMMIT"] == 1 and seen["INSERT"] == 4  # 25 rows per statement
    restarted = DatabaseCache(sessionmaker)
    now = datetime.now(UTC)
    rows = await asyncio.gather(*(restarted.get(f"tmdb:movie/{n}:x", now) for n in range(80)))
    assert [row[0] if row else None for row in rows] == [payload(n) for n in range(80)]


async def test_reads_issued_together_run_one_query_and_each_get_their_own_row(
    engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    cache = DatabaseCache(sessionmaker)
    now = datetime.now(UTC)
    for n in range(50):
        await cache.set(f"tmdb:movie/{n}:x", payload(n), now + timedelta(minutes=n + 1))
    await cache.set("tmdb:movie/expired:x", payload(-1), now - timedelta(seconds=1))
    keys = [f"tmdb:movie/{n}:x" for n in range(60)] + ["tmdb:movie/expired:x"]
    with counting(engine) as seen:
        rows = await asyncio.gather(*(cache.get(key, now) for key in keys))
    assert seen["SELECT"] == 1
    assert [row[0]["id"] if row else None for row in rows] == [*range(50), *[None] * 11]
    assert all(row[1] - now > timedelta(minutes=n) for n, row in enumerate(rows[:50]) if row)
    later = await cache.get("tmdb:movie/10:x", now + timedelta(minutes=20))
    assert later is None  # each reader's own `now` decides what has expired


async def test_the_later_of_two_writes_to_one_key_in_a_round_wins(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    cache = DatabaseCache(sessionmaker)
    now = datetime.now(UTC)
    await cache.set("tmdb:movie/1:x", {"id": 1, "v": "stored"}, now + timedelta(hours=1))
    await asyncio.gather(
        cache.set("tmdb:movie/1:x", {"id": 1, "v": "old"}, now + timedelta(hours=1)),
        cache.set("tmdb:movie/1:x", {"id": 1, "v": "new"}, now + timedelta(hours=2)),
    )
    row = await DatabaseCache(sessionmaker).get("tmdb:movie/1:x", now)
    assert row is not None and row[0] == {"id": 1, "v": "new"}
    assert row[1] - now > timedelta(hours=1, minutes=59)


async def test_a_writer_that_stops_waiting_leaves_the_rows_of_its_round_to_be_written(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    cache = DatabaseCache(sessionmaker)
    expires = datetime.now(UTC) + timedelta(hours=1)
    gives_up = asyncio.create_task(cache.set("tmdb:movie/1:x", payload(1), expires))
    waits = asyncio.create_task(cache.set("tmdb:movie/2:x", payload(2), expires))
    await asyncio.sleep(0)
    gives_up.cancel()
    await waits
    with pytest.raises(asyncio.CancelledError):
        await gives_up
    now = datetime.now(UTC)
    restarted = DatabaseCache(sessionmaker)
    assert await restarted.get("tmdb:movie/1:x", now) is not None
    assert await restarted.get("tmdb:movie/2:x", now) is not None


async def test_titles_fetched_together_are_all_served_from_the_database_after_a_restart(
    tmdb_settings: Settings, fake_tmdb: FakeTMDB, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    refs = [TitleRef(MediaType.MOVIE, 900_000 + n) for n in range(40)]
    for ref in refs:
        fake_tmdb.catalogue.set_movie(ref.tmdb_id, title=f"Film {ref.tmdb_id}")
    async with build_tmdb(tmdb_settings, sessionmaker) as tmdb:
        first = await tmdb.get_many_details(refs)
    async with build_tmdb(tmdb_settings, sessionmaker) as restarted:
        again = await restarted.get_many_details(refs)
    assert len(first.found) == 40 and fake_tmdb.count() == 40
    assert {ref: d.title for ref, d in again.found.items()} == {
        ref: f"Film {ref.tmdb_id}" for ref in refs
    }
    assert restarted.stats.database_hits == 40 and restarted.stats.upstream_requests == 0
