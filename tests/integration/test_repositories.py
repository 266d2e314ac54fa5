"""Repositories keep the schema's rules on every backend and report them as domain errors."""

from __future__ import annotations

import asyncio
from datetime import UTC

import pytest
from sqlalchemy import delete, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from filmbot.db.models import RatingRow, SubscriptionRow, WatchlistRow
from filmbot.db.repositories import (
    GuildRepository,
    RatingRepository,
    SubscriptionRepository,
    WatchlistRepository,
)
from filmbot.domain.errors import (
    AlreadyExistsError,
    InvalidInputError,
    InvalidScoreError,
    LimitReachedError,
)
from filmbot.domain.models import MediaType, Priority, SubscribePermission, TitleRef

Sessions = async_sessionmaker[AsyncSession]
GUILD = 1_100_000_000_000_000_001
USER = 900_000_000_000_000_123
DUNE = TitleRef(MediaType.MOVIE, 438631)
BREAKING_BAD = TitleRef(MediaType.TV, 1396)


async def _seed(sessionmaker: Sessions, guild_id: int = GUILD) -> None:
    async with sessionmaker.begin() as session:
        await GuildRepository(session).ensure(guild_id, "Film Club")
        await SubscriptionRepository(session).add(guild_id, DUNE, "Dune")
        watchlist = WatchlistRepository(session)
        item = await watchlist.add(guild_id, USER, BREAKING_BAD, "Breaking Bad", limit=10)
        await RatingRepository(session).rate(item, 9, "Superb")


async def _count(sessionmaker: Sessions, model: type) -> int:
    async with sessionmaker() as session:
        return len((await session.scalars(select(model))).all())


async def test_deleting_a_guild_cascades_to_everything_it_owns(sessionmaker: Sessions) -> None:
    await _seed(sessionmaker)
    await _seed(sessionmaker, GUILD + 1)
    async with sessionmaker.begin() as session:
        assert await GuildRepository(session).delete(GUILD)
    for model in (SubscriptionRow, WatchlistRow, RatingRow):
        assert await _count(sessionmaker, model) == 1
    async with sessionmaker() as session:
        remaining = await session.scalars(select(WatchlistRow.guild_id))
        assert set(remaining) == {GUILD + 1}


async def test_duplicate_subscription_is_a_domain_error_and_keeps_the_transaction(
    sessionmaker: Sessions,
) -> None:
    await _seed(sessionmaker)
    async with sessionmaker.begin() as session:
        repo = SubscriptionRepository(session)
        with pytest.raises(AlreadyExistsError, match="already follows Dune"):
            await repo.add(GUILD, DUNE, "Dune")
        await repo.add(GUILD, BREAKING_BAD, "Breaking Bad")
    assert await _count(sessionmaker, SubscriptionRow) == 2


async def test_duplicate_watchlist_item_is_a_domain_error(sessionmaker: Sessions) -> None:
    await _seed(sessionmaker)
    async with sessionmaker.begin() as session:
        with pytest.raises(AlreadyExistsError):
            await WatchlistRepository(session).add(
                GUILD, USER, BREAKING_BAD, "Breaking Bad", limit=10
            )
    assert await _count(sessionmaker, WatchlistRow) == 1


async def test_database_check_rejects_scores_outside_1_to_10(sessionmaker: Sessions) -> None:
    await _seed(sessionmaker)
    async with sessionmaker.begin() as session:
        item = await WatchlistRepository(session).get(GUILD, USER, BREAKING_BAD)
        assert item is not None
        for bad in (0, 11, -3):
            with pytest.raises(InvalidScoreError):
                await RatingRepository(session).rate(item, bad)
    async with sessionmaker() as session:
        scores = list(await session.scalars(select(RatingRow.score)))
    assert scores == [9]


async def test_rating_again_replaces_score_and_review(sessionmaker: Sessions) -> None:
    await _seed(sessionmaker)
    async with sessionmaker.begin() as session:
        item = await WatchlistRepository(session).get(GUILD, USER, BREAKING_BAD)
        assert item is not None and item.rating is not None
        first_update = item.rating.updated_at
        rating = await RatingRepository(session).rate(item, 7, None)
    assert (rating.score, rating.review) == (7, None)
    assert rating.updated_at is not None and first_update is not None
    assert rating.updated_at >= first_update
    assert await _count(sessionmaker, RatingRow) == 1


async def test_64_bit_discord_ids_round_trip(sessionmaker: Sessions) -> None:
    huge_guild, huge_user, huge_channel = 2**63 - 1, 2**63 - 2, 1_234_567_890_123_456_789
    async with sessionmaker.begin() as session:
        await GuildRepository(session).update(huge_guild, notification_channel_id=huge_channel)
        await WatchlistRepository(session).add(huge_guild, huge_user, DUNE, "Dune", limit=5)
    async with sessionmaker() as session:
        guild = await GuildRepository(session).get(huge_guild)
        items = await WatchlistRepository(session).list_for_user(huge_guild, huge_user)
    assert guild is not None and guild.notification_channel_id == huge_channel
    assert [(i.guild_id, i.user_id) for i in items] == [(huge_guild, huge_user)]


async def test_timestamps_are_timezone_aware_utc_and_per_row(sessionmaker: Sessions) -> None:
    async with sessionmaker.begin() as session:
        await GuildRepository(session).ensure(GUILD)
        first = await SubscriptionRepository(session).add(GUILD, DUNE, "Dune")
    await asyncio.sleep(0.01)
    async with sessionmaker.begin() as session:
        await SubscriptionRepository(session).add(GUILD, BREAKING_BAD, "Breaking Bad")
    async with sessionmaker() as session:
        subs = await SubscriptionRepository(session).list_for_guild(GUILD)
    stamps = {s.tmdb_id: s.subscribed_at for s in subs}
    assert all(
        s is not None and s.tzinfo is not None and s.utcoffset() == UTC.utcoffset(None)
        for s in stamps.values()
    )
    assert stamps[BREAKING_BAD.tmdb_id] > stamps[DUNE.tmdb_id]
    assert first.subscribed_at is not None


async def test_watchlist_limit_and_priority_order(sessionmaker: Sessions) -> None:
    async with sessionmaker.begin() as session:
        await GuildRepository(session).ensure(GUILD)
        repo = WatchlistRepository(session)
        await repo.add(GUILD, USER, DUNE, "Dune", limit=2)
        await repo.add(GUILD, USER, BREAKING_BAD, "Breaking Bad", limit=2, priority=Priority.HIGH)
        with pytest.raises(LimitReachedError):
            await repo.add(GUILD, USER, TitleRef(MediaType.MOVIE, 27205), "Inception", limit=2)
        await repo.mark_watched(GUILD, USER, BREAKING_BAD)
        unwatched = await repo.list_for_user(GUILD, USER, include_watched=False)
        everything = await repo.list_for_user(GUILD, USER)
    assert [i.title for i in unwatched] == ["Dune"]
    assert [i.title for i in everything] == ["Dune", "Breaking Bad"]
    assert everything[1].watched and everything[1].watched_at is not None


async def test_guild_settings_update_and_refuse_unknown_fields(sessionmaker: Sessions) -> None:
    async with sessionmaker.begin() as session:
        repo = GuildRepository(session)
        guild = await repo.update(
            GUILD,
            timezone="Pacific/Auckland",
            region="NZ",
            subscribe_permission=SubscribePermission.MANAGE_SERVER,
        )
        with pytest.raises(InvalidInputError):
            await repo.update(GUILD, owner_id=1)
    assert (guild.timezone, guild.region, guild.subscribe_permission) == (
        "Pacific/Auckland",
        "NZ",
        SubscribePermission.MANAGE_SERVER,
    )


async def test_search_treats_like_wildcards_as_text(sessionmaker: Sessions) -> None:
    async with sessionmaker.begin() as session:
        await GuildRepository(session).ensure(GUILD)
        repo = SubscriptionRepository(session)
        await repo.add(GUILD, DUNE, "Dune")
        await repo.add(GUILD, BREAKING_BAD, "100% Breaking_Bad")
        assert [s.title for s in await repo.search_for_guild(GUILD, "%")] == ["100% Breaking_Bad"]
        assert [s.title for s in await repo.search_for_guild(GUILD, "dUN")] == ["Dune"]
        assert await repo.search_for_guild(GUILD, "'; DROP TABLE guilds;--") == []
        assert await GuildRepository(session).count() == 1


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_sqlite_concurrent_writers_do_not_fail_with_database_locked(
    sessionmaker: Sessions,
) -> None:
    async with sessionmaker.begin() as session:
        await GuildRepository(session).ensure(GUILD)

    async def writer(n: int) -> None:
        async with sessionmaker.begin() as session:
            repo = WatchlistRepository(session)
            await repo.count(GUILD, n)
            await repo.add(GUILD, n, DUNE, "Dune", limit=5)
            await session.execute(text("SELECT 1"))

    await asyncio.gather(*(writer(n) for n in range(40)))
    assert await _count(sessionmaker, WatchlistRow) == 40


async def test_subscription_flags_listing_and_batch_updates(sessionmaker: Sessions) -> None:
    await _seed(sessionmaker)
    await _seed(sessionmaker, GUILD + 1)
    async with sessionmaker.begin() as session:
        repo = SubscriptionRepository(session)
        await repo.add(GUILD, BREAKING_BAD, "Breaking Bad", notify_release=False)
        updated = await repo.set_flags(GUILD, DUNE, notify_release=False, notify_update=False)
        assert (
            await repo.set_flags(
                GUILD, TitleRef(MediaType.TV, 1), notify_release=True, notify_update=True
            )
            is None
        )
        await repo.mark_missing(BREAKING_BAD)
    assert updated is not None and (updated.notify_release, updated.notify_update) == (False, False)
    async with sessionmaker() as session:
        repo = SubscriptionRepository(session)
        assert await repo.count() == 3 and await repo.count(GUILD) == 2
        page = await repo.list_for_guild(GUILD, limit=1)
        everything = await repo.list_all()
        only_other = await repo.list_all([GUILD + 1])
        dune = await repo.get(GUILD + 1, DUNE)
    assert len(page) == 1
    assert [s.title_missing for s in everything if s.ref == BREAKING_BAD] == [True]
    assert [s.guild_id for s in only_other] == [GUILD + 1]
    assert dune is not None and dune.notify_release
    async with sessionmaker.begin() as session:
        assert await SubscriptionRepository(session).remove(GUILD, DUNE)
        assert not await SubscriptionRepository(session).remove(GUILD, DUNE)


async def test_user_data_deletion_and_community_ratings_are_per_guild(
    sessionmaker: Sessions,
) -> None:
    await _seed(sessionmaker)
    await _seed(sessionmaker, GUILD + 1)
    async with sessionmaker() as session:
        ratings = RatingRepository(session)
        assert await ratings.for_guild(GUILD) == [(USER, BREAKING_BAD, 9)]
        assert len(await ratings.for_guild(None)) == 2
        assert await ratings.count(GUILD) == 1 and await ratings.count() == 2
    async with sessionmaker.begin() as session:
        assert await WatchlistRepository(session).delete_user(USER, GUILD) == 1
    async with sessionmaker() as session:
        assert await RatingRepository(session).count() == 1
        assert await WatchlistRepository(session).count(GUILD + 1, USER) == 1


async def test_every_subscription_change_bumps_the_subscriptions_counter(
    sessionmaker: Sessions,
) -> None:
    from filmbot.db.repositories.changes import SUBSCRIPTIONS, ChangeCounters

    async def counter() -> int:
        async with sessionmaker() as session:
            return await ChangeCounters(session).value(SUBSCRIPTIONS)

    await _seed(sessionmaker)
    seen = [await counter()]
    changes = [
        lambda repo: repo.add(GUILD, BREAKING_BAD, "Breaking Bad"),
        lambda repo: repo.set_flags(GUILD, DUNE, notify_release=False, notify_update=True),
        lambda repo: repo.mark_missing(BREAKING_BAD),
        lambda repo: repo.remove(GUILD, DUNE),
    ]
    for change in changes:
        async with sessionmaker.begin() as session:
            await change(SubscriptionRepository(session))
        seen.append(await counter())
    async with sessionmaker.begin() as session:
        assert not await SubscriptionRepository(session).remove(GUILD, DUNE)
        await SubscriptionRepository(session).list_all()
    assert seen == sorted(set(seen)) and len(seen) == 5
    assert await counter() == seen[-1]


async def test_a_missing_change_counter_row_is_created_by_its_first_bump(
    sessionmaker: Sessions,
) -> None:
    from filmbot.db.models import ChangeCounterRow
    from filmbot.db.repositories.changes import ChangeCounters

    async with sessionmaker.begin() as session:
        await session.execute(delete(ChangeCounterRow))
    async with sessionmaker.begin() as session:
        assert await ChangeCounters(session).value("subscriptions") == 0
        await ChangeCounters(session).bump("subscriptions")
        await ChangeCounters(session).bump("subscriptions")
    async with sessionmaker() as session:
        assert await ChangeCounters(session).value("subscriptions") == 2
