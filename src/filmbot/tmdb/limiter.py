"""Rate limiters for TMDB requests: one per process, or one shared through Redis.

Both keep TMDB's own count of any window within budget whatever the network does: a request
counts from the moment it is allowed until one period after its answer arrives. TMDB stamps
a request somewhere between those two moments, so however late it arrives or however the
requests bunch up on the way, no window TMDB measures can hold more than the budget, with no
safety margin to tune. The price is the round trip: a request holds its place for one period
plus its latency. Requests are also paced evenly so TMDB sees a steady stream; a burst of 4%
of the budget lets the pacing catch up after the event loop was busy (the window, not the
pacing, keeps the budget). A 429 halves the allowance, which then recovers by 1% of the
budget per period (see `_aimd.py`).
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections import deque
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Protocol

from filmbot.tmdb._aimd import Allowance

log = logging.getLogger(__name__)


class RateLimiter(Protocol):
    """Something that admits one request at a time within the budget."""

    limit: int
    period: float

    def request(self) -> AbstractAsyncContextManager[None]:
        """Hold one request's place in the budget from its sending until its answer."""

    async def rate_limited(self) -> None:
        """Lower the allowance because TMDB answered 429."""


def validate_budget(limit: int, period: float) -> None:
    """Refuse a budget that allows nothing."""
    if limit < 1 or period <= 0:
        raise ValueError("rate limit needs limit >= 1 and period > 0")


def burst_of(allowed: float) -> int:
    """Requests that may leave together: 4% of the allowance, at least one."""
    return max(1, int(allowed // 25))


class LocalRateLimiter:
    """The budget of one process: `limit` requests in any `period` as TMDB counts them."""

    def __init__(self, limit: int, period: float) -> None:
        validate_budget(limit, period)
        self.limit = limit
        self.period = period
        self.rate = limit / period
        self.allowance = Allowance(limit, period)
        self._lock = asyncio.Lock()
        self._answered = asyncio.Event()
        self._in_flight = 0
        self._finished: deque[float] = deque()
        self._next_slot = 0.0

    def current_limit(self) -> float:
        """Requests per period allowed now (below `limit` for a while after a 429)."""
        return self.allowance.current(time.monotonic())

    @asynccontextmanager
    async def request(self) -> AsyncIterator[None]:
        """Hold one request's place in the budget from its sending until its answer."""
        await self._acquire()
        try:
            yield
        finally:
            self._in_flight -= 1
            self._finished.append(time.monotonic())
            self._answered.set()

    async def rate_limited(self) -> None:
        """Halve the allowance because TMDB answered 429 (once per period)."""
        now = time.monotonic()
        if self.allowance.cut(now):
            log_cut(self.allowance.current(now), self.limit, self.period)

    async def _acquire(self) -> None:
        async with self._lock:
            while (wait := self._wait(time.monotonic())) > 0:
                if math.isinf(wait):
                    self._answered.clear()
                    await self._answered.wait()
                else:
                    await asyncio.sleep(wait)
            self._in_flight += 1

    def _wait(self, now: float) -> float:
        """Seconds until one more request fits (inf: until an answer arrives); 0 takes it."""
        allowed = self.allowance.current(now)
        while self._finished and self._finished[0] <= now - self.period:
            self._finished.popleft()
        if self._in_flight + len(self._finished) + 1 > allowed:
            return self._finished[0] + self.period - now if self._finished else math.inf
        interval = self.period / allowed
        wait = self._next_slot - (burst_of(allowed) - 1) * interval - now
        if wait <= 0:
            self._next_slot = max(self._next_slot, now) + interval
        return max(wait, 0.0)


def log_cut(allowed: float, limit: int, period: float) -> None:
    """Say that TMDB refused a request and how far the allowance dropped."""
    log.warning(
        "TMDB answered 429 (too many requests): allowing %.1f requests per %gs for now "
        "(configured %s); recovering by 1%% per period",
        allowed,
        period,
        limit,
    )
