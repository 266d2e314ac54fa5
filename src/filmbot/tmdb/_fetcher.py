"""The core every cached endpoint shares: the cache, one request per key in flight, then TMDB."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel

from filmbot.domain.models import MediaType
from filmbot.tmdb.cache import TMDBCache, cache_key
from filmbot.tmdb.models import parse_payload
from filmbot.tmdb.transport import TMDBTransport

ModelT = TypeVar("ModelT", bound=BaseModel)


@dataclass(slots=True)
class _InFlight:
    """A request in flight, how many callers wait for it, and whether it is cached."""

    task: asyncio.Future[Any]
    cached: bool
    waiting: int = 0


class CoalescingFetcher:
    """Serve parsed payloads from the cache, a request already in flight, or TMDB.

    A caller that stops waiting (cancelled, or out of time) leaves the request to the
    others. Once none is left, a request whose answer is cached goes on and fills the
    cache for the next caller (an autocomplete out of time, then the command); one that is
    not cached (a change feed) is cancelled, since nobody would ever read its answer.
    """

    def __init__(self, transport: TMDBTransport, cache: TMDBCache) -> None:
        self.transport = transport
        self.cache = cache
        self._inflight: dict[str, _InFlight] = {}

    async def fetch(
        self,
        path: str,
        params: Mapping[str, str],
        ttl: float,
        model: type[ModelT],
        media: MediaType | None = None,
    ) -> ModelT:
        """Return the parsed payload; identical concurrent calls share one request."""
        key = cache_key(path, params)
        shared = self._inflight.get(key)
        if shared is None:
            shared = _InFlight(
                asyncio.ensure_future(
                    self._load(path=path, params=params, key=key, ttl=ttl, model=model, media=media)
                ),
                cached=ttl > 0,
            )
            self._inflight[key] = shared
            shared.task.add_done_callback(lambda done: self._forget(key, done))
        else:
            self.transport.stats.coalesced += 1
        shared.waiting += 1
        try:
            result: ModelT = await asyncio.shield(shared.task)
        finally:
            shared.waiting -= 1
            if shared.waiting == 0 and not shared.cached and not shared.task.done():
                # Every caller stopped waiting: nobody wants the answer. Forget it at once,
                # so a caller arriving before the task has wound down starts a new request
                # instead of joining the cancelled one.
                shared.task.cancel()
                if self._inflight.get(key) is shared:
                    del self._inflight[key]
        return result

    def _forget(self, key: str, done: asyncio.Future[Any]) -> None:
        shared = self._inflight.get(key)
        if shared is not None and shared.task is done:
            del self._inflight[key]
        if not done.cancelled():
            done.exception()  # mark as retrieved even if every waiter went away

    async def _load(
        self,
        *,
        path: str,
        params: Mapping[str, str],
        key: str,
        ttl: float,
        model: type[ModelT],
        media: MediaType | None,
    ) -> ModelT:
        if ttl > 0:
            cached = await self.cache.get(key)
            if cached is not None:
                return parse_payload(model, cached, path, media)
        payload = await self.transport.get_json(path, params)
        parsed = parse_payload(model, payload, path, media)
        await self.cache.set(key, payload, ttl)
        return parsed
