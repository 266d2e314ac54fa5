"""Rate limiters for TMDB requests: one per process, or one shared through Redis."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Protocol

from aiolimiter import AsyncLimiter

from filmbot.tmdb._health import ServiceHealth, is_redis_failure

if TYPE_CHECKING:
    from redis.asyncio import Redis

log = logging.getLogger(__name__)

# Spend slightly less than the budget so that network jitter between FilmBot and TMDB
# cannot squeeze one request too many into a window as TMDB measures it.
SAFETY_MARGIN = 0.02


class RateLimiter(Protocol):
    """Something that waits until one more request fits the budget."""

    limit: int
    period: float

    async def acquire(self) -> None:
        """Wait for permission to send one request."""


class LocalRateLimiter:
    """A token bucket for one process that never lets more than `limit` through per `period`.

    A plain bucket of `limit` tokens refilled at `limit / period` lets up to twice the
    budget through in one window (a full bucket, then a period of refills). This bucket
    holds `burst` tokens (1% of the limit, at least 1) and refills at
    `(limit - burst) / (period * (1 + margin))`, so any window sees at most `limit` grants
    with room to spare for network jitter, while throughput stays within a few percent of
    `limit / period`. The small burst also absorbs event-loop timer rounding at high rates.
    """

    def __init__(self, limit: int, period: float) -> None:
        if limit < 1 or period <= 0:
            raise ValueError("rate limit needs limit >= 1 and period > 0")
        self.limit = limit
        self.period = period
        self.burst = max(1, limit // 100)
        refill = max(limit - self.burst, 1) / (period * (1 + SAFETY_MARGIN))
        self.rate = min(refill, limit / period)
        self._bucket = AsyncLimiter(self.burst, self.burst / self.rate)

    async def acquire(self) -> None:
        """Wait for permission to send one request."""
        await self._bucket.acquire()


# GCRA with a burst of one, reserving the caller's slot so each acquire is one round trip.
# KEYS[1] = theoretical arrival time (microseconds, Redis clock); ARGV[1] = interval in µs.
# Returns how many µs the caller must wait before its reserved slot.
_GCRA_RESERVE_LUA = """
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) * 1000000 + tonumber(now_parts[2])
local interval = tonumber(ARGV[1])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
local slot = math.max(tat, now)
redis.call('SET', KEYS[1], string.format('%.0f', slot + interval),
           'PX', math.ceil((slot + interval - now) / 1000) + 1000)
return string.format('%.0f', slot - now)
"""


class RedisRateLimiter:
    """The same smoothed budget, shared by every FilmBot process through Redis.

    A Lua script runs GCRA on Redis' own clock and reserves the next free slot for the
    caller, who then sleeps until it. When Redis fails the limiter logs once and falls
    back to `fallback` (this process's own limiter), trying Redis again after a pause.
    """

    def __init__(
        self,
        redis: Redis,
        limit: int,
        period: float,
        *,
        fallback: RateLimiter | None = None,
        key: str = "tmdb:ratelimit",
    ) -> None:
        self.limit = limit
        self.period = period
        self.key = key
        self.health = ServiceHealth("Redis", "shared TMDB rate limit")
        self.fallback = fallback or LocalRateLimiter(limit, period)
        self.interval = period * (1 + SAFETY_MARGIN) / max(limit - 1, 1)
        self._interval_us = max(1, round(self.interval * 1_000_000))
        self._script = redis.register_script(_GCRA_RESERVE_LUA)

    async def acquire(self) -> None:
        """Wait for permission to send one request."""
        wait_us = await self._reserve() if self.health.usable else None
        if wait_us is None:
            await self.fallback.acquire()
        elif wait_us > 0:
            await asyncio.sleep(wait_us / 1_000_000)

    async def _reserve(self) -> int | None:
        """Reserve the next slot; return µs to wait, or None when Redis failed."""
        try:
            result = await self._script(keys=[self.key], args=[self._interval_us])
        except Exception as exc:
            if not is_redis_failure(exc):
                raise
            self.health.failed(exc)
            return None
        self.health.succeeded()
        return int(result)
