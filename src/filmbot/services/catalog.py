"""Search and discovery: resolve what users type to titles, search, details, trending, similar."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import date
from typing import Literal

from filmbot.domain.errors import InvalidInputError, NotFoundError
from filmbot.domain.models import MediaType, TitleRef
from filmbot.domain.titles import imdb_id_of, parse_title_query
from filmbot.tmdb import TMDBClient
from filmbot.tmdb.errors import TMDBNotFound
from filmbot.tmdb.models import (
    MovieDetails,
    MovieResult,
    MultiPage,
    TitleDetails,
    TitlePage,
    TVResult,
)

log = logging.getLogger(__name__)

MediaFilter = Literal["all", "movie", "tv"]
PICKER_LIMIT = 25
AUTOCOMPLETE_BUDGET_SECONDS = 2.5
LOOSE_SEARCH_RETRIES = 2
MAX_SEARCH_LENGTH = 100


@dataclass(frozen=True, slots=True)
class TitleSummary:
    """A title as lists show it."""

    ref: TitleRef
    title: str
    year: int | None
    overview: str
    poster_path: str | None
    vote_average: float
    vote_count: int
    genre_ids: tuple[int, ...] = ()
    popularity: float = 0.0
    release_date: date | None = None

    @property
    def label(self) -> str:
        """`Dune: Part Two (2024) · Movie`, the form autocomplete and pickers show."""
        year = f" ({self.year})" if self.year else ""
        return f"{self.title}{year} · {self.ref.media_type.label}"


@dataclass(frozen=True, slots=True)
class SearchPage:
    """One page of results."""

    items: list[TitleSummary]
    page: int
    total_pages: int
    total_results: int


@dataclass(frozen=True, slots=True)
class Resolution:
    """What a title option resolved to: one title, or several to pick from."""

    choices: list[TitleSummary]

    @property
    def single(self) -> TitleSummary | None:
        """The title, when there is exactly one."""
        return self.choices[0] if len(self.choices) == 1 else None


def summarise(title: MovieResult | TVResult | TitleDetails) -> TitleSummary:
    """Turn a TMDB list result or full details into a summary."""
    released = (
        title.release_date
        if isinstance(title, MovieResult | MovieDetails)
        else title.first_air_date
    )
    if isinstance(title, MovieResult | TVResult):
        genre_ids = tuple(title.genre_ids)
    else:
        genre_ids = tuple(g.id for g in title.genres)
    return TitleSummary(
        ref=title.ref,
        title=title.display_title or "Untitled",
        year=title.year,
        overview=title.overview,
        poster_path=title.poster_path,
        vote_average=title.vote_average,
        vote_count=title.vote_count,
        genre_ids=genre_ids,
        popularity=title.popularity,
        release_date=released,
    )


class CatalogService:
    """Everything users ask TMDB about, in the guild's language and region."""

    def __init__(self, tmdb: TMDBClient) -> None:
        self._tmdb = tmdb

    async def parse(
        self, text: str, *, language: str | None = None, media: MediaType | None = None
    ) -> TitleRef | str:
        """Parse a title option, looking IMDb ids up on TMDB; else the search text.

        NotFoundError when TMDB knows no title under the IMDb id.
        """
        parsed = parse_title_query(text)
        imdb_id = imdb_id_of(parsed) if isinstance(parsed, str) else None
        if imdb_id is None:
            return parsed
        found = await self._tmdb.find_by_imdb_id(imdb_id, language=language)
        ref = found.first_ref(prefer=media)
        if ref is None:
            raise NotFoundError(f"TMDB knows no film or show with the IMDb id {imdb_id}.")
        return ref

    async def resolve(
        self, text: str, *, language: str | None = None, media: MediaFilter = "all"
    ) -> Resolution:
        """Resolve a title option; NotFoundError when nothing matches."""
        expected = None if media == "all" else MediaType(media)
        parsed = await self.parse(text, language=language, media=expected)
        if isinstance(parsed, TitleRef):
            if expected is not None and parsed.media_type is not expected:
                raise InvalidInputError(
                    f"That is a {parsed.media_type.label.lower()}, not a {expected.label.lower()}."
                )
            return Resolution([summarise(await self.details(parsed, language=language))])
        page = await self._search_loosely(parsed, media, language)
        if not page.items:
            raise NotFoundError(f"No film or show matches “{parsed[:80]}”.")
        exact = [item for item in page.items if item.title.casefold() == parsed.casefold()]
        if len(exact) == 1 and len(page.items) == 1:
            return Resolution(exact)
        return Resolution(page.items[:PICKER_LIMIT])

    async def _search_loosely(
        self, text: str, media: MediaFilter, language: str | None
    ) -> SearchPage:
        """Search; with no hits, retry with the last words dropped ("Dune Part 3" finds Dune)."""
        words = text.split()
        shortest = max(len(words) - LOOSE_SEARCH_RETRIES, 1)
        for count in range(len(words), shortest - 1, -1):
            page = await self.search(" ".join(words[:count]), media=media, language=language)
            if page.items:
                break
        return page

    async def search(
        self, query: str, *, media: MediaFilter = "all", page: int = 1, language: str | None = None
    ) -> SearchPage:
        """Search movies and TV (or one of them)."""
        query = " ".join(query.split())
        if not query or len(query) > MAX_SEARCH_LENGTH:
            raise InvalidInputError(
                f"A search is 1 to {MAX_SEARCH_LENGTH} characters; yours has {len(query)}."
            )
        if not 1 <= page <= 500:
            raise InvalidInputError("Pages go from 1 to 500.")
        result: TitlePage | MultiPage
        if media == "movie":
            result = await self._tmdb.search_movie(query, page=page, language=language)
        elif media == "tv":
            result = await self._tmdb.search_tv(query, page=page, language=language)
        else:
            result = await self._tmdb.search_multi(query, page=page, language=language)
        items = [summarise(r) for r in result.results if isinstance(r, MovieResult | TVResult)]
        return SearchPage(items, result.page, min(result.total_pages, 500), result.total_results)

    async def details(self, ref: TitleRef, *, language: str | None = None) -> TitleDetails:
        """A title's full details; NotFoundError when TMDB has no such title."""
        try:
            return await self._tmdb.get_details(ref, language=language)
        except TMDBNotFound:
            raise NotFoundError(
                f"TMDB has no {ref.media_type.label.lower()} with id {ref.tmdb_id}."
            ) from None

    async def trending(
        self,
        media: MediaFilter = "all",
        window: Literal["day", "week"] = "week",
        *,
        page: int = 1,
        language: str | None = None,
    ) -> SearchPage:
        """Trending titles of the day or week."""
        result = await self._tmdb.trending(media, window, page=page, language=language)
        items = [summarise(r) for r in result.results if isinstance(r, MovieResult | TVResult)]
        return SearchPage(items, result.page, min(result.total_pages, 500), result.total_results)

    async def similar(
        self, ref: TitleRef, *, page: int = 1, language: str | None = None
    ) -> SearchPage:
        """Titles similar to one title."""
        return await self._related(ref, "similar", page, language)

    async def recommendations(
        self, ref: TitleRef, *, page: int = 1, language: str | None = None
    ) -> SearchPage:
        """Titles TMDB recommends to people who liked one title."""
        return await self._related(ref, "recommendations", page, language)

    async def _related(
        self,
        ref: TitleRef,
        kind: Literal["similar", "recommendations"],
        page: int,
        language: str | None,
    ) -> SearchPage:
        fetch = self._tmdb.similar if kind == "similar" else self._tmdb.recommendations
        try:
            result = await fetch(ref, page=page, language=language)
        except TMDBNotFound:
            raise NotFoundError("TMDB has no such title.") from None
        items = [summarise(r) for r in result.results if isinstance(r, MovieResult | TVResult)]
        return SearchPage(items, result.page, min(result.total_pages, 500), result.total_results)

    async def autocomplete(
        self, text: str, *, language: str | None = None, media: MediaType | None = None
    ) -> list[tuple[str, str]]:
        """Up to 25 (label, `movie:ID`) pairs for a title option; never raises."""
        try:
            parsed = await asyncio.wait_for(
                self.parse(text, language=language, media=media), AUTOCOMPLETE_BUDGET_SECONDS
            )
        except Exception:
            log.debug("No title for %r in autocomplete", text[:50], exc_info=True)
            return []
        if isinstance(parsed, TitleRef):
            return [await self._ref_choice(parsed, language, media)]
        try:
            suggestions = await asyncio.wait_for(
                self._tmdb.autocomplete(parsed, language=language), AUTOCOMPLETE_BUDGET_SECONDS
            )
        except Exception:
            log.warning("Autocomplete for %r failed", parsed[:50], exc_info=True)
            return []
        pairs = []
        for s in suggestions:
            if media is not None and s.media_type is not media:
                continue
            year = f" ({s.year})" if s.year else ""
            label = f"{s.title}{year} · {s.media_type.label}"
            pairs.append((label[:100], f"{s.media_type.value}:{s.id}"))
        return pairs[:25]

    async def _ref_choice(
        self, ref: TitleRef, language: str | None, media: MediaType | None
    ) -> tuple[str, str]:
        """Label an id the user typed with its title when TMDB answers in time."""
        if media is not None and ref.media_type is not media:
            return (str(ref), str(ref))
        try:
            details = await asyncio.wait_for(
                self.details(ref, language=language), AUTOCOMPLETE_BUDGET_SECONDS
            )
        except Exception:
            log.debug("No title for %s in autocomplete", ref, exc_info=True)
            return (str(ref), str(ref))
        return (summarise(details).label[:100], str(ref))

    def image_url(self, path: str | None, size: str = "w500") -> str | None:
        """Full URL of a TMDB image path."""
        return self._tmdb.image_url(path, size)
