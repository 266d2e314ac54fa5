"""Shards split across processes: each guild's events go out once, TMDB is asked once per title."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from redis.asyncio import Redis

from filmbot.db import migrate
from filmbot.db.session import create_sessionmaker, engine_for_url
from filmbot.domain.models import MediaType, TitleRef
from filmbot.services.updates import (
    SharedTitleSource,
    TMDBTitleSource,
    UpdateEngine,
    shard_filter,
    shard_scope,
)
from tests.databases import throwaway_database
from tests.integration.test_update_support import (
    CHANNEL,
    GUILD,
    RecordingSender,
    World,
    world,
)

SHARDS = 2


@pytest.fixture
async def postgres_url(tmp_path: Path) -> AsyncIterator[str]:
    async with throwaway_database("postgresql", tmp_path) as url:
        yield url


def _shard_of(guild_id: int) -> int:
    return (guild_id >> 22) % SHARDS


async def _populate(w: World) -> tuple[list[int], list[TitleRef]]:
    films = [TitleRef(MediaType.MOVIE, 9_000_500 + n) for n in range(5)]
    for ref in films:
        w.dated_film(ref, title=f"Film {ref.tmdb_id}")
    guilds = [GUILD + (n << 22) for n in range(8)]
    for n, guild_id in enumerate(guilds):
        await w.guild(guild_id, notification_channel_id=CHANNEL + n)
        for ref in films:
            await w.subscribe(ref, guild_id)
    return guilds, films


async def test_two_shard_processes_deliver_each_event_once_and_share_tmdb_fetches(
    postgres_url: str, redis: Redis
) -> None:
    databases = [engine_for_url(postgres_url) for _ in range(SHARDS)]
    await migrate.upgrade(databases[0])
    try:
        async with world(create_sessionmaker(databases[0])) as w:
            guilds, films = await _populate(w)
            engines, senders = [], []
            for shard in range(SHARDS):
                settings = w.settings.model_copy(
                    update={"shard_count": SHARDS, "shard_ids": [shard]}
                )
                sender = RecordingSender()
                source = SharedTitleSource(TMDBTitleSource(w.client), redis, ttl=600)
                engines.append(
                    UpdateEngine(
                        create_sessionmaker(databases[shard]),
                        source,
                        sender,
                        settings,
                        now=w.clock,
                        owns=shard_filter(settings),
                        scope=shard_scope(settings),
                    )
                )
                senders.append(sender)
            reports = await asyncio.gather(*(engine.run_cycle() for engine in engines))
            detail_requests = Counter(
                r.path for r in w.fake.requests if r.path.startswith("/movie/9000")
            )
    finally:
        for database in databases:
            await database.dispose()
    delivered: Counter[tuple[int, str]] = Counter()
    for shard, sender in enumerate(senders):
        for sent in sender.sent:
            guild_id = guilds[sent.channel_id - CHANNEL]
            assert _shard_of(guild_id) == shard, "a process sent for a guild it does not own"
            for title in sent.titles:
                delivered[(guild_id, title)] += 1
    assert len(delivered) == len(guilds) * len(films)
    assert set(delivered.values()) == {1}
    assert sum(r.delivered for r in reports) == len(guilds) * len(films)
    assert len(detail_requests) == len(films)
    assert set(detail_requests.values()) == {1}, detail_requests


async def test_without_redis_each_shard_fetches_for_itself(postgres_url: str) -> None:
    database = engine_for_url(postgres_url)
    await migrate.upgrade(database)
    try:
        async with world(create_sessionmaker(database)) as w:
            _guilds, films = await _populate(w)
            for shard in range(SHARDS):
                settings = w.settings.model_copy(
                    update={"shard_count": SHARDS, "shard_ids": [shard]}
                )
                await UpdateEngine(
                    create_sessionmaker(database),
                    TMDBTitleSource(w.client),
                    RecordingSender(),
                    settings,
                    now=w.clock,
                    owns=shard_filter(settings),
                    scope=shard_scope(settings),
                ).run_cycle()
            detail_requests = [r.path for r in w.fake.requests if r.path.startswith("/movie/9000")]
    finally:
        await database.dispose()
    assert len(detail_requests) == SHARDS * len(films)
