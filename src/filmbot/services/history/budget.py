"""The share of TMDB imports may use, so they never starve updates or members' commands."""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from typing import TypeVar

from filmbot.tmdb import LocalRateLimiter, RateLimiter
from filmbot.tmdb.gate import RequestGate

T = TypeVar("T")
IMPORT_SHARE = 0.25


def import_share(rate_limit: int, share: float = IMPORT_SHARE) -> int:
    """Requests per period all imports together may send: a quarter of TMDB_RATE_LIMIT."""
    return max(1, math.floor(rate_limit * share))


class ImportBudget:
    """All imports' TMDB requests, at most a quarter of TMDB_RATE_LIMIT in any period.

    `limiter` admits every request an import sends to TMDB (retries too) before the client's
    own rate limiter does; it holds `import_share(TMDB_RATE_LIMIT)` requests per period, in
    this process (LocalRateLimiter) or across every process through Redis
    (RedisRateLimiter under its own key). Requests of the update cycle and of members'
    commands never pass through it, so they never wait behind an import.
    """

    def __init__(self, limiter: RateLimiter) -> None:
        self.limiter = limiter

    @classmethod
    def local(cls, rate_limit: int, period: float, share: float = IMPORT_SHARE) -> ImportBudget:
        """A budget of this process alone."""
        return cls(LocalRateLimiter(import_share(rate_limit, share), period))

    def gate(self) -> ImportGate:
        """One import's gate: its requests go through the budget and are counted exactly."""
        return ImportGate(RequestGate(self.limiter))


class ImportGate:
    """One import's TMDB calls: paced by the shared budget, its own requests counted."""

    def __init__(self, gate: RequestGate) -> None:
        self._gate = gate

    @property
    def requests(self) -> int:
        """Requests this import sent to TMDB (answers from the cache are not requests)."""
        return self._gate.requests

    async def call(self, work: Callable[[], Awaitable[T]]) -> T:
        """Run one TMDB call of the import within the budget."""
        with self._gate.applied():
            return await work()
