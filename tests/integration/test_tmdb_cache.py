"""The TMDB cache tiers against real storage: SQLite/PostgreSQL/MariaDB and Redis."""

from __future__ import annotations

import logging
import socket
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from filmbot.config import Settings
from filmbot.db.base import Base
from filmbot.db.cache import DatabaseCache
from filmbot.db.session import create_sessionmaker, engine_for_url
from filmbot.services.container import build_tmdb, redis_from_url
from filmbot.tmdb import LocalRateLimiter, TMDBCache, TMDBClient
from filmbot.tmdb.cache import MemoryTier
from tests.fakes.tmdb_server import FakeTMDB


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC).timestamp()

    def __call__(self) -> float:
        return self.now


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
async def sqlite_sessionmaker(tmp_path: Path) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = engine_for_url(f"sqlite+aiosqlite:///{tmp_path}/t.db")
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    yield create_sessionmaker(engine)
    await engine.dispose()


def client_for(fake: FakeTMDB, cache: TMDBCache, ttl: float = 3600.0) -> TMDBClient:
    return TMDBClient.create(
        fake.base_url,
        api_key=fake.api_key,
        limiter=LocalRateLimiter(1000, 1.0),
        cache=cache,
        ttl=ttl,
    )


# -- the database tier on every backend -------------------------------------------------------


async def test_database_tier_upserts_reads_and_purges(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    """Runs on every backend through the suite's migrated throwaway databases."""
    database_cache = DatabaseCache(sessionmaker)
    now = datetime.now(UTC)
    fresh, stale = f"tmdb:test:{uuid.uuid4().hex}", f"tmdb:test:{uuid.uuid4().hex}"
    try:
        await database_cache.set(fresh, {"id": 1}, now + timedelta(hours=1))
        await database_cache.set(fresh, {"id": 2, "title": "Dune"}, now + timedelta(hours=2))
        await database_cache.set(stale, {"id": 3}, now - timedelta(seconds=1))
        row = await database_cache.get(fresh, now)
        assert row is not None and row[0] == {"id": 2, "title": "Dune"}
        assert abs(row[1] - (now + timedelta(hours=2))) < timedelta(seconds=1)
        assert await database_cache.get(stale, now) is None
        assert await database_cache.purge_expired(now) >= 1
        assert await database_cache.get(fresh, now) is not None
    finally:
        await database_cache.purge_expired(now + timedelta(days=1))


# -- tiers through the client ------------------------------------------------------------------


async def test_repeat_call_is_served_from_memory(fake_tmdb: FakeTMDB) -> None:
    async with client_for(fake_tmdb, TMDBCache()) as tmdb:
        first = await tmdb.get_movie(603)
        second = await tmdb.get_movie(603)
    assert first == second and fake_tmdb.count() == 1
    assert (tmdb.stats.memory_hits, tmdb.stats.misses, tmdb.stats.upstream_requests) == (1, 1, 1)


async def test_expired_entry_is_fetched_again(fake_tmdb: FakeTMDB) -> None:
    clock = Clock()
    async with client_for(fake_tmdb, TMDBCache(clock=clock), ttl=60) as tmdb:
        await tmdb.get_movie(603)
        clock.now += 61
        await tmdb.get_movie(603)
    assert fake_tmdb.count() == 2


async def test_trending_expires_sooner_than_details(fake_tmdb: FakeTMDB) -> None:
    clock = Clock()
    async with client_for(fake_tmdb, TMDBCache(clock=clock), ttl=3600) as tmdb:
        await tmdb.trending()
        await tmdb.get_movie(603)
        clock.now += 901
        await tmdb.trending()
        await tmdb.get_movie(603)
    assert fake_tmdb.count("/trending/all/week") == 2 and fake_tmdb.count("/movie/603") == 1


async def test_restart_is_warm_from_the_database(
    fake_tmdb: FakeTMDB, sqlite_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    database = DatabaseCache(sqlite_sessionmaker)
    async with client_for(fake_tmdb, TMDBCache(database=database)) as tmdb:
        await tmdb.get_movie(438631, language="de-DE")
    restarted_cache = TMDBCache(memory=MemoryTier(), database=database)
    async with client_for(fake_tmdb, restarted_cache) as restarted:
        movie = await restarted.get_movie(438631, language="de-DE")
        await restarted.get_movie(438631, language="de-DE")
    assert movie.title == "Dune" and fake_tmdb.count() == 1
    assert (restarted.stats.database_hits, restarted.stats.memory_hits) == (1, 1)


async def test_purge_deletes_expired_database_rows(
    fake_tmdb: FakeTMDB, sqlite_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    clock = Clock()
    cache = TMDBCache(database=DatabaseCache(sqlite_sessionmaker), clock=clock)
    async with client_for(fake_tmdb, cache) as tmdb:
        await tmdb.trending()  # 900 s
        await tmdb.get_movie(603)  # 3600 s
        clock.now += 1000
        assert await tmdb.purge_expired_cache() == 1
        assert await tmdb.purge_expired_cache() == 0


async def test_built_client_uses_the_database_tier(
    tmdb_settings: Settings,
    fake_tmdb: FakeTMDB,
    sqlite_sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with build_tmdb(tmdb_settings, sqlite_sessionmaker) as tmdb:
        await tmdb.get_tv(1396)
    async with build_tmdb(tmdb_settings, sqlite_sessionmaker) as again:
        await again.get_tv(1396)
    assert fake_tmdb.count() == 1 and again.stats.database_hits == 1


# -- Redis ---------------------------------------------------------------------------------


async def test_redis_tier_is_shared_between_clients(fake_tmdb: FakeTMDB, redis: Redis) -> None:
    async with client_for(fake_tmdb, TMDBCache(redis=redis)) as tmdb:
        await tmdb.get_movie(27205)
    async with client_for(fake_tmdb, TMDBCache(redis=redis)) as other_process:
        movie = await other_process.get_movie(27205)
    assert movie.title == "Inception" and fake_tmdb.count() == 1
    assert other_process.stats.redis_hits == 1 and other_process.stats.memory_hits == 0
    keys = [key async for key in redis.scan_iter(match="tmdb:movie/27205:*")]
    assert len(keys) == 1 and 0 < await redis.ttl(keys[0]) <= 3600


async def test_built_clients_share_the_redis_tier(
    tmdb_settings: Settings, fake_tmdb: FakeTMDB, redis: Redis, redis_url: str
) -> None:
    settings = tmdb_settings.model_copy(update={"redis_enabled": True, "redis_url": redis_url})
    own = redis_from_url(settings.redis_url)
    try:
        async with build_tmdb(settings, None, own) as tmdb:
            await tmdb.get_movie(329865)
        assert await own.ping()  # the client leaves the Redis client to its owner
    finally:
        await own.aclose()
    async with build_tmdb(settings, None, redis) as other:
        await other.get_movie(329865)
    assert fake_tmdb.count() == 1 and other.stats.redis_hits == 1


async def test_redis_down_falls_back_to_memory_and_keeps_working(
    fake_tmdb: FakeTMDB, caplog: pytest.LogCaptureFixture
) -> None:
    dead = redis_from_url(f"redis://127.0.0.1:{closed_port()}/15")
    with caplog.at_level(logging.WARNING, logger="filmbot.tmdb"):
        async with client_for(fake_tmdb, TMDBCache(redis=dead)) as tmdb:
            first = await tmdb.get_movie(603)
            second = await tmdb.get_movie(603)
    await dead.aclose()
    assert first == second and fake_tmdb.count() == 1
    assert tmdb.stats.memory_hits == 1 and tmdb.stats.redis_errors == 1
    warnings = [r for r in caplog.records if "Redis is unavailable" in r.getMessage()]
    assert len(warnings) == 1


async def test_settings_with_redis_down_still_serve_requests(
    tmdb_settings: Settings, fake_tmdb: FakeTMDB, caplog: pytest.LogCaptureFixture
) -> None:
    settings = tmdb_settings.model_copy(
        update={"redis_enabled": True, "redis_url": f"redis://127.0.0.1:{closed_port()}/15"}
    )
    dead = redis_from_url(settings.redis_url)
    with caplog.at_level(logging.WARNING, logger="filmbot.tmdb"):
        async with build_tmdb(settings, None, dead) as tmdb:
            await tmdb.get_movie(603)
            await tmdb.get_movie(603)
    await dead.aclose()
    assert fake_tmdb.count() == 1 and tmdb.stats.memory_hits == 1
    purposes = sorted(r.getMessage().split(" (")[0] for r in caplog.records)
    assert purposes == [
        "Redis is unavailable for the TMDB cache",
        "Redis is unavailable for the shared TMDB rate limit",
    ]


async def test_unreadable_redis_entry_is_refetched_without_dropping_redis(
    fake_tmdb: FakeTMDB, redis: Redis
) -> None:
    async with client_for(fake_tmdb, TMDBCache(redis=redis)) as tmdb:
        await tmdb.get_movie(335984)
        keys = [key async for key in redis.scan_iter(match="tmdb:movie/335984:*")]
        await redis.set(keys[0], b"not json")
        movie = await tmdb.get_movie(335984)
        await tmdb.get_movie(335984)
    assert movie.title == "Blade Runner 2049" and fake_tmdb.count() == 2
    assert tmdb.stats.redis_errors == 0 and tmdb.stats.redis_hits == 1


async def test_database_down_for_the_cache_is_named_once_and_requests_still_work(
    tmdb_settings: Settings, fake_tmdb: FakeTMDB, caplog: pytest.LogCaptureFixture
) -> None:
    engine = engine_for_url("sqlite+aiosqlite:////nonexistent/dir/cache.db")
    with caplog.at_level(logging.WARNING, logger="filmbot.tmdb"):
        async with build_tmdb(tmdb_settings, create_sessionmaker(engine), None) as tmdb:
            first = await tmdb.get_movie(603)
            second = await tmdb.get_movie(603)
    await engine.dispose()
    assert first == second and fake_tmdb.count() == 1
    warnings = [r.getMessage() for r in caplog.records if "unavailable" in r.getMessage()]
    assert len(warnings) == 1
    assert warnings[0].startswith("The database is unavailable for the TMDB cache")
