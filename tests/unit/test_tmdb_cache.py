"""The TMDB cache: keys, the bounded memory tier, tier order and failing tiers."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

import pytest

from filmbot.tmdb.cache import MemoryTier, TMDBCache, cache_key


class Clock:
    """A clock tests move by hand."""

    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class DictDatabase:
    """A database tier kept in a dict (the real one is tested in integration)."""

    def __init__(self) -> None:
        self.rows: dict[str, tuple[dict[str, Any], datetime]] = {}

    async def get(self, key: str, now: datetime) -> tuple[dict[str, Any], datetime] | None:
        row = self.rows.get(key)
        return row if row is not None and row[1] > now else None

    async def set(self, key: str, value: dict[str, Any], expires_at: datetime) -> None:
        self.rows[key] = (value, expires_at)

    async def purge_expired(self, now: datetime) -> int:
        expired = [k for k, (_, at) in self.rows.items() if at <= now]
        for key in expired:
            del self.rows[key]
        return len(expired)


class BrokenDatabase(DictDatabase):
    """A database tier whose every call fails like a lost connection."""

    calls = 0

    async def get(self, key: str, now: datetime) -> tuple[dict[str, Any], datetime] | None:
        self.calls += 1
        raise ConnectionRefusedError("database is gone")

    async def set(self, key: str, value: dict[str, Any], expires_at: datetime) -> None:
        self.calls += 1
        raise ConnectionRefusedError("database is gone")


def test_cache_key_names_endpoint_and_ignores_parameter_order() -> None:
    one = cache_key("/movie/603", {"language": "de-DE", "append_to_response": "credits"})
    two = cache_key("/movie/603", {"append_to_response": "credits", "language": "de-DE"})
    other = cache_key("/movie/603", {"append_to_response": "credits", "language": "en-US"})
    assert one == two != other
    assert one.startswith("tmdb:movie/603:") and len(one) < 255


def test_memory_tier_evicts_least_recently_used_beyond_its_bound() -> None:
    clock = Clock()
    tier = MemoryTier(max_entries=2, clock=clock)
    tier.set("a", {"v": 1}, clock.now + 60)
    tier.set("b", {"v": 2}, clock.now + 60)
    assert tier.get("a") is not None  # a is now the most recently used
    tier.set("c", {"v": 3}, clock.now + 60)
    assert len(tier) == 2
    assert tier.get("b") is None and tier.get("a") is not None and tier.get("c") is not None


def test_memory_tier_forgets_expired_entries() -> None:
    clock = Clock()
    tier = MemoryTier(clock=clock)
    tier.set("a", {"v": 1}, clock.now + 10)
    clock.now += 10
    assert tier.get("a") is None and len(tier) == 0


async def test_hit_miss_and_expiry_are_counted() -> None:
    clock = Clock()
    cache = TMDBCache(clock=clock)
    assert await cache.get("k") is None
    await cache.set("k", {"id": 1}, ttl=60)
    assert await cache.get("k") == {"id": 1}
    clock.now += 61
    assert await cache.get("k") is None
    assert (cache.stats.memory_hits, cache.stats.misses) == (1, 2)


async def test_zero_ttl_stores_nothing() -> None:
    cache = TMDBCache()
    await cache.set("k", {"id": 1}, ttl=0)
    assert await cache.get("k") is None


async def test_database_tier_refills_memory_after_a_restart() -> None:
    clock = Clock()
    database = DictDatabase()
    await TMDBCache(database=database, clock=clock).set("k", {"id": 1}, ttl=60)
    restarted = TMDBCache(database=database, clock=clock)
    assert await restarted.get("k") == {"id": 1}
    assert await restarted.get("k") == {"id": 1}
    assert (restarted.stats.database_hits, restarted.stats.memory_hits) == (1, 1)


async def test_purge_removes_only_expired_database_rows() -> None:
    clock = Clock()
    database = DictDatabase()
    cache = TMDBCache(database=database, clock=clock)
    await cache.set("short", {"id": 1}, ttl=10)
    await cache.set("long", {"id": 2}, ttl=100)
    clock.now += 50
    assert await cache.purge_expired() == 1
    assert list(database.rows) == ["long"]


async def test_failing_database_is_logged_once_and_skipped(
    caplog: pytest.LogCaptureFixture,
) -> None:
    database = BrokenDatabase()
    cache = TMDBCache(database=database)
    with caplog.at_level(logging.WARNING, logger="filmbot.tmdb"):
        await cache.set("k", {"id": 1}, ttl=60)
        assert await cache.get("k") == {"id": 1}  # memory still works
        assert await cache.get("other") is None
    warnings = [r for r in caplog.records if "unavailable" in r.getMessage()]
    assert len(warnings) == 1
    assert database.calls == 1  # skipped while marked down
    assert cache.stats.database_errors == 1


async def test_an_empty_memory_tier_given_by_the_caller_is_used() -> None:
    memory = MemoryTier(max_entries=3)
    cache = TMDBCache(memory=memory)
    for n in range(5):
        await cache.set(f"k{n}", {"id": n}, ttl=60)
    assert cache.memory is memory and len(memory) == 3
