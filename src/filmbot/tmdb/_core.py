"""The TMDB client's core: its transport, cache and fetcher, lifetime, and the change feeds."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from types import TracebackType
from typing import Any, Self

from filmbot.domain.models import MediaType
from filmbot.tmdb._fetcher import CoalescingFetcher
from filmbot.tmdb._params import details_params
from filmbot.tmdb.cache import TMDBCache
from filmbot.tmdb.models import ChangesPage, ImagesConfiguration
from filmbot.tmdb.transport import TMDBTransport

LIST_TTL = 24 * 3600.0
PERSON_APPEND = ("combined_credits",)
MAX_CHANGES_WINDOW = timedelta(days=14)
MAX_PAGE = 500


class ClientCore:
    """What every TMDB call goes through; `TMDBClient` adds the typed endpoints."""

    def __init__(
        self, transport: TMDBTransport, cache: TMDBCache | None = None, *, ttl: float = 3600.0
    ) -> None:
        self.transport = transport
        self.stats = transport.stats
        self.cache = cache if cache is not None else TMDBCache(stats=self.stats)
        self.cache.stats = self.stats
        self.ttl = ttl
        self.images = ImagesConfiguration()
        self._fetcher = CoalescingFetcher(transport, self.cache)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the HTTP session (a Redis client passed in stays open: its owner closes it)."""
        await self.transport.close()

    def _list_ttl(self) -> float:
        return LIST_TTL if self.ttl > 0 else 0.0

    async def check_credentials(self) -> None:
        """Raise TMDBAuthError unless TMDB accepts the configured credentials."""
        await self.transport.get_json("/authentication", {})

    async def purge_expired_cache(self) -> int:
        """Delete expired database cache rows; return how many."""
        return await self.cache.purge_expired()

    # -- change feeds ---------------------------------------------------------------------

    async def changes(
        self, media: MediaType, start: date, end: date, *, page: int = 1
    ) -> ChangesPage:
        """One page of ids changed between `start` and `end` (at most 14 days apart)."""
        return await self._changes_page(f"/{media.value}/changes", start, end, page)

    async def changed_ids(self, media: MediaType, start: date, end: date) -> set[int]:
        """Every id changed between `start` and `end`, across all pages."""
        return await self._all_changed(f"/{media.value}/changes", start, end)

    async def person_changes(self, start: date, end: date, *, page: int = 1) -> ChangesPage:
        """One page of person ids changed between `start` and `end` (/person/changes)."""
        return await self._changes_page("/person/changes", start, end, page)

    async def changed_person_ids(self, start: date, end: date) -> set[int]:
        """Every person id changed between `start` and `end`, across all pages."""
        return await self._all_changed("/person/changes", start, end)

    async def fresh_person(self, person_id: int, *, language: str | None = None) -> dict[str, Any]:
        """A person's raw JSON with combined credits, bypassing the response cache."""
        params = details_params(language, PERSON_APPEND)
        return await self.transport.get_json(f"/person/{person_id}", params)

    async def _changes_page(self, path: str, start: date, end: date, page: int) -> ChangesPage:
        if end < start or end - start > MAX_CHANGES_WINDOW:
            raise ValueError("a TMDB changes window must be 0 to 14 days long")
        params = {"start_date": start.isoformat(), "end_date": end.isoformat(), "page": str(page)}
        return await self._fetcher.fetch(path, params, 0.0, ChangesPage)

    async def _all_changed(self, path: str, start: date, end: date) -> set[int]:
        first = await self._changes_page(path, start, end, 1)
        last = min(first.total_pages, MAX_PAGE)
        rest = await asyncio.gather(
            *(self._changes_page(path, start, end, n) for n in range(2, last + 1))
        )
        return {entry.id for page in (first, *rest) for entry in page.results}
