"""Where the update engine gets fresh title data: a thin adapter over the TMDB client.

The engine needs the raw details payload (for `snapshot_from_tmdb`), fresh from TMDB rather
than from the response cache (a title listed in the change feed must be refetched, not
served from a copy up to CACHE_TTL_SECONDS old), and only the `release_dates` section.
`TMDBClient.get_many_details` caches, appends credits/videos/providers and returns parsed
models, so this adapter calls the client's transport: same credentials, retries, rate
limiter and request counters.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from datetime import date
from typing import Any, Protocol

from filmbot.domain.models import MediaType, TitleRef
from filmbot.tmdb import DEFAULT_LANGUAGE, TMDBClient

FETCH_CONCURRENCY = 32


class TitleSource(Protocol):
    """Fresh TMDB data for the update engine."""

    async def details(self, ref: TitleRef) -> dict[str, Any]:
        """Return the title's raw details; raise TMDBNotFound or TMDBError."""

    async def changed_ids(self, media: MediaType, start: date, end: date) -> set[int]:
        """Return ids TMDB lists as changed between the two days; raise TMDBError."""

    def image_url(self, path: str | None) -> str | None:
        """Return a poster's full URL."""


class TMDBTitleSource:
    """`TitleSource` backed by FilmBot's TMDB client, bypassing its response cache."""

    def __init__(self, client: TMDBClient, language: str = DEFAULT_LANGUAGE) -> None:
        self._client = client
        self._language = language

    async def details(self, ref: TitleRef) -> dict[str, Any]:
        """Fetch a title's details (films with their release dates) straight from TMDB."""
        params = {"language": self._language}
        if ref.media_type is MediaType.MOVIE:
            params["append_to_response"] = "release_dates"
        path = f"/{ref.media_type.value}/{ref.tmdb_id}"
        return await self._client.transport.get_json(path, params)

    async def changed_ids(self, media: MediaType, start: date, end: date) -> set[int]:
        """Read every page of TMDB's change feed for the media type."""
        return await self._client.changed_ids(media, start, end)

    def image_url(self, path: str | None) -> str | None:
        """Return the w500 poster URL."""
        return self._client.image_url(path)


async def run_bounded(
    refs: Iterable[TitleRef],
    work: Callable[[TitleRef], Awaitable[None]],
    concurrency: int = FETCH_CONCURRENCY,
) -> None:
    """Run `work` for every ref with at most `concurrency` in flight (the limiter paces them)."""
    queue: asyncio.Queue[TitleRef] = asyncio.Queue()
    for ref in refs:
        queue.put_nowait(ref)

    async def worker() -> None:
        while True:
            try:
                ref = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            await work(ref)

    tasks = [asyncio.ensure_future(worker()) for _ in range(min(concurrency, queue.qsize()))]
    try:
        await asyncio.gather(*tasks)
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
