"""The core every cached endpoint shares: the cache, one request per key in flight, then TMDB."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel

from filmbot.domain.models import MediaType
from filmbot.tmdb.cache import TMDBCache, cache_key
from filmbot.tmdb.models import parse_payload
from filmbot.tmdb.transport import TMDBTransport

ModelT = TypeVar("ModelT", bound=BaseModel)


class CoalescingFetcher:
    """Serve parsed payloads from the cache, a request already in flight, or TMDB."""

    def __init__(self, transport: TMDBTransport, cache: TMDBCache) -> None:
        self.transport = transport
        self.cache = cache
        self._inflight: dict[str, asyncio.Future[Any]] = {}

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
        future = self._inflight.get(key)
        if future is None:
            future = asyncio.ensure_future(
                self._load(path=path, params=params, key=key, ttl=ttl, model=model, media=media)
            )
            self._inflight[key] = future
            future.add_done_callback(lambda done: self._forget(key, done))
        else:
            self.transport.stats.coalesced += 1
        result: ModelT = await asyncio.shield(future)
        return result

    def _forget(self, key: str, done: asyncio.Future[Any]) -> None:
        if self._inflight.get(key) is done:
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
