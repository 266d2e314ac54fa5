"""Member recommendations, opt-ins and /upcoming's snapshot reads on every database backend."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from filmbot.db.repositories import GuildRepository, SubscriptionRepository
from filmbot.db.repositories.snapshots import SnapshotRepository
from filmbot.domain.errors import LimitReachedError, PermissionDeniedError
from filmbot.domain.models import MediaType, TitleRef
from filmbot.domain.social import MemberPreferences
from filmbot.domain.updates import EpisodeInfo, RegionalRelease, ReleaseType, TitleSnapshot
from filmbot.services.catalog import TitleSummary
from filmbot.services.privacy import PrivacyService
from filmbot.services.social import Recipient, SocialService
from filmbot.services.upcoming import UpcomingService

Sessions = async_sessionmaker[AsyncSession]
GUILD, OTHER_GUILD = 1_100_000_000_000_000_001, 1_100_000_000_000_000_002
ALICE, BOB, CAROL = 900_000_000_000_000_001, 900_000_000_000_000_002, 900_000_000_000_000_003
ARRIVAL = TitleSummary(TitleRef(MediaType.MOVIE, 329865), "Arrival", 2016, "", None, 7.6, 100)
DUNE = TitleSummary(TitleRef(MediaType.MOVIE, 693134), "Dune: Part Two", 2024, "", None, 8.2, 90)
NOW = datetime(2026, 3, 10, 11, 30, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


async def test_five_a_day_per_sender_and_recipient(sessionmaker: Sessions) -> None:
    clock = Clock()
    social = SocialService(sessionmaker, clock)
    bob, carol = Recipient(BOB, False), Recipient(CAROL, False)
    for minute in range(5):
        clock.now = NOW + timedelta(minutes=minute)
        await social.recommend(GUILD, (ALICE, "Alice"), bob, ARRIVAL, None)
    with pytest.raises(LimitReachedError):
        await social.recommend(GUILD, (ALICE, "Alice"), bob, DUNE, None)
    with pytest.raises(LimitReachedError):
        await social.check_allowed(ALICE, bob, None)
    await social.recommend(OTHER_GUILD, (ALICE, "Alice"), carol, DUNE, None)
    await social.recommend(GUILD, (CAROL, "Carol"), bob, DUNE, None)
    clock.now = NOW + timedelta(hours=24, seconds=1)
    await social.recommend(GUILD, (ALICE, "Alice"), bob, DUNE, "again")


async def test_a_recipient_who_opted_out_gets_nothing(sessionmaker: Sessions) -> None:
    social = SocialService(sessionmaker, Clock())
    await social.recommend(GUILD, (ALICE, "Alice"), Recipient(BOB, False), ARRIVAL, "pending")
    await social.set_preferences(BOB, recommendations=False)
    with pytest.raises(PermissionDeniedError, match="turned off"):
        await social.recommend(GUILD, (ALICE, "Alice"), Recipient(BOB, False), DUNE, None)
    assert await social.take_pending(GUILD, BOB) == []
    assert await social.preferences(BOB) == MemberPreferences(recommendations=False)
    await social.set_preferences(BOB, activity=True)
    assert await social.preferences(BOB) == MemberPreferences(False, True)


async def test_pending_recommendations_are_shown_once_newest_first_per_server(
    sessionmaker: Sessions,
) -> None:
    clock = Clock()
    social = SocialService(sessionmaker, clock)
    bob = Recipient(BOB, False)
    await social.recommend(GUILD, (ALICE, "Alice"), bob, ARRIVAL, "the linguistics")
    clock.now += timedelta(minutes=1)
    await social.recommend(GUILD, (CAROL, "Carol"), bob, DUNE, None)
    await social.recommend(OTHER_GUILD, (CAROL, "Carol"), bob, DUNE, None)
    pending = await social.take_pending(GUILD, BOB)
    assert [r.line for r in pending] == [
        "Carol recommends Dune: Part Two",
        "Alice recommends Arrival: 'the linguistics'",
    ]
    assert await social.take_pending(GUILD, BOB) == []
    assert len(await social.take_pending(OTHER_GUILD, BOB)) == 1


async def test_privacy_show_and_delete_cover_both_sides_and_the_opt_ins(
    sessionmaker: Sessions,
) -> None:
    social = SocialService(sessionmaker, Clock())
    privacy = PrivacyService(sessionmaker, grace_days=30)
    await social.recommend(GUILD, (ALICE, "Alice"), Recipient(BOB, False), ARRIVAL, None)
    await social.recommend(GUILD, (BOB, "Bob"), Recipient(ALICE, False), DUNE, None)
    await social.recommend(GUILD, (CAROL, "Carol"), Recipient(ALICE, False), DUNE, None)
    assert (await privacy.show(BOB)).preferences is None
    await social.set_preferences(BOB, activity=True)
    shown = await privacy.show(BOB)
    assert {(r.sender_id, r.recipient_id) for r in shown.recommendations} == {
        (ALICE, BOB),
        (BOB, ALICE),
    }
    assert shown.preferences == MemberPreferences(activity=True)
    await privacy.delete(BOB)
    gone = await privacy.show(BOB)
    assert gone.recommendations == [] and gone.preferences is None
    left = await privacy.show(ALICE)
    assert [(r.sender_id, r.recipient_id) for r in left.recommendations] == [(CAROL, ALICE)]


def _snapshots() -> list[TitleSnapshot]:
    film = TitleSnapshot(
        DUNE.ref,
        "Dune: Part Two",
        NOW,
        release_dates={"US": (RegionalRelease(ReleaseType.THEATRICAL, date(2026, 3, 12)),)},
    )
    show = TitleSnapshot(
        TitleRef(MediaType.TV, 95396),
        "Severance",
        NOW,
        next_episode_to_air=EpisodeInfo(2, 5, date(2026, 3, 13)),
    )
    return [film, show]


async def test_upcoming_reads_the_scopes_snapshots_of_the_servers_subscriptions(
    sessionmaker: Sessions,
) -> None:
    film, show = _snapshots()
    async with sessionmaker.begin() as session:
        guild = await GuildRepository(session).ensure(GUILD, "Film Club")
        await SubscriptionRepository(session).add(GUILD, film.ref, film.title)
        await SubscriptionRepository(session).add(GUILD, TitleRef(MediaType.TV, 1), "Unchecked")
        snapshots = SnapshotRepository(session)
        await snapshots.save("all", [(s.ref, s.to_dict(), NOW) for s in (film, show)])
        await snapshots.save("shards:1/2", [(show.ref, show.to_dict(), NOW)])
    upcoming = await UpcomingService(sessionmaker, "all", Clock()).upcoming(guild, 14)
    assert [(e.title, e.day) for e in upcoming.events] == [("Dune: Part Two", date(2026, 3, 12))]
    assert (upcoming.first, upcoming.last) == (date(2026, 3, 10), date(2026, 3, 23))
    assert (upcoming.subscriptions, upcoming.unchecked) == (2, 1)


async def test_a_servers_recommendations_go_with_its_data(sessionmaker: Sessions) -> None:
    social = SocialService(sessionmaker, Clock())
    privacy = PrivacyService(sessionmaker, grace_days=30)
    await social.recommend(GUILD, (ALICE, "Alice"), Recipient(BOB, False), ARRIVAL, None)
    await social.recommend(OTHER_GUILD, (ALICE, "Alice"), Recipient(BOB, False), DUNE, None)
    async with sessionmaker.begin() as session:
        assert await GuildRepository(session).delete(GUILD)
    left = await privacy.show(BOB)
    assert [r.guild_id for r in left.recommendations] == [OTHER_GUILD]
