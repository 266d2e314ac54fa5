"""The TMDB v3 client FilmBot's services call: typed, cached, rate limited, coalesced."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import aiohttp

from filmbot.domain.models import MediaType, TitleRef
from filmbot.tmdb._core import LIST_TTL, MAX_CHANGES_WINDOW, PERSON_APPEND, ClientCore
from filmbot.tmdb._params import (
    DEFAULT_LANGUAGE,
    details_params,
    language_param,
    present,
    search_params,
)
from filmbot.tmdb.alternative_titles import AlternativeTitles
from filmbot.tmdb.cache import DatabaseTier, TMDBCache
from filmbot.tmdb.discover import DiscoverQuery
from filmbot.tmdb.errors import TMDBError, TMDBNotFound
from filmbot.tmdb.find import ExternalSource, FindResults
from filmbot.tmdb.limiter import LocalRateLimiter, RateLimiter
from filmbot.tmdb.models import (
    Configuration,
    Genre,
    GenreList,
    MovieDetails,
    MultiPage,
    Suggestion,
    TitleDetails,
    TitlePage,
    TVDetails,
    WatchProviders,
)
from filmbot.tmdb.people import PersonDetails, PersonPage
from filmbot.tmdb.providers import CertificationList, ProviderList
from filmbot.tmdb.regional import regional_decoder
from filmbot.tmdb.transport import Credentials, RetryPolicy, TMDBTransport

if TYPE_CHECKING:
    from redis.asyncio import Redis

__all__ = ["DEFAULT_LANGUAGE", "LIST_TTL", "MAX_CHANGES_WINDOW", "DetailsBatch", "TMDBClient"]

MOVIE_APPEND = ("credits", "release_dates", "external_ids", "videos", "watch/providers")
TV_APPEND = ("credits", "external_ids", "videos", "watch/providers")
TRENDING_TTL = 900.0
REFERENCE_TTL = 3 * 24 * 3600.0
IMAGE_MAX_BYTES = 8 * 1024 * 1024
IMAGE_TIMEOUT = 10.0
log = logging.getLogger(__name__)

TrendingMedia = Literal["all", "movie", "tv"]
TimeWindow = Literal["day", "week"]


@dataclass(slots=True)
class DetailsBatch:
    """The outcome of `get_many_details`: found titles, titles TMDB lacks, and failures."""

    found: dict[TitleRef, TitleDetails] = field(default_factory=dict)
    missing: list[TitleRef] = field(default_factory=list)
    failed: dict[TitleRef, TMDBError] = field(default_factory=dict)


class TMDBClient(ClientCore):
    """Talk to TMDB v3. One per process; use `async with` or call `close()`."""

    @classmethod
    def create(
        cls,
        base_url: str,
        *,
        api_key: str | None = None,
        read_access_token: str | None = None,
        limiter: RateLimiter | None = None,
        policy: RetryPolicy | None = None,
        cache: TMDBCache | None = None,
        redis: Redis | None = None,
        database: DatabaseTier | None = None,
        ttl: float = 3600.0,
    ) -> TMDBClient:
        """Build a client from explicit parts: `cache`, or one over `redis` and `database`.

        The caller keeps ownership of `redis` and whatever backs `database`.
        """
        if cache is None:
            cache = TMDBCache(redis=redis, database=database)
        elif redis is not None or database is not None:
            raise ValueError("pass either a cache or its redis/database tiers, not both")
        transport = TMDBTransport(
            base_url,
            Credentials(api_key, read_access_token),
            limiter or LocalRateLimiter(30, 1.0),
            policy=policy,
            stats=cache.stats,
        )
        return cls(transport, cache, ttl=ttl)

    # -- search -------------------------------------------------------------------------

    async def search_multi(
        self, query: str, *, page: int = 1, language: str | None = None
    ) -> MultiPage:
        """Search movies, TV shows and people at once."""
        params = search_params(query, page, language)
        return await self._fetcher.fetch("/search/multi", params, self.ttl, MultiPage)

    async def search_movie(
        self,
        query: str,
        *,
        page: int = 1,
        language: str | None = None,
        region: str | None = None,
        year: int | None = None,
        primary_release_year: int | None = None,
    ) -> TitlePage:
        """Search movies, optionally by region and (primary release) year."""
        params = search_params(query, page, language)
        params |= present(region=region, year=year, primary_release_year=primary_release_year)
        return await self._fetcher.fetch(
            "/search/movie", params, self.ttl, TitlePage, MediaType.MOVIE
        )

    async def search_tv(
        self,
        query: str,
        *,
        page: int = 1,
        language: str | None = None,
        year: int | None = None,
        first_air_date_year: int | None = None,
    ) -> TitlePage:
        """Search TV shows, optionally by (first air) year."""
        params = search_params(query, page, language)
        params |= present(year=year, first_air_date_year=first_air_date_year)
        return await self._fetcher.fetch("/search/tv", params, self.ttl, TitlePage, MediaType.TV)

    async def autocomplete(
        self, query: str, *, language: str | None = None, limit: int = 25
    ) -> list[Suggestion]:
        """Movies and TV shows matching `query`, for slash-command autocomplete."""
        if not query.strip():
            return []
        page = await self.search_multi(query.strip(), language=language)
        suggestions = [
            Suggestion(
                media_type=MediaType(r.media_type),
                id=r.id,
                title=r.display_title,
                year=r.year,
            )
            for r in page.results
            if r.media_type != "person"
        ]
        return suggestions[:limit]

    async def find_by_external_id(
        self, external_id: str, source: ExternalSource, *, language: str | None = None
    ) -> FindResults:
        """Titles TMDB knows under another service's id (e.g. an IMDb `tt` id)."""
        params = {"external_source": source, "language": language_param(language)}
        path = f"/find/{external_id}"
        return await self._fetcher.fetch(path, params, self.ttl, FindResults)

    async def find_by_imdb_id(self, imdb_id: str, *, language: str | None = None) -> FindResults:
        """The movie, show or episode with this IMDb id (`tt0133093`)."""
        return await self.find_by_external_id(imdb_id, "imdb_id", language=language)

    async def search_person(
        self, query: str, *, page: int = 1, language: str | None = None
    ) -> PersonPage:
        """Search people (actors, directors, writers...)."""
        params = search_params(query, page, language)
        return await self._fetcher.fetch("/search/person", params, self.ttl, PersonPage)

    async def discover(
        self, query: DiscoverQuery, *, page: int = 1, language: str | None = None
    ) -> TitlePage:
        """One page of films or shows matching the filters of `query`."""
        params = query.params() | {"page": str(page), "language": language_param(language)}
        path = f"/discover/{query.media.value}"
        return await self._fetcher.fetch(path, params, self.ttl, TitlePage, query.media)

    # -- details --------------------------------------------------------------------------

    async def get_person(
        self, person_id: int, *, language: str | None = None, append: Iterable[str] = PERSON_APPEND
    ) -> PersonDetails:
        """A person with their combined film and TV credits."""
        params = details_params(language, append)
        return await self._fetcher.fetch(f"/person/{person_id}", params, self.ttl, PersonDetails)

    async def title_watch_providers(self, ref: TitleRef) -> WatchProviders:
        """Where a title streams, rents and sells, per country (data by JustWatch)."""
        path = f"/{ref.media_type.value}/{ref.tmdb_id}/watch/providers"
        return await self._fetcher.fetch(path, {}, self.ttl, WatchProviders)

    async def get_movie(
        self, movie_id: int, *, language: str | None = None, append: Iterable[str] = MOVIE_APPEND
    ) -> MovieDetails:
        """A movie with credits, release dates, external ids, videos and watch providers."""
        params = details_params(language, append)
        return await self._fetcher.fetch(f"/movie/{movie_id}", params, self.ttl, MovieDetails)

    async def get_tv(
        self, tv_id: int, *, language: str | None = None, append: Iterable[str] = TV_APPEND
    ) -> TVDetails:
        """A TV show with credits, external ids, videos and watch providers."""
        params = details_params(language, append)
        return await self._fetcher.fetch(f"/tv/{tv_id}", params, self.ttl, TVDetails)

    async def movie_alternative_titles(
        self, movie_id: int, *, country: str | None = None
    ) -> AlternativeTitles:
        """A movie's other names (in other countries, working titles...), cached."""
        params = present(country=country)
        path = f"/movie/{movie_id}/alternative_titles"
        return await self._fetcher.fetch(path, params, self.ttl, AlternativeTitles)

    async def tv_alternative_titles(self, tv_id: int) -> AlternativeTitles:
        """A show's other names, cached."""
        path = f"/tv/{tv_id}/alternative_titles"
        return await self._fetcher.fetch(path, {}, self.ttl, AlternativeTitles)

    async def alternative_titles(self, ref: TitleRef) -> AlternativeTitles:
        """A movie's or show's other names, by reference."""
        if ref.media_type is MediaType.MOVIE:
            return await self.movie_alternative_titles(ref.tmdb_id)
        return await self.tv_alternative_titles(ref.tmdb_id)

    async def get_details(self, ref: TitleRef, *, language: str | None = None) -> TitleDetails:
        """A movie's or TV show's details, by reference."""
        if ref.media_type is MediaType.MOVIE:
            return await self.get_movie(ref.tmdb_id, language=language)
        return await self.get_tv(ref.tmdb_id, language=language)

    async def get_many_details(
        self, refs: Iterable[TitleRef], *, language: str | None = None
    ) -> DetailsBatch:
        """Fetch many titles concurrently behind the rate limiter."""
        unique = list(dict.fromkeys(refs))
        results = await asyncio.gather(
            *(self.get_details(ref, language=language) for ref in unique), return_exceptions=True
        )
        batch = DetailsBatch()
        for ref, result in zip(unique, results, strict=True):
            if isinstance(result, TMDBNotFound):
                batch.missing.append(ref)
            elif isinstance(result, TMDBError):
                batch.failed[ref] = result
            elif isinstance(result, BaseException):
                raise result
            else:
                batch.found[ref] = result
        return batch

    async def fresh_details(
        self,
        ref: TitleRef,
        *,
        language: str | None = None,
        append: Sequence[str] = (),
        regions: Collection[str] | None = None,
    ) -> dict[str, Any]:
        """A title's raw details JSON straight from TMDB, bypassing the response cache.

        With `regions`, the appended `watch/providers` and `release_dates` keep only those
        countries, and the others are never decoded (see `regional`).
        """
        path = f"/{ref.media_type.value}/{ref.tmdb_id}"
        decode = None if regions is None else regional_decoder(regions)
        return await self.transport.get_json(path, details_params(language, append), decode)

    # -- lists ----------------------------------------------------------------------------

    async def trending(
        self,
        media: TrendingMedia = "all",
        window: TimeWindow = "week",
        *,
        page: int = 1,
        language: str | None = None,
    ) -> MultiPage:
        """Trending titles of the day or week."""
        params = {"language": language_param(language), "page": str(page)}
        default = None if media == "all" else MediaType(media)
        ttl = min(self.ttl, TRENDING_TTL)
        return await self._fetcher.fetch(
            f"/trending/{media}/{window}", params, ttl, MultiPage, default
        )

    async def similar(
        self, ref: TitleRef, *, page: int = 1, language: str | None = None
    ) -> TitlePage:
        """Titles TMDB considers similar (same media type)."""
        return await self._related(ref, "similar", page, language)

    async def recommendations(
        self, ref: TitleRef, *, page: int = 1, language: str | None = None
    ) -> TitlePage:
        """Titles TMDB recommends to people who liked `ref`."""
        return await self._related(ref, "recommendations", page, language)

    async def _related(
        self, ref: TitleRef, kind: str, page: int, language: str | None
    ) -> TitlePage:
        path = f"/{ref.media_type.value}/{ref.tmdb_id}/{kind}"
        params = {"language": language_param(language), "page": str(page)}
        return await self._fetcher.fetch(path, params, self.ttl, TitlePage, ref.media_type)

    # -- reference data -------------------------------------------------------------------

    async def configuration(self) -> Configuration:
        """TMDB's image configuration (cached for days); also used by `image_url`."""
        config = await self._fetcher.fetch(
            "/configuration", {}, _reference_ttl(self.ttl), Configuration
        )
        self.images = config.images
        return config

    def image_url(self, path: str | None, size: str = "w500") -> str | None:
        """The full URL of an image path at `size` (e.g. 'w500', 'original')."""
        if not path:
            return None
        return f"{self.images.secure_base_url.rstrip('/')}/{size}/{path.lstrip('/')}"

    async def image(self, url: str, *, max_bytes: int = IMAGE_MAX_BYTES) -> bytes | None:
        """Download an image from TMDB's image server; None when it is unavailable or too big."""
        try:
            async with self.transport.session.get(
                url, timeout=aiohttp.ClientTimeout(total=IMAGE_TIMEOUT)
            ) as response:
                if response.status != 200 or not response.content_type.startswith("image/"):
                    return None
                data = await response.content.read(max_bytes + 1)
        except (aiohttp.ClientError, TimeoutError) as exc:
            log.info("Could not download the image %s: %s", url, exc)
            return None
        return data if len(data) <= max_bytes else None

    async def genres(self, media: MediaType, *, language: str | None = None) -> list[Genre]:
        """The movie or TV genre list (cached for a day)."""
        params = {"language": language_param(language)}
        path = f"/genre/{media.value}/list"
        result = await self._fetcher.fetch(path, params, self._list_ttl(), GenreList)
        return result.genres

    async def certifications(self) -> CertificationList:
        """Every country's film certifications (cached for a day)."""
        path = "/certification/movie/list"
        return await self._fetcher.fetch(path, {}, self._list_ttl(), CertificationList)

    async def watch_providers(
        self, media: MediaType, region: str, *, language: str | None = None
    ) -> ProviderList:
        """The streaming, rental and purchase services of `region` (cached for a day)."""
        params = {"language": language_param(language), "watch_region": region.upper()}
        path = f"/watch/providers/{media.value}"
        return await self._fetcher.fetch(path, params, self._list_ttl(), ProviderList)


def _reference_ttl(default_ttl: float) -> float:
    return REFERENCE_TTL if default_ttl > 0 else 0.0
