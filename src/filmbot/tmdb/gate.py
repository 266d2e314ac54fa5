"""A caller's own share of TMDB: count the upstream requests made on its behalf, and pace them.

`RequestGate.applied()` marks the calls made inside it (and the requests they start, which
inherit the context) as the gate's: every request that goes to TMDB on their behalf, each
retry included, is counted in `requests` and first admitted by the gate's own limiter, then
by the client's. Answers from the cache, and requests another caller already has in flight,
are neither counted nor paced. Other callers never wait on the gate.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar

from filmbot.tmdb.limiter import RateLimiter

_current: ContextVar[RequestGate | None] = ContextVar("filmbot_tmdb_gate", default=None)


class RequestGate:
    """Counts and paces the upstream requests of one caller (e.g. one import)."""

    def __init__(self, limiter: RateLimiter | None = None) -> None:
        self.limiter = limiter
        self.requests = 0

    @contextmanager
    def applied(self) -> Iterator[RequestGate]:
        """Make the gate the current caller's for the calls inside the block."""
        token = _current.set(self)
        try:
            yield self
        finally:
            _current.reset(token)

    @asynccontextmanager
    async def admit(self) -> AsyncIterator[None]:
        """Hold one upstream request's place in the gate's own budget."""
        if self.limiter is None:
            yield
            return
        async with self.limiter.request():
            yield


def current_gate() -> RequestGate | None:
    """The gate of the calls running now, if any."""
    return _current.get()
