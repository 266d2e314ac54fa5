"""Where the update engine gets fresh title data: TMDB, shared between processes via Redis.

The engine needs the raw details payload (for `snapshot_from_tmdb`), fresh from TMDB rather
than from the response cache (a title listed in the change feed must be refetched, not
served from a copy up to CACHE_TTL_SECONDS old), and only the `release_dates` (films) and
`watch/providers` (for the `streaming` kind) sections.
`TMDBClient.get_many_details` caches, appends credits/videos/providers and returns parsed
models, so `TMDBTitleSource` asks for `fresh_details`: the raw payload through the same
credentials, retries, rate limiter and request counters, bypassing the response cache.

With shards split across processes each process runs the update cycle for its own guilds,
and titles followed in several partitions would be fetched once per process. Through Redis
(`SharedTitleSource`) the first process to need a title fetches it (holding a short lock)
and stores the payload for a while; the others read that copy. Without Redis, or when Redis
fails, each process fetches for itself.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from collections.abc import Awaitable, Callable, Collection, Iterable
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from filmbot.domain.models import MediaType, TitleRef
from filmbot.tmdb import DEFAULT_LANGUAGE, Decoder, TMDBClient, regional_decoder
from filmbot.tmdb.errors import TMDBError, TMDBNotFound

if TYPE_CHECKING:
    from redis.asyncio import Redis

log = logging.getLogger(__name__)

FETCH_CONCURRENCY = 32
PREFIX = "filmbot:updates"
MISSING = '{"__missing__": true}'
LOCK_MS = 30_000
POLL_SECONDS = 0.05


class TitleSource(Protocol):
    """Fresh TMDB data for the update engine."""

    async def details(
        self, ref: TitleRef, regions: Collection[str] | None = None
    ) -> dict[str, Any]:
        """Return the title's raw details; raise TMDBNotFound or TMDBError.

        With `regions`, the release dates and watch providers of other countries may be
        left out (they are, from TMDB: they are never decoded).
        """

    async def changed_ids(self, media: MediaType, start: date, end: date) -> set[int]:
        """Return ids TMDB lists as changed between the two days; raise TMDBError."""

    def image_url(self, path: str | None) -> str | None:
        """Return a poster's full URL."""


@runtime_checkable
class PersonSource(Protocol):
    """Fresh TMDB data about followed people (a `TitleSource` that also has this)."""

    async def person(self, person_id: int) -> dict[str, Any]:
        """Return the person's raw JSON with combined credits; raise TMDBNotFound or TMDBError."""

    async def changed_people(self, start: date, end: date) -> set[int]:
        """Return person ids TMDB lists as changed between the two days; raise TMDBError."""


class TMDBTitleSource:
    """`TitleSource` backed by FilmBot's TMDB client, bypassing its response cache."""

    def __init__(self, client: TMDBClient, language: str = DEFAULT_LANGUAGE) -> None:
        self._client = client
        self._language = language

    async def details(
        self, ref: TitleRef, regions: Collection[str] | None = None
    ) -> dict[str, Any]:
        """Fetch a title's details, release dates (films) and providers straight from TMDB."""
        movie = ref.media_type is MediaType.MOVIE
        append = ("release_dates", "watch/providers") if movie else ("watch/providers",)
        return await self._client.fresh_details(
            ref, language=self._language, append=append, regions=regions
        )

    async def changed_ids(self, media: MediaType, start: date, end: date) -> set[int]:
        """Read every page of TMDB's change feed for the media type."""
        return await self._client.changed_ids(media, start, end)

    async def person(self, person_id: int) -> dict[str, Any]:
        """Fetch a person with combined credits straight from TMDB."""
        return await self._client.fresh_person(person_id, language=self._language)

    async def changed_people(self, start: date, end: date) -> set[int]:
        """Read every page of TMDB's /person/changes feed."""
        return await self._client.changed_person_ids(start, end)

    def image_url(self, path: str | None) -> str | None:
        """Return the w500 poster URL."""
        return self._client.image_url(path)


async def run_bounded(
    refs: Iterable[TitleRef],
    work: Callable[[TitleRef], Awaitable[None]],
    concurrency: int = FETCH_CONCURRENCY,
) -> None:
    """Run `work` for every ref with at most `concurrency` in flight (the limiter paces them)."""
    todo = list(refs)
    pending = iter(todo)

    async def worker() -> None:
        for ref in pending:
            await work(ref)

    tasks = [asyncio.ensure_future(worker()) for _ in range(min(concurrency, len(todo)))]
    try:
        await asyncio.gather(*tasks)
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise


class SharedTitleSource:
    """A TitleSource whose results are shared through Redis for `ttl` seconds."""

    def __init__(self, inner: TitleSource, redis: Redis, ttl: float, wait: float = 15.0) -> None:
        self._inner = inner
        self._redis = redis
        self._ttl_ms = max(1000, int(ttl * 1000))
        self._wait = wait
        self._owner = f"{os.getpid()}:{id(self)}"
        self._warned = False

    async def details(
        self, ref: TitleRef, regions: Collection[str] | None = None
    ) -> dict[str, Any]:
        """The title's payload: another process's recent copy, or a fresh fetch shared after.

        The shared copy has every country, since processes follow titles from different
        regions; a process reading it decodes only its `regions`.
        """
        key = f"{PREFIX}:details:{ref.media_type.value}:{ref.tmdb_id}"
        decode = None if regions is None else regional_decoder(regions)
        value = await self._shared(key, lambda: self._inner.details(ref), decode)
        if value.get("__missing__"):
            raise TMDBNotFound(f"TMDB no longer has {ref}")
        return value

    async def changed_ids(self, media: MediaType, start: date, end: date) -> set[int]:
        """The change feed, read once per window by whichever process asks first."""
        key = f"{PREFIX}:changes:{media.value}:{start.isoformat()}:{end.isoformat()}"

        async def fetch() -> dict[str, Any]:
            return {"ids": sorted(await self._inner.changed_ids(media, start, end))}

        value = await self._shared(key, fetch)
        return {int(i) for i in value["ids"]}

    async def person(self, person_id: int) -> dict[str, Any]:
        """A person's payload: another process's recent copy, or a fresh fetch shared after."""
        if not isinstance(self._inner, PersonSource):
            raise TMDBError("this title source cannot fetch people")
        inner = self._inner
        value = await self._shared(f"{PREFIX}:person:{person_id}", lambda: inner.person(person_id))
        if value.get("__missing__"):
            raise TMDBNotFound(f"TMDB no longer has person {person_id}")
        return value

    async def changed_people(self, start: date, end: date) -> set[int]:
        """The person change feed, read once per window by whichever process asks first."""
        if not isinstance(self._inner, PersonSource):
            raise TMDBError("this title source cannot fetch people")
        inner = self._inner
        key = f"{PREFIX}:changes:person:{start.isoformat()}:{end.isoformat()}"

        async def fetch() -> dict[str, Any]:
            return {"ids": sorted(await inner.changed_people(start, end))}

        value = await self._shared(key, fetch)
        return {int(i) for i in value["ids"]}

    def image_url(self, path: str | None) -> str | None:
        """Delegate to the TMDB configuration."""
        return self._inner.image_url(path)

    async def _shared(self, key: str, fetch: Any, decode: Decoder | None = None) -> dict[str, Any]:
        try:
            cached = await self._read_or_claim(key, decode or json.loads)
        except Exception as exc:
            self._warn(exc)
            return dict(await fetch())
        if cached is not None:
            return cached
        try:
            value = await fetch()
        except TMDBNotFound:
            await self._store(key, MISSING)
            raise
        await self._store(key, json.dumps(value, separators=(",", ":")))
        return dict(value)

    async def _read_or_claim(self, key: str, decode: Decoder) -> dict[str, Any] | None:
        """Return a shared copy, or None when this process should fetch (it holds the lock)."""
        raw = await self._redis.get(key)
        if raw is not None:
            return dict(decode(raw))
        if await self._redis.set(f"{key}:lock", self._owner, nx=True, px=LOCK_MS):
            return None
        deadline = time.monotonic() + self._wait
        while time.monotonic() < deadline:
            await asyncio.sleep(POLL_SECONDS)
            raw = await self._redis.get(key)
            if raw is not None:
                return dict(decode(raw))
        return None

    async def _store(self, key: str, value: str) -> None:
        try:
            await self._redis.set(key, value, px=self._ttl_ms)
            await self._redis.delete(f"{key}:lock")
        except Exception as exc:
            self._warn(exc)

    def _warn(self, exc: Exception) -> None:
        if not self._warned:
            log.warning("Redis unavailable for shared update data (%s); fetching locally", exc)
            self._warned = True


def shared_ttl(interval: timedelta) -> float:
    """How long a shared copy stays valid, in seconds: half a cycle, at most an hour."""
    return min(interval.total_seconds() / 2, 3600.0)


def title_source(tmdb: TMDBClient, redis: Redis | None, interval: timedelta) -> TitleSource:
    """The engine's title source: shared through Redis when there is one."""
    source: TitleSource = TMDBTitleSource(tmdb)
    if redis is None:
        return source
    return SharedTitleSource(source, redis, shared_ttl(interval))
