"""The TMDB rate limiter shared by every FilmBot process through Redis."""

from __future__ import annotations

import asyncio
import itertools
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from filmbot.tmdb._aimd import DECREASE_FACTOR, RECOVERY_PER_PERIOD
from filmbot.tmdb._health import ServiceHealth, is_redis_failure
from filmbot.tmdb.limiter import LocalRateLimiter, RateLimiter, log_cut, validate_budget

if TYPE_CHECKING:
    from redis.asyncio import Redis

# Every script works in microseconds on Redis' clock. KEYS[1]: a sorted set of requests,
# scored by when each stops counting (one period after its answer; until then, one period
# after the longest a request may take). KEYS[2]: a hash with the next pacing slot ('next')
# and, after a 429, the cut allowance ('base') and when it was cut ('since').
# ARGV[1]: limit, ARGV[2]: period.
_PRELUDE = f"""
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local limit = tonumber(ARGV[1])
local period = tonumber(ARGV[2])
local cut = redis.call('HMGET', KEYS[2], 'base', 'since')
local allowed = limit
if cut[1] then
  local regained = (now - tonumber(cut[2])) / period * {RECOVERY_PER_PERIOD} * limit
  allowed = math.min(limit, tonumber(cut[1]) + regained)
end
"""

# ARGV[3]: the request's id, ARGV[4]: the longest a request may take (µs).
# Returns {1, 0} when the request may go, else {0, µs to wait before asking again}.
_ACQUIRE_LUA = (
    _PRELUDE
    + """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) + 1 > allowed then
  local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return {0, math.floor(tonumber(first[2]) - now) + 1}
end
local interval = period / allowed
local burst = math.max(1, math.floor(allowed / 25))
local slot = tonumber(redis.call('HGET', KEYS[2], 'next') or '0')
local wait = slot - (burst - 1) * interval - now
if wait > 0 then
  return {0, math.floor(wait) + 1}
end
redis.call('HSET', KEYS[2], 'next', string.format('%.0f', math.max(slot, now) + interval))
redis.call('PEXPIRE', KEYS[2], math.ceil(period * 101 / 1000))
local ttl = tonumber(ARGV[4])
redis.call('ZADD', KEYS[1], now + ttl + period, ARGV[3])
redis.call('PEXPIRE', KEYS[1], math.ceil((ttl + 2 * period) / 1000))
return {1, 0}
"""
)

# ARGV[3]: the request's id. Its place now counts for one more period only.
_RELEASE_LUA = (
    _PRELUDE
    + """
redis.call('ZADD', KEYS[1], 'XX', now + period, ARGV[3])
return 1
"""
)

# Halve the allowance unless it was cut less than a period ago; return the new allowance
# in thousandths, or -1 when left alone.
_CUT_LUA = (
    _PRELUDE
    + f"""
if cut[2] and now - tonumber(cut[2]) < period then
  return -1
end
local lowered = math.max(1, allowed * {DECREASE_FACTOR})
redis.call('HSET', KEYS[2], 'base', tostring(lowered), 'since', string.format('%.0f', now))
redis.call('PEXPIRE', KEYS[2], math.ceil(period * 101 / 1000))
return math.floor(lowered * 1000)
"""
)

# The allowance now, in thousandths.
_ALLOWANCE_LUA = _PRELUDE + "\nreturn math.floor(allowed * 1000)\n"


class RedisRateLimiter:
    """The same budget, pacing and 429 handling, shared by every FilmBot process via Redis.

    Lua scripts keep the requests of all processes and the allowance on Redis' own clock.
    When Redis fails the limiter logs once and falls back to `fallback` (this process's own
    limiter), trying Redis again after a pause.
    """

    def __init__(
        self,
        redis: Redis,
        limit: int,
        period: float,
        *,
        fallback: RateLimiter | None = None,
        key: str = "tmdb:ratelimit",
        longest_request: float = 30.0,
    ) -> None:
        validate_budget(limit, period)
        self.limit = limit
        self.period = period
        self.rate = limit / period
        self.key = key
        self.health = ServiceHealth("Redis", "shared TMDB rate limit")
        self.fallback = fallback or LocalRateLimiter(limit, period)
        self._keys = [f"{key}:requests", f"{key}:state"]
        self._budget = [limit, max(1, round(period * 1_000_000))]
        self._longest_us = max(1, round(longest_request * 1_000_000))
        self._poll = max(0.001, period / limit)
        self._ids = (f"{uuid.uuid4().hex}:{n}" for n in itertools.count())
        self._lock = asyncio.Lock()
        self._acquire_script = redis.register_script(_ACQUIRE_LUA)
        self._release_script = redis.register_script(_RELEASE_LUA)
        self._cut_script = redis.register_script(_CUT_LUA)
        self._allowance_script = redis.register_script(_ALLOWANCE_LUA)

    @asynccontextmanager
    async def request(self) -> AsyncIterator[None]:
        """Hold one request's place in the shared budget from its sending until its answer."""
        request_id = await self._acquire()
        if request_id is None:
            async with self.fallback.request():
                yield
            return
        try:
            yield
        finally:
            await self._call(self._release_script, request_id)

    async def rate_limited(self) -> None:
        """Halve the allowance of every process because TMDB answered 429."""
        lowered = await self._call(self._cut_script)
        if lowered is None:
            await self.fallback.rate_limited()
        elif int(lowered) >= 0:
            log_cut(int(lowered) / 1000, self.limit, self.period)

    async def current_limit(self) -> float | None:
        """Requests per period all processes may send now; None when Redis is unreachable."""
        allowed = await self._call(self._allowance_script)
        return None if allowed is None else int(allowed) / 1000

    async def _acquire(self) -> str | None:
        """Wait for a place in the shared budget; None when Redis failed."""
        request_id = next(self._ids)
        async with self._lock:
            while True:
                answer = await self._call(self._acquire_script, request_id, self._longest_us)
                if answer is None:
                    return None
                granted, wait_us = (int(part) for part in answer)
                if granted:
                    return request_id
                await asyncio.sleep(min(wait_us / 1_000_000, self._poll))

    async def _call(self, script: Any, *args: object) -> Any:
        """Run a script with the budget; None when Redis fails (logged once per outage)."""
        if not self.health.usable:
            return None
        try:
            result = await script(keys=self._keys, args=[*self._budget, *args])
        except Exception as exc:
            if not is_redis_failure(exc):
                raise
            self.health.failed(exc)
            return None
        self.health.succeeded()
        return result
