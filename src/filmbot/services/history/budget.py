"""The share of TMDB an import may use, so it never starves updates or members' commands."""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from filmbot.tmdb.stats import TMDBStats

T = TypeVar("T")
IMPORT_SHARE = 0.25


class ImportBudget:
    """One import request to TMDB in flight at a time, at most a quarter of TMDB_RATE_LIMIT.

    Every import in the process goes through the same budget, one request at a time; after a
    request that went to TMDB (not served by the response cache) the next waits its turn, so
    imports together use at most `share` of the rate limit and the rest stays free for the
    update cycle and interactive commands.
    """

    def __init__(
        self, stats: TMDBStats, rate_limit: int, period: float, share: float = IMPORT_SHARE
    ) -> None:
        self._stats = stats
        self.interval = period / max(1, math.floor(rate_limit * share))
        self._lock = asyncio.Lock()
        self._free_at = 0.0
        self.requests = 0

    async def call(self, work: Callable[[], Awaitable[T]]) -> T:
        """Run one TMDB call of an import within the budget."""
        async with self._lock:
            wait = self._free_at - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            before = self._stats.upstream_requests
            try:
                return await work()
            finally:
                if self._stats.upstream_requests != before:
                    self.requests += 1
                    self._free_at = time.monotonic() + self.interval
