"""Readers of one key in one round each judge the row's freshness at their own `now`."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from filmbot.db.cache import DatabaseCache


async def test_two_readers_of_one_key_in_a_round_each_judge_by_their_own_now(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    now = datetime.now(UTC)
    await DatabaseCache(sessionmaker).set("tmdb:movie/1:x", {"id": 1}, now + timedelta(minutes=10))
    later = now + timedelta(minutes=20)  # the row has expired by then
    cache = DatabaseCache(sessionmaker)

    early_first = await asyncio.gather(
        cache.get("tmdb:movie/1:x", now), cache.get("tmdb:movie/1:x", later)
    )
    late_first = await asyncio.gather(
        cache.get("tmdb:movie/1:x", later), cache.get("tmdb:movie/1:x", now)
    )

    assert [row[0] if row else None for row in early_first] == [{"id": 1}, None]
    assert [row[0] if row else None for row in late_first] == [None, {"id": 1}]
