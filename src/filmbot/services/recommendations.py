"""Personal recommendations: the user's ratings, TMDB's related titles and the community's taste."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Generic, TypeVar

from filmbot.config import Settings
from filmbot.db.repositories.community import CommunityRatings, CommunityVersion, MemberTitle
from filmbot.db.session import Sessions
from filmbot.domain.models import MediaType, TitleRef
from filmbot.domain.recommend import (
    Candidate,
    ContentWeights,
    RecommendationResult,
    RecommendConfig,
    RecommendRequest,
    UserRating,
    plan,
    recommend,
)
from filmbot.domain.recommend.engine import seed_refs
from filmbot.services.catalog import CatalogService, SearchPage, TitleSummary, summarise
from filmbot.services.recommend_index import SparseSimilarityIndex
from filmbot.tmdb import TMDBClient
from filmbot.tmdb.errors import TMDBError

log = logging.getLogger(__name__)
V = TypeVar("V")

WATCHLIST = "watchlist"
FACTS_CAPACITY = 50_000
FACTS_TTL_SECONDS = 24 * 3600.0
# TMDB's related titles of this many seeds stay in memory (about 40 small candidates each):
# the TMDB client's own memory tier holds whole payloads, fewer than a big server's seeds.
RELATED_CAPACITY = 4096
# Ratings are stamped when written but seen when committed: re-reading this much before the
# last change seen catches a slow transaction's rows (re-applying a rating changes nothing).
OVERLAP = timedelta(minutes=5)


class TitleFacts(Generic[V]):
    """A bounded, expiring map of what scoring needs per title and language (not payloads)."""

    def __init__(self, capacity: int, ttl: float) -> None:
        self._capacity, self._ttl = capacity, ttl
        self._items: OrderedDict[tuple[TitleRef, str | None], tuple[float, V]] = OrderedDict()

    def get(self, key: tuple[TitleRef, str | None]) -> V | None:
        """The cached facts, if fresh."""
        entry = self._items.get(key)
        if entry is None or entry[0] < time.monotonic():
            return None
        self._items.move_to_end(key)
        return entry[1]

    def put(self, key: tuple[TitleRef, str | None], value: V) -> V:
        """Remember facts, evicting the least recently used beyond capacity."""
        self._items[key] = (time.monotonic() + self._ttl, value)
        self._items.move_to_end(key)
        while len(self._items) > self._capacity:
            self._items.popitem(last=False)
        return value


def candidate(summary: TitleSummary, source: TitleRef | None = None) -> Candidate:
    """A recommendation candidate from a TMDB title."""
    return Candidate(
        ref=summary.ref,
        title=summary.title,
        genre_ids=summary.genre_ids,
        vote_average=summary.vote_average,
        popularity=summary.popularity,
        source=source,
    )


@dataclass(slots=True)
class _CommunityIndex:
    """A community's similarity index, how far it has read the ratings, and at which version."""

    index: SparseSimilarityIndex = field(default_factory=SparseSimilarityIndex)
    seen_until: datetime | None = None
    version: CommunityVersion | None = None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class CommunityIndexes:
    """One similarity index per server (or one for all servers), kept current incrementally.

    Each request first reads the community's change counters (one small query): when they
    have not moved, the index is current. The first request reads every rating of the
    community as raw columns and builds the index in one vectorised batch; after a change,
    only the ratings changed since the last read are read and applied as a batch. The index
    is rebuilt only when ratings were deleted.
    """

    def __init__(self, sessions: Sessions, *, cross_guild: bool) -> None:
        self._sessions = sessions
        self._cross_guild = cross_guild
        self._indexes: dict[int | None, _CommunityIndex] = {}

    async def for_guild(self, guild_id: int) -> SparseSimilarityIndex:
        """The index over this server's ratings (or everyone's when cross-guild is on)."""
        scope = None if self._cross_guild else guild_id
        entry = self._indexes.get(scope) or self._indexes.setdefault(scope, _CommunityIndex())
        async with entry.lock:
            entry = self._indexes[scope]
            async with self._sessions() as session:
                ratings = await CommunityRatings.reading(session)
                version = await ratings.version(scope)
                if version == entry.version:
                    return entry.index
                if entry.version is None or version.deletions != entry.version.deletions:
                    entry = await self._build(ratings, scope, entry)
                else:
                    await self._catch_up(ratings, scope, entry)
            entry.version = version
            return entry.index

    async def _catch_up(
        self, ratings: CommunityRatings, scope: int | None, entry: _CommunityIndex
    ) -> None:
        """Apply the ratings changed since the last read (and a little before, see OVERLAP)."""
        since = entry.seen_until - OVERLAP if entry.seen_until is not None else None
        changed, latest = await ratings.latest(scope, since)
        if changed:
            entry.index.apply_columns(await ratings.columns(scope, since))
            entry.seen_until = max(entry.seen_until or latest, latest) if latest else None

    async def _build(
        self, ratings: CommunityRatings, scope: int | None, old: _CommunityIndex
    ) -> _CommunityIndex:
        """Build the index from every rating of the community, replacing the old one."""
        latest = await ratings.last_change(scope)
        columns = await ratings.columns(scope)
        index = SparseSimilarityIndex()
        index.apply_columns(columns)
        entry = _CommunityIndex(index, latest, None, old.lock)
        self._indexes[scope] = entry
        log.debug(
            "%s the similarity index of %s from %d ratings",
            "Built" if old.version is None else "Rebuilt",
            scope or "all servers",
            len(columns),
        )
        return entry


class RecommendationService:
    """Recommend titles to a member from their ratings, TMDB and the server's taste."""

    def __init__(
        self, sessions: Sessions, tmdb: TMDBClient, catalog: CatalogService, settings: Settings
    ) -> None:
        self._sessions = sessions
        self._tmdb = tmdb
        self._catalog = catalog
        self.communities = CommunityIndexes(sessions, cross_guild=settings.recommend_cross_guild)
        self._known: TitleFacts[Candidate] = TitleFacts(FACTS_CAPACITY, FACTS_TTL_SECONDS)
        self._related_lists: TitleFacts[tuple[Candidate, ...]] = TitleFacts(
            RELATED_CAPACITY, float(settings.cache_ttl_seconds)
        )
        self.config = RecommendConfig(
            content=ContentWeights(
                genre=settings.recommend_genre_weight,
                rating=settings.recommend_rating_weight,
                media_type=settings.recommend_type_weight,
            )
        )

    async def recommend(
        self,
        guild_id: int,
        user_id: int,
        *,
        based_on: str | None = None,
        media_type: MediaType | None = None,
        language: str | None = None,
        limit: int = 10,
    ) -> RecommendationResult:
        """Up to `limit` titles the user does not have yet, each with its reasons.

        What needs only the member's own titles (their facts, TMDB's related titles of
        their favourites, genre names) is fetched while the community index is brought up
        to date; only the community's candidates wait for the index.
        """
        async with self._sessions() as session:
            reading = await CommunityRatings.reading(session)
            titles = await reading.member_titles(guild_id, user_id)
        config = _with_limit(self.config, limit)
        index, (request, related), genre_names = await asyncio.gather(
            self.communities.for_guild(guild_id),
            self._own(titles, based_on, media_type, language, config),
            self._genre_names(language),
        )
        wanted = plan(request, index, config)
        if wanted.tmdb_seeds != related[0]:
            related = (wanted.tmdb_seeds, await self._related(wanted.tmdb_seeds, language))
        trending, catalogue = await asyncio.gather(
            self._trending(media_type, language)
            if request.is_cold_start or not request.ratings
            else _nothing(),
            self._facts(wanted.details_needed, language),
        )
        request = replace(
            request,
            candidates=related[1],
            trending=trending,
            catalogue=catalogue,
            genre_names=genre_names,
        )
        return recommend(request, index, config)

    async def _own(
        self,
        titles: Sequence[MemberTitle],
        based_on: str | None,
        media_type: MediaType | None,
        language: str | None,
        config: RecommendConfig,
    ) -> tuple[RecommendRequest, tuple[tuple[TitleRef, ...], list[Candidate]]]:
        """The request from the member's own titles, and TMDB's titles related to its seeds."""
        seed = await self._seed(based_on, language)
        rated = [t for t in titles if t.score is not None]
        request = RecommendRequest(
            ratings=[_user_rating(t, None) for t in rated],
            watchlist=[t.ref for t in titles],
            seed=seed,
            media_type=media_type,
        )
        seeds = () if request.is_cold_start else tuple(seed_refs(request)[: config.tmdb_seed_count])
        facts, related = await asyncio.gather(
            self._facts([t.ref for t in rated], language), self._related(seeds, language)
        )
        ratings = [_user_rating(t, facts.get(t.ref)) for t in rated]
        return replace(request, ratings=ratings), (seeds, related)

    async def _seed(self, based_on: str | None, language: str | None) -> Candidate | None:
        if based_on is None or not based_on.strip() or based_on.strip().casefold() == WATCHLIST:
            return None
        resolution = await self._catalog.resolve(based_on, language=language)
        best = resolution.choices[0]
        if not best.genre_ids:
            best = summarise(await self._catalog.details(best.ref, language=language))
        return candidate(best)

    async def _related(self, seeds: Sequence[TitleRef], language: str | None) -> list[Candidate]:
        async def around(seed: TitleRef) -> Sequence[Candidate]:
            known = self._related_lists.get((seed, language))
            if known is not None:
                return known
            pages = await asyncio.gather(
                self._catalog.similar(seed, language=language),
                self._catalog.recommendations(seed, language=language),
                return_exceptions=True,
            )
            found: list[Candidate] = []
            for page in pages:
                if isinstance(page, SearchPage):
                    found.extend(candidate(s, seed) for s in page.items)
                elif isinstance(page, Exception):
                    log.warning("TMDB related titles of %s failed: %s", seed, page)
            if all(isinstance(page, SearchPage) for page in pages):
                self._related_lists.put((seed, language), tuple(found))
            return found

        groups = await asyncio.gather(*(around(seed) for seed in seeds))
        return [c for group in groups for c in group]

    async def _trending(
        self, media_type: MediaType | None, language: str | None
    ) -> list[Candidate]:
        media = media_type.value if media_type else "all"
        try:
            page = await self._catalog.trending(media, "week", language=language)  # type: ignore[arg-type]
        except TMDBError as exc:
            log.warning("Trending titles unavailable for recommendations: %s", exc)
            return []
        return [candidate(s) for s in page.items]

    async def _facts(
        self, refs: Iterable[TitleRef], language: str | None
    ) -> dict[TitleRef, Candidate]:
        """Genres, votes and popularity of titles, from a small in-process cache or TMDB."""
        wanted = list(dict.fromkeys(refs))
        found = {ref: fact for ref in wanted if (fact := self._known.get((ref, language)))}
        missing = [ref for ref in wanted if ref not in found]
        if missing:
            batch = await self._tmdb.get_many_details(missing, language=language)
            for ref, details in batch.found.items():
                found[ref] = self._known.put((ref, language), candidate(summarise(details)))
        return found

    async def _genre_names(self, language: str | None) -> dict[int, str]:
        names: dict[int, str] = {}
        for media in MediaType:
            try:
                names.update(
                    {g.id: g.name for g in await self._tmdb.genres(media, language=language)}
                )
            except TMDBError as exc:
                log.warning("Genre names unavailable: %s", exc)
        return names


async def _nothing() -> list[Candidate]:
    return []


def _user_rating(item: MemberTitle, facts: Candidate | None) -> UserRating:
    assert item.score is not None
    genres = facts.genre_ids if facts is not None else ()
    return UserRating(item.ref, item.score, item.title, genres, item.rated_at)


def _with_limit(config: RecommendConfig, limit: int) -> RecommendConfig:
    return replace(config, limit=max(1, min(limit, 25)))
