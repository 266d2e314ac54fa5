"""/my-upcoming's reads on every database backend: the member's follows and settings, and the
newest snapshot of each title whichever process (scope) stored it."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from filmbot.db.repositories.personal import FollowRepository, MemberSettingsRepository
from filmbot.db.repositories.snapshots import SnapshotRepository
from filmbot.domain.models import MediaType, TitleRef
from filmbot.domain.personal import PersonalFollow
from filmbot.domain.upcoming import member_calendar
from filmbot.domain.updates import EpisodeInfo, RegionalRelease, ReleaseType, TitleSnapshot
from filmbot.services.upcoming import UpcomingService

Sessions = async_sessionmaker[AsyncSession]
ALICE, BOB = 900_000_000_000_000_001, 900_000_000_000_000_002
NOW = datetime(2026, 3, 10, 11, 30, tzinfo=UTC)
DUNE = TitleRef(MediaType.MOVIE, 693134)
SEVERANCE = TitleRef(MediaType.TV, 95396)
UNCHECKED = TitleRef(MediaType.TV, 1)


def _film() -> TitleSnapshot:
    releases = {
        "US": (RegionalRelease(ReleaseType.THEATRICAL, date(2026, 3, 12)),),
        "DE": (RegionalRelease(ReleaseType.THEATRICAL, date(2026, 3, 14)),),
    }
    return TitleSnapshot(DUNE, "Dune: Part Two", NOW, release_dates=releases)


def _show(air_date: date) -> TitleSnapshot:
    episode = EpisodeInfo(2, 5, air_date)
    return TitleSnapshot(SEVERANCE, "Severance", NOW, next_episode_to_air=episode)


async def test_a_members_calendar_reads_the_newest_snapshot_of_any_scope(
    sessionmaker: Sessions,
) -> None:
    stale, fresh = _show(date(2026, 3, 11)), _show(date(2026, 3, 13))
    async with sessionmaker.begin() as session:
        await MemberSettingsRepository(session).ensure(ALICE, "Europe/Berlin", "DE")
        follows = FollowRepository(session)
        for ref, title in ((DUNE, "Dune"), (SEVERANCE, "Severance"), (UNCHECKED, "Unchecked")):
            await follows.add(PersonalFollow(ALICE, ref, title))
        await follows.add(PersonalFollow(BOB, TitleRef(MediaType.MOVIE, 5), "Bob's film"))
        snapshots = SnapshotRepository(session)
        await snapshots.save("shards:0/2", [(DUNE, _film().to_dict(), NOW)])
        await snapshots.save("shards:0/2", [(SEVERANCE, fresh.to_dict(), NOW)])
        await snapshots.save("shards:1/2", [(SEVERANCE, stale.to_dict(), NOW - timedelta(hours=6))])

    service = UpcomingService(sessionmaker, "shards:1/2", lambda: NOW)
    mine = await service.for_member(ALICE, 14)
    nobody = await service.for_member(BOB + 1, 14)

    assert [(e.title, e.day) for e in mine.events] == [
        ("Severance", date(2026, 3, 13)),  # the fresher snapshot, from the other scope
        ("Dune: Part Two", date(2026, 3, 14)),  # the member's region: DE, not US
    ]
    assert (mine.owner, mine.timezone, mine.region) == (
        member_calendar(ALICE),
        "Europe/Berlin",
        "DE",
    )
    assert (mine.first, mine.last) == (date(2026, 3, 10), date(2026, 3, 23))
    assert (mine.subscriptions, mine.unchecked) == (3, 1)
    assert (nobody.events, nobody.subscriptions) == ([], 0)
    assert (nobody.timezone, nobody.region) == ("UTC", "US")


async def test_a_members_calendar_prefers_a_snapshot_tracking_their_region(
    sessionmaker: Sessions,
) -> None:
    # Each scope keeps its own followers' regions: the newest copy (a US-only process) does
    # not know the DE date, the older one from the process checking the member does.
    film = _film()
    us_only = replace(
        film, release_dates={"US": film.release_dates["US"]}, regions=frozenset({"US"})
    )
    tracked = replace(film, regions=frozenset({"US", "DE"}))
    async with sessionmaker.begin() as session:
        await MemberSettingsRepository(session).ensure(ALICE, "Europe/Berlin", "DE")
        await MemberSettingsRepository(session).ensure(BOB, "UTC", "US")
        for member in (ALICE, BOB):
            await FollowRepository(session).add(PersonalFollow(member, DUNE, "Dune"))
        snapshots = SnapshotRepository(session)
        await snapshots.save("shards:0/2", [(DUNE, tracked.to_dict(), NOW - timedelta(hours=6))])
        await snapshots.save("shards:1/2", [(DUNE, us_only.to_dict(), NOW)])

    service = UpcomingService(sessionmaker, "all", lambda: NOW)
    germany, usa = await service.for_member(ALICE, 14), await service.for_member(BOB, 14)

    assert [(e.title, e.day) for e in germany.events] == [("Dune: Part Two", date(2026, 3, 14))]
    assert [(e.title, e.day) for e in usa.events] == [("Dune: Part Two", date(2026, 3, 12))]


async def test_the_window_starts_on_the_members_own_date(sessionmaker: Sessions) -> None:
    late = datetime(2026, 3, 10, 23, 30, tzinfo=UTC)  # already 11 March in Berlin
    async with sessionmaker.begin() as session:
        await MemberSettingsRepository(session).ensure(ALICE, "Europe/Berlin", "US")
        await FollowRepository(session).add(PersonalFollow(ALICE, DUNE, "Dune"))
    upcoming = await UpcomingService(sessionmaker, "all", lambda: late).for_member(ALICE, 2)
    assert (upcoming.first, upcoming.last) == (date(2026, 3, 11), date(2026, 3, 12))
