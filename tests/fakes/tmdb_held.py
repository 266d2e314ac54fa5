"""The fake TMDB with chosen paths failing, or held unanswered until released.

A held request notes when it arrived and whether the client dropped its connection while
waiting: a client that gives a request up closes it, one still waiting keeps it open.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from aiohttp import web

from tests.fakes.tmdb_catalogue import Catalogue
from tests.fakes.tmdb_server import INTERNAL_ERROR, FakeTMDB

POLL_SECONDS = 0.01


@dataclass
class Hold:
    """One held path: set `release` to answer it."""

    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    release: asyncio.Event = field(default_factory=asyncio.Event)
    dropped: asyncio.Event = field(default_factory=asyncio.Event)


class HeldTMDB(FakeTMDB):
    """FakeTMDB whose `fail` paths answer 500 and whose `hold` paths wait to be released."""

    def __init__(self, catalogue: Catalogue | None = None) -> None:
        super().__init__(catalogue=catalogue)
        self.failing: set[str] = set()
        self.held: dict[str, Hold] = {}

    def fail(self, path: str) -> None:
        """Answer every request for `path` (e.g. '/movie/changes') with a 500."""
        self.failing.add(path)

    def hold(self, path: str) -> Hold:
        """Hold the requests for `path` until the returned hold is released."""
        return self.held.setdefault(path, Hold())

    async def stop(self) -> None:
        """Release what is held, then stop listening."""
        for hold in self.held.values():
            hold.release.set()
        await super().stop()

    async def _route(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["tail"]
        if path in self.failing:
            return web.json_response(INTERNAL_ERROR, status=500)
        hold = self.held.get(path)
        if hold is not None:
            hold.arrived.set()
            while not hold.release.is_set():
                transport = request.transport
                if transport is None or transport.is_closing():
                    hold.dropped.set()
                    break
                await asyncio.sleep(POLL_SECONDS)
        return await super()._route(request)
