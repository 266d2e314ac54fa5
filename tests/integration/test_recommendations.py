"""The recommendation service on a real database and the fake TMDB: community signal, isolation."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from filmbot.config import Settings
from filmbot.db.repositories import GuildRepository, WatchlistRepository
from filmbot.db.repositories.history import HistoryRepository
from filmbot.domain.history.rows import MatchedEntry
from filmbot.domain.models import MediaType, TitleRef
from filmbot.domain.recommend import ReasonKind
from filmbot.services.catalog import CatalogService, TitleSummary
from filmbot.services.container import build_tmdb
from filmbot.services.recommendations import RecommendationService
from filmbot.services.watchlist import WatchlistService
from filmbot.tmdb import TMDBClient

Sessions = async_sessionmaker[AsyncSession]
CLUB, OTHER = 1_100_000_000_000_000_001, 1_200_000_000_000_000_002
ME = 42


def title(media: MediaType, tmdb_id: int, name: str) -> TitleSummary:
    return TitleSummary(TitleRef(media, tmdb_id), name, None, "", None, 8.0, 1000)


INCEPTION = title(MediaType.MOVIE, 27205, "Inception")
INTERSTELLAR = title(MediaType.MOVIE, 157336, "Interstellar")
MATRIX = title(MediaType.MOVIE, 603, "The Matrix")
BREAKING_BAD = title(MediaType.TV, 1396, "Breaking Bad")


@pytest.fixture(params=["sqlite"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def tmdb(tmdb_settings: Settings) -> AsyncIterator[TMDBClient]:
    client = build_tmdb(tmdb_settings)
    yield client
    await client.close()


def service(
    sessions: Sessions, tmdb: TMDBClient, settings: Settings, **overrides: object
) -> RecommendationService:
    return RecommendationService(
        sessions, tmdb, CatalogService(tmdb), settings.model_copy(update=overrides)
    )


async def _community(
    watchlist: WatchlistService, guild: int, liked: list[TitleSummary], members: range
) -> None:
    for member in members:
        for summary in liked:
            await watchlist.rate(guild, member, summary, 9)


def _community_reasons(result: object, ref: TitleRef) -> list[str]:
    items = {item.ref: item for item in result.items}  # type: ignore[attr-defined]
    if ref not in items:
        return []
    return [
        r.text
        for r in items[ref].reasons
        if r.kind in (ReasonKind.COMMUNITY, ReasonKind.COMMUNITY_RATED)
    ]


async def test_members_who_liked_the_same_title_shape_recommendations(
    sessionmaker: Sessions, tmdb: TMDBClient, tmdb_settings: Settings
) -> None:
    watchlist = WatchlistService(sessionmaker, 100)
    await _community(watchlist, CLUB, [INCEPTION, BREAKING_BAD], range(100, 104))
    await watchlist.rate(CLUB, ME, INCEPTION, 9)
    result = await service(sessionmaker, tmdb, tmdb_settings).recommend(CLUB, ME)
    assert _community_reasons(result, BREAKING_BAD.ref) == [
        "liked by 4 members who liked Inception"
    ]
    assert INCEPTION.ref not in {item.ref for item in result.items}


async def test_other_servers_ratings_never_influence_unless_cross_guild_is_on(
    sessionmaker: Sessions, tmdb: TMDBClient, tmdb_settings: Settings
) -> None:
    watchlist = WatchlistService(sessionmaker, 100)
    await _community(watchlist, OTHER, [INCEPTION, BREAKING_BAD], range(100, 106))
    await watchlist.rate(CLUB, ME, INCEPTION, 9)
    isolated = await service(sessionmaker, tmdb, tmdb_settings).recommend(CLUB, ME)
    assert _community_reasons(isolated, BREAKING_BAD.ref) == []
    assert all(
        r.kind not in (ReasonKind.COMMUNITY, ReasonKind.COMMUNITY_RATED)
        for item in isolated.items
        for r in item.reasons
    )
    shared = await service(sessionmaker, tmdb, tmdb_settings, recommend_cross_guild=True).recommend(
        CLUB, ME
    )
    assert _community_reasons(shared, BREAKING_BAD.ref) == [
        "liked by 6 members who liked Inception"
    ]


async def test_media_type_filter_and_owned_titles_are_respected(
    sessionmaker: Sessions, tmdb: TMDBClient, tmdb_settings: Settings
) -> None:
    watchlist = WatchlistService(sessionmaker, 100)
    await _community(watchlist, CLUB, [INCEPTION, BREAKING_BAD, INTERSTELLAR], range(100, 104))
    await watchlist.rate(CLUB, ME, INCEPTION, 9)
    await watchlist.add(CLUB, ME, INTERSTELLAR)
    recommender = service(sessionmaker, tmdb, tmdb_settings)
    movies = await recommender.recommend(CLUB, ME, media_type=MediaType.MOVIE)
    refs = [item.ref for item in movies.items]
    assert refs and all(ref.media_type is MediaType.MOVIE for ref in refs)
    assert INCEPTION.ref not in refs and INTERSTELLAR.ref not in refs
    assert len(refs) == len(set(refs))


async def test_similarity_index_follows_new_and_deleted_ratings(
    sessionmaker: Sessions, tmdb: TMDBClient, tmdb_settings: Settings
) -> None:
    watchlist = WatchlistService(sessionmaker, 100)
    recommender = service(sessionmaker, tmdb, tmdb_settings)
    await _community(watchlist, CLUB, [INCEPTION, BREAKING_BAD], range(100, 102))
    index = await recommender.communities.for_guild(CLUB)
    assert index.co_like_count(INCEPTION.ref, BREAKING_BAD.ref) == 2
    await _community(watchlist, CLUB, [INCEPTION, BREAKING_BAD], range(102, 103))
    same = await recommender.communities.for_guild(CLUB)
    assert same is index, "new ratings are applied to the cached index, not rebuilt"
    assert index.co_like_count(INCEPTION.ref, BREAKING_BAD.ref) == 3
    async with sessionmaker.begin() as session:
        await WatchlistRepository(session).delete_user(100)
    rebuilt = await recommender.communities.for_guild(CLUB)
    assert rebuilt.co_like_count(INCEPTION.ref, BREAKING_BAD.ref) == 2


async def test_cross_server_index_is_kept_when_a_member_rated_a_title_in_two_servers(
    sessionmaker: Sessions,
    tmdb: TMDBClient,
    tmdb_settings: Settings,
    caplog: pytest.LogCaptureFixture,
) -> None:
    watchlist = WatchlistService(sessionmaker, 100)
    await watchlist.rate(CLUB, ME, INCEPTION, 9)
    await watchlist.rate(OTHER, ME, INCEPTION, 8)
    recommender = service(sessionmaker, tmdb, tmdb_settings, recommend_cross_guild=True)
    with caplog.at_level(logging.DEBUG, logger="filmbot.services.recommendations"):
        await recommender.recommend(CLUB, ME)
        await recommender.recommend(CLUB, ME)
    rebuilt = [r for r in caplog.records if r.getMessage().startswith("Rebuilt the similarity")]
    assert rebuilt == []


def _rating_statements(engine: AsyncEngine) -> list[str]:
    """Record every SQL statement that reads or writes the ratings table from now on."""
    seen: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if "ratings" in statement:
            seen.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    return seen


async def test_index_follows_new_scores_removals_imports_and_deleted_servers(
    engine: AsyncEngine, sessionmaker: Sessions, tmdb: TMDBClient, tmdb_settings: Settings
) -> None:
    watchlist = WatchlistService(sessionmaker, 100)
    recommender = service(sessionmaker, tmdb, tmdb_settings)
    await _community(watchlist, CLUB, [INCEPTION, BREAKING_BAD], range(100, 103))
    index = await recommender.communities.for_guild(CLUB)
    assert index.co_like_count(INCEPTION.ref, BREAKING_BAD.ref) == 3
    statements = _rating_statements(engine)
    assert await recommender.communities.for_guild(CLUB) is index
    assert statements == [], "an unchanged server's ratings are not read again"

    await watchlist.rate(CLUB, 100, BREAKING_BAD, 3)
    same = await recommender.communities.for_guild(CLUB)
    assert same is index, "a changed score is applied to the cached index"
    assert index.co_like_count(INCEPTION.ref, BREAKING_BAD.ref) == 2
    assert index.co_signal_count(INCEPTION.ref, BREAKING_BAD.ref) == 3

    assert await watchlist.remove(CLUB, 101, BREAKING_BAD.ref)
    rebuilt = await recommender.communities.for_guild(CLUB)
    assert rebuilt is not index, "a removed rating rebuilds the index"
    assert rebuilt.co_signal_count(INCEPTION.ref, BREAKING_BAD.ref) == 2
    assert rebuilt.co_like_count(INCEPTION.ref, BREAKING_BAD.ref) == 1

    async with sessionmaker.begin() as session:
        entry = MatchedEntry(BREAKING_BAD.ref, "Breaking Bad", True, score=10)
        await HistoryRepository(session, CLUB, 101).apply(entry, room=10)
    imported = await recommender.communities.for_guild(CLUB)
    assert imported is rebuilt
    assert imported.co_like_count(INCEPTION.ref, BREAKING_BAD.ref) == 2

    async with sessionmaker.begin() as session:
        assert await GuildRepository(session).delete(CLUB)
    assert (await recommender.communities.for_guild(CLUB)).rating_count == 0


async def test_cross_server_index_follows_a_removal_in_another_server(
    sessionmaker: Sessions, tmdb: TMDBClient, tmdb_settings: Settings
) -> None:
    watchlist = WatchlistService(sessionmaker, 100)
    await watchlist.rate(CLUB, 100, INCEPTION, 9)
    await watchlist.rate(OTHER, 100, BREAKING_BAD, 9)
    recommender = service(sessionmaker, tmdb, tmdb_settings, recommend_cross_guild=True)
    index = await recommender.communities.for_guild(CLUB)
    assert index.co_like_count(INCEPTION.ref, BREAKING_BAD.ref) == 1
    await watchlist.rate(OTHER, 101, INCEPTION, 8)
    assert (await recommender.communities.for_guild(CLUB)).liker_count(INCEPTION.ref) == 2
    async with sessionmaker.begin() as session:
        await WatchlistRepository(session).delete_user(100, OTHER)
    after = await recommender.communities.for_guild(CLUB)
    assert after.co_like_count(INCEPTION.ref, BREAKING_BAD.ref) == 0
    assert after.liker_count(BREAKING_BAD.ref) == 0
    assert after.liker_count(INCEPTION.ref) == 2
