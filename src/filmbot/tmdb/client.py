"""The TMDB v3 client FilmBot's services call: typed, cached, rate limited, coalesced."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from pydantic import BaseModel

from filmbot.domain.models import MediaType, TitleRef
from filmbot.tmdb.cache import DatabaseTier, TMDBCache, cache_key
from filmbot.tmdb.errors import TMDBError, TMDBNotFound
from filmbot.tmdb.limiter import LocalRateLimiter, RateLimiter, RedisRateLimiter
from filmbot.tmdb.models import (
    ChangesPage,
    Configuration,
    Genre,
    GenreList,
    ImagesConfiguration,
    MovieDetails,
    MultiPage,
    Suggestion,
    TitleDetails,
    TitlePage,
    TVDetails,
    parse_payload,
)
from filmbot.tmdb.stats import TMDBStats
from filmbot.tmdb.transport import Credentials, RetryPolicy, TMDBTransport

if TYPE_CHECKING:
    from redis.asyncio import Redis
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from filmbot.config import Settings

log = logging.getLogger(__name__)

DEFAULT_LANGUAGE = "en-US"
MOVIE_APPEND = ("credits", "release_dates", "external_ids", "videos", "watch/providers")
TV_APPEND = ("credits", "external_ids", "videos", "watch/providers")
TRENDING_TTL = 900.0
REFERENCE_TTL = 3 * 24 * 3600.0
MAX_CHANGES_WINDOW = timedelta(days=14)
MAX_PAGE = 500

ModelT = TypeVar("ModelT", bound=BaseModel)
TrendingMedia = Literal["all", "movie", "tv"]
TimeWindow = Literal["day", "week"]


@dataclass(slots=True)
class DetailsBatch:
    """The outcome of `get_many_details`: found titles, titles TMDB lacks, and failures."""

    found: dict[TitleRef, TitleDetails] = field(default_factory=dict)
    missing: list[TitleRef] = field(default_factory=list)
    failed: dict[TitleRef, TMDBError] = field(default_factory=dict)


class TMDBClient:
    """Talk to TMDB v3. One per process; use `async with` or call `close()`."""

    def __init__(
        self,
        transport: TMDBTransport,
        cache: TMDBCache | None = None,
        *,
        ttl: float = 3600.0,
        owned_redis: Redis | None = None,
    ) -> None:
        self.transport = transport
        self.stats = transport.stats
        self.cache = cache if cache is not None else TMDBCache(stats=self.stats)
        self.cache.stats = self.stats
        self.ttl = ttl
        self.images = ImagesConfiguration()
        self._owned_redis = owned_redis
        self._inflight: dict[str, asyncio.Future[Any]] = {}

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
        ttl: float = 3600.0,
    ) -> TMDBClient:
        """Build a client from explicit parts (tests, tools)."""
        stats = cache.stats if cache is not None else TMDBStats()
        transport = TMDBTransport(
            base_url,
            Credentials(api_key, read_access_token),
            limiter or LocalRateLimiter(40, 10.0),
            policy=policy,
            stats=stats,
        )
        return cls(transport, cache if cache is not None else TMDBCache(stats=stats), ttl=ttl)

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        sessionmaker: async_sessionmaker[AsyncSession] | None = None,
        redis: Redis | None = None,
    ) -> TMDBClient:
        """Build the client from Settings, with an optional database tier and Redis client."""
        settings.require_tmdb_credentials()
        owned = None
        if not settings.redis_enabled:
            redis = None
        elif redis is None:
            redis = owned = redis_from_url(settings.redis_url)
        stats = TMDBStats()
        transport = TMDBTransport(
            settings.tmdb_base_url,
            _credentials(settings),
            _limiter(settings, redis),
            policy=_retry_policy(settings),
            stats=stats,
        )
        cache = TMDBCache(redis=redis, database=_database_tier(sessionmaker), stats=stats)
        return cls(transport, cache, ttl=float(settings.cache_ttl_seconds), owned_redis=owned)

    async def __aenter__(self) -> TMDBClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the HTTP session (and the Redis client if this client opened it)."""
        await self.transport.close()
        if self._owned_redis is not None:
            await self._owned_redis.aclose()
            self._owned_redis = None

    # -- search -------------------------------------------------------------------------

    async def search_multi(
        self, query: str, *, page: int = 1, language: str | None = None
    ) -> MultiPage:
        """Search movies, TV shows and people at once."""
        params = _search_params(query, page, language)
        return await self._fetch("/search/multi", params, self.ttl, MultiPage)

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
        params = _search_params(query, page, language)
        params |= _present(region=region, year=year, primary_release_year=primary_release_year)
        return await self._fetch("/search/movie", params, self.ttl, TitlePage, MediaType.MOVIE)

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
        params = _search_params(query, page, language)
        params |= _present(year=year, first_air_date_year=first_air_date_year)
        return await self._fetch("/search/tv", params, self.ttl, TitlePage, MediaType.TV)

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

    # -- details --------------------------------------------------------------------------

    async def get_movie(
        self, movie_id: int, *, language: str | None = None, append: Iterable[str] = MOVIE_APPEND
    ) -> MovieDetails:
        """A movie with credits, release dates, external ids, videos and watch providers."""
        params = _details_params(language, append)
        return await self._fetch(f"/movie/{movie_id}", params, self.ttl, MovieDetails)

    async def get_tv(
        self, tv_id: int, *, language: str | None = None, append: Iterable[str] = TV_APPEND
    ) -> TVDetails:
        """A TV show with credits, external ids, videos and watch providers."""
        params = _details_params(language, append)
        return await self._fetch(f"/tv/{tv_id}", params, self.ttl, TVDetails)

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
        params = {"language": _language(language), "page": str(page)}
        default = None if media == "all" else MediaType(media)
        ttl = min(self.ttl, TRENDING_TTL)
        return await self._fetch(f"/trending/{media}/{window}", params, ttl, MultiPage, default)

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
        params = {"language": _language(language), "page": str(page)}
        return await self._fetch(path, params, self.ttl, TitlePage, ref.media_type)

    # -- reference data -------------------------------------------------------------------

    async def configuration(self) -> Configuration:
        """TMDB's image configuration (cached for days); also used by `image_url`."""
        config = await self._fetch("/configuration", {}, _reference_ttl(self.ttl), Configuration)
        self.images = config.images
        return config

    def image_url(self, path: str | None, size: str = "w500") -> str | None:
        """The full URL of an image path at `size` (e.g. 'w500', 'original')."""
        if not path:
            return None
        return f"{self.images.secure_base_url.rstrip('/')}/{size}/{path.lstrip('/')}"

    async def genres(self, media: MediaType, *, language: str | None = None) -> list[Genre]:
        """The movie or TV genre list (cached for days)."""
        params = {"language": _language(language)}
        path = f"/genre/{media.value}/list"
        result = await self._fetch(path, params, _reference_ttl(self.ttl), GenreList)
        return result.genres

    async def check_credentials(self) -> None:
        """Raise TMDBAuthError unless TMDB accepts the configured credentials."""
        await self.transport.get_json("/authentication", {})

    # -- changes --------------------------------------------------------------------------

    async def changes(
        self, media: MediaType, start: date, end: date, *, page: int = 1
    ) -> ChangesPage:
        """One page of ids changed between `start` and `end` (at most 14 days apart)."""
        if end < start or end - start > MAX_CHANGES_WINDOW:
            raise ValueError("a TMDB changes window must be 0 to 14 days long")
        params = {"start_date": start.isoformat(), "end_date": end.isoformat(), "page": str(page)}
        return await self._fetch(f"/{media.value}/changes", params, 0.0, ChangesPage)

    async def changed_ids(self, media: MediaType, start: date, end: date) -> set[int]:
        """Every id changed between `start` and `end`, across all pages."""
        first = await self.changes(media, start, end)
        last = min(first.total_pages, MAX_PAGE)
        rest = await asyncio.gather(
            *(self.changes(media, start, end, page=n) for n in range(2, last + 1))
        )
        return {entry.id for page in (first, *rest) for entry in page.results}

    # -- plumbing -------------------------------------------------------------------------

    async def purge_expired_cache(self) -> int:
        """Delete expired database cache rows; return how many."""
        return await self.cache.purge_expired()

    async def _fetch(
        self,
        path: str,
        params: Mapping[str, str],
        ttl: float,
        model: type[ModelT],
        media: MediaType | None = None,
    ) -> ModelT:
        """Return the parsed payload: from cache, a request in flight, or TMDB."""
        key = cache_key(path, params)
        future = self._inflight.get(key)
        if future is None:
            future = asyncio.ensure_future(
                self._load(path=path, params=params, key=key, ttl=ttl, model=model, media=media)
            )
            self._inflight[key] = future
            future.add_done_callback(lambda done: self._forget(key, done))
        else:
            self.stats.coalesced += 1
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


def _language(language: str | None) -> str:
    return language or DEFAULT_LANGUAGE


def _present(**values: object) -> dict[str, str]:
    return {name: str(value) for name, value in values.items() if value is not None}


def _search_params(query: str, page: int, language: str | None) -> dict[str, str]:
    return {
        "query": query,
        "page": str(page),
        "language": _language(language),
        "include_adult": "false",
    }


def _details_params(language: str | None, append: Iterable[str]) -> dict[str, str]:
    params = {"language": _language(language)}
    appended = ",".join(append)
    if appended:
        params["append_to_response"] = appended
    return params


def _reference_ttl(default_ttl: float) -> float:
    return REFERENCE_TTL if default_ttl > 0 else 0.0


def _limiter(settings: Settings, redis: Redis | None) -> RateLimiter:
    local = LocalRateLimiter(settings.tmdb_rate_limit, settings.tmdb_rate_period)
    if redis is None:
        return local
    return RedisRateLimiter(
        redis, settings.tmdb_rate_limit, settings.tmdb_rate_period, fallback=local
    )


def _retry_policy(settings: Settings) -> RetryPolicy:
    return RetryPolicy(
        max_retries=settings.tmdb_max_retries,
        deadline=settings.tmdb_retry_deadline_seconds,
        timeout=settings.tmdb_timeout_seconds,
    )


def _credentials(settings: Settings) -> Credentials:
    key = settings.tmdb_api_key
    token = settings.tmdb_read_access_token
    return Credentials(
        api_key=key.get_secret_value() if key else None,
        read_access_token=token.get_secret_value() if token else None,
    )


def _database_tier(sessionmaker: async_sessionmaker[AsyncSession] | None) -> DatabaseTier | None:
    if sessionmaker is None:
        return None
    from filmbot.db.cache import DatabaseCache

    return DatabaseCache(sessionmaker)


def redis_from_url(url: str) -> Redis:
    """A Redis client that fails fast, so an outage costs milliseconds, not seconds."""
    from redis.asyncio import Redis
    from redis.asyncio.retry import Retry
    from redis.backoff import NoBackoff

    return Redis.from_url(
        url, socket_timeout=2.0, socket_connect_timeout=1.0, retry=Retry(NoBackoff(), 1)
    )
