"""A community's ratings in bulk and its change counters, on every backend."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from filmbot.db.repositories import GuildRepository, RatingRepository, WatchlistRepository
from filmbot.db.repositories.community import (
    MEDIA_TYPES,
    CommunityRatings,
    CommunityVersion,
)
from filmbot.domain.models import MediaType, TitleRef

Sessions = async_sessionmaker[AsyncSession]
CLUB, OTHER = 1_100_000_000_000_000_001, 1_200_000_000_000_000_002
BIG_MEMBER = 900_000_000_000_000_001
DUNE, SHOW = TitleRef(MediaType.MOVIE, 438631), TitleRef(MediaType.TV, 438631)


async def _rate(sessions: Sessions, guild: int, user: int, ref: TitleRef, score: int) -> None:
    async with sessions.begin() as session:
        await GuildRepository(session).ensure(guild)
        items = WatchlistRepository(session)
        item = await items.get(guild, user, ref)
        if item is None:
            item = await items.add(guild, user, ref, f"Title {ref.tmdb_id}", limit=100)
        await RatingRepository(session).rate(item, score)


async def _version(sessions: Sessions, guild: int | None) -> CommunityVersion:
    async with sessions() as session:
        return await CommunityRatings(session).version(guild)


async def test_columns_hold_every_rating_of_the_server_oldest_change_first(
    sessionmaker: Sessions,
) -> None:
    await _rate(sessionmaker, CLUB, BIG_MEMBER, DUNE, 9)
    await _rate(sessionmaker, CLUB, 7, SHOW, 4)
    await _rate(sessionmaker, OTHER, 8, DUNE, 6)
    await _rate(sessionmaker, CLUB, BIG_MEMBER, DUNE, 10)
    async with sessionmaker() as session:
        ratings = CommunityRatings(session)
        club = await ratings.columns(CLUB)
        everyone = await ratings.columns(None)
        count, latest = await ratings.latest(CLUB)
        assert latest is not None
        recent = await ratings.columns(CLUB, latest)
        none_newer = await ratings.latest(CLUB, latest + timedelta(seconds=1))
        last_club, last_other = await ratings.last_change(CLUB), await ratings.last_change(OTHER)
        last_anywhere = await ratings.last_change(None)
    assert club.user_ids.tolist() == [7, BIG_MEMBER]
    assert [MEDIA_TYPES[m] for m in club.media.tolist()] == [MediaType.TV, MediaType.MOVIE]
    assert club.tmdb_ids.tolist() == [438631, 438631]
    assert club.scores.tolist() == [4, 10]
    assert len(everyone) == 3 and sorted(everyone.user_ids.tolist()) == [7, 8, BIG_MEMBER]
    assert count == 2
    assert recent.user_ids.tolist() == [BIG_MEMBER] and recent.scores.tolist() == [10]
    assert none_newer == (0, None)
    assert last_club == latest == last_anywhere
    assert last_other is not None and last_other < latest


async def test_every_write_bumps_its_server_and_deletions_are_counted_apart(
    sessionmaker: Sessions,
) -> None:
    assert await _version(sessionmaker, CLUB) == CommunityVersion(0, 0)
    await _rate(sessionmaker, CLUB, 1, DUNE, 9)
    await _rate(sessionmaker, CLUB, 1, DUNE, 3)
    await _rate(sessionmaker, OTHER, 1, DUNE, 8)
    await _rate(sessionmaker, OTHER, 2, SHOW, 8)
    assert await _version(sessionmaker, CLUB) == CommunityVersion(2, 0)
    assert await _version(sessionmaker, OTHER) == CommunityVersion(2, 0)
    assert await _version(sessionmaker, None) == CommunityVersion(4, 0)

    async with sessionmaker.begin() as session:
        items = WatchlistRepository(session)
        assert await items.add(CLUB, 5, SHOW, "Unrated", limit=100)
        assert await items.remove(CLUB, 5, SHOW)
    assert await _version(sessionmaker, CLUB) == CommunityVersion(2, 0), "nothing rated went"

    async with sessionmaker.begin() as session:
        assert await WatchlistRepository(session).delete_user(1) == 2
    assert await _version(sessionmaker, CLUB) == CommunityVersion(3, 1)
    assert await _version(sessionmaker, OTHER) == CommunityVersion(3, 1)
    async with sessionmaker.begin() as session:
        assert await WatchlistRepository(session).remove(OTHER, 2, SHOW)
    assert await _version(sessionmaker, OTHER) == CommunityVersion(4, 2)
    async with sessionmaker.begin() as session:
        assert await GuildRepository(session).delete(CLUB)
    assert await _version(sessionmaker, CLUB) == CommunityVersion(4, 2)
    assert await _version(sessionmaker, None) == CommunityVersion(8, 4)


async def test_member_titles_follow_the_watchlist_order_with_ratings(
    sessionmaker: Sessions,
) -> None:
    await _rate(sessionmaker, CLUB, 1, DUNE, 9)
    async with sessionmaker.begin() as session:
        await WatchlistRepository(session).add(CLUB, 1, SHOW, "The show", limit=100)
    await _rate(sessionmaker, OTHER, 1, SHOW, 2)
    async with sessionmaker() as session:
        titles = await CommunityRatings(session).member_titles(CLUB, 1)
        items = await WatchlistRepository(session).list_for_user(CLUB, 1)
    assert [t.ref for t in titles] == [i.ref for i in items] == [SHOW, DUNE]
    assert [(t.title, t.score) for t in titles] == [("The show", None), ("Title 438631", 9)]
    rated = [i.rating for i in items if i.rating is not None]
    assert [t.rated_at for t in titles if t.score is not None] == [r.updated_at for r in rated]
