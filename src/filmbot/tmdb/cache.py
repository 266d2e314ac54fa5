"""Two-tier cache of TMDB payloads: memory (or Redis), then the database."""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

from filmbot.tmdb._health import ServiceHealth, is_redis_failure
from filmbot.tmdb.stats import TMDBStats

if TYPE_CHECKING:
    from redis.asyncio import Redis

log = logging.getLogger(__name__)

Payload = dict[str, Any]
Clock = Callable[[], float]


class DatabaseTier(Protocol):
    """The database cache tier (implemented by filmbot.db.cache.DatabaseCache)."""

    async def get(self, key: str, now: datetime) -> tuple[Payload, datetime] | None:
        """Return the payload and its expiry, unless absent or expired."""

    async def set(self, key: str, value: Payload, expires_at: datetime) -> None:
        """Insert or replace the payload.

        Raises ValueError or TypeError when this one payload cannot be stored (the tier
        still works), anything else when the tier itself failed.
        """

    async def purge_expired(self, now: datetime) -> int:
        """Delete expired rows; return how many."""


def cache_key(path: str, params: Mapping[str, object]) -> str:
    """Return `tmdb:{endpoint}:{params_hash}` for a request (credentials excluded)."""
    endpoint = path.strip("/")
    canonical = json.dumps(sorted((k, str(v)) for k, v in params.items()), separators=(",", ":"))
    digest = hashlib.sha256(canonical.encode()).hexdigest()[:20]
    return f"tmdb:{endpoint}:{digest}"


class MemoryTier:
    """A bounded in-process TTL cache; the least recently used entry goes first.

    Bounded by count: a details payload with credits can weigh 50-100 KB.
    """

    def __init__(self, max_entries: int = 512, clock: Clock = time.time) -> None:
        self.max_entries = max_entries
        self._clock = clock
        self._entries: OrderedDict[str, tuple[float, Payload]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: str) -> tuple[Payload, float] | None:
        """Return the payload and its expiry (epoch seconds), unless absent or expired."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        expires, value = entry
        if expires <= self._clock():
            del self._entries[key]
            return None
        self._entries.move_to_end(key)
        return value, expires

    def set(self, key: str, value: Payload, expires: float) -> None:
        """Store the payload until `expires` (epoch seconds), evicting the oldest if full."""
        self._entries[key] = (expires, value)
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    def clear(self) -> None:
        """Forget everything."""
        self._entries.clear()


class RedisTier:
    """Cache entries in Redis, shared by every FilmBot process; expiry is Redis' own."""

    def __init__(self, redis: Redis) -> None:
        self._redis = redis

    async def get(self, key: str) -> tuple[Payload, float] | None:
        """Return the payload and its expiry, unless absent."""
        raw = await self._redis.get(key)
        if raw is None:
            return None
        try:
            envelope = json.loads(raw)
            return envelope["v"], float(envelope["e"])
        except (ValueError, KeyError, TypeError):
            log.warning("Ignoring an unreadable TMDB cache entry in Redis: %s", key)
            return None

    async def set(self, key: str, value: Payload, expires: float, ttl: float) -> None:
        """Store the payload for `ttl` seconds."""
        envelope = json.dumps({"e": expires, "v": value}, separators=(",", ":"))
        await self._redis.set(key, envelope, px=max(1, int(ttl * 1000)))


class TMDBCache:
    """Look payloads up in tier 1 (Redis if enabled, else memory), then the database.

    Redis or database failures never fail a request: they are logged once per outage,
    counted, and the cache carries on with the tiers that work.
    """

    def __init__(
        self,
        *,
        memory: MemoryTier | None = None,
        redis: Redis | None = None,
        database: DatabaseTier | None = None,
        stats: TMDBStats | None = None,
        clock: Clock = time.time,
    ) -> None:
        self.memory = memory if memory is not None else MemoryTier(clock=clock)
        self.redis = RedisTier(redis) if redis is not None else None
        self.database = database
        self.stats = stats or TMDBStats()
        self._clock = clock
        self._redis_health = ServiceHealth("Redis", "TMDB cache")
        self._db_health = ServiceHealth("The database", "TMDB cache")

    async def get(self, key: str) -> Payload | None:
        """Return the cached payload, or None (counted as a miss)."""
        found = await self._get_tier1(key)
        if found is not None:
            return found
        found_db = await self._get_database(key)
        if found_db is not None:
            value, expires = found_db
            self.stats.database_hits += 1
            await self._set_tier1(key, value, expires)
            return value
        self.stats.misses += 1
        return None

    async def set(self, key: str, value: Payload, ttl: float) -> None:
        """Store the payload for `ttl` seconds in every tier (nothing if ttl <= 0)."""
        if ttl <= 0:
            return
        expires = self._clock() + ttl
        await self._set_tier1(key, value, expires)
        await self._set_database(key, value, expires)

    async def purge_expired(self) -> int:
        """Delete expired database rows and return how many (memory/Redis expire by themselves)."""
        if self.database is None:
            return 0
        try:
            return await self.database.purge_expired(self._now())
        except Exception as exc:
            self._database_failed(exc)
            return 0

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self._clock(), UTC)

    def _use_redis(self) -> bool:
        return self.redis is not None and self._redis_health.usable

    async def _get_tier1(self, key: str) -> Payload | None:
        if self.redis is not None and self._use_redis():
            try:
                hit = await self.redis.get(key)
            except Exception as exc:
                self._redis_failed(exc)
            else:
                self._redis_health.succeeded()
                if hit is not None:
                    self.stats.redis_hits += 1
                    return hit[0]
                return None
        memory_hit = self.memory.get(key)
        if memory_hit is not None:
            self.stats.memory_hits += 1
            return memory_hit[0]
        return None

    async def _set_tier1(self, key: str, value: Payload, expires: float) -> None:
        ttl = expires - self._clock()
        if ttl <= 0:
            return
        if self.redis is not None and self._use_redis():
            try:
                await self.redis.set(key, value, expires, ttl)
            except Exception as exc:
                self._redis_failed(exc)
            else:
                self._redis_health.succeeded()
                return
        self.memory.set(key, value, expires)

    async def _get_database(self, key: str) -> tuple[Payload, float] | None:
        if self.database is None or not self._db_health.usable:
            return None
        try:
            row = await self.database.get(key, self._now())
        except Exception as exc:
            self._database_failed(exc)
            return None
        self._db_health.succeeded()
        if row is None:
            return None
        return row[0], row[1].timestamp()

    async def _set_database(self, key: str, value: Payload, expires: float) -> None:
        if self.database is None or not self._db_health.usable:
            return
        try:
            await self.database.set(key, value, datetime.fromtimestamp(expires, UTC))
        except (ValueError, TypeError) as exc:
            # This one payload, not the database: the tier stays in use for the others.
            self.stats.database_refused += 1
            log.warning("TMDB cache: the database did not store %s (%s)", key, exc)
        except Exception as exc:
            self._database_failed(exc)
        else:
            self._db_health.succeeded()

    def _redis_failed(self, exc: Exception) -> None:
        if not is_redis_failure(exc):
            raise exc
        self.stats.redis_errors += 1
        self._redis_health.failed(exc)

    def _database_failed(self, exc: Exception) -> None:
        self.stats.database_errors += 1
        self._db_health.failed(exc)
