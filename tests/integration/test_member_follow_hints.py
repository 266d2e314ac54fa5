"""The member's follow list says what each follow announces next in the member's region,
from whichever process (scope) stored a snapshot tracking that region."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from filmbot.db.repositories.personal import FollowRepository, MemberSettingsRepository
from filmbot.db.repositories.snapshots import SnapshotRepository
from filmbot.domain.models import MediaType, TitleRef
from filmbot.domain.personal import PersonalFollow
from filmbot.domain.updates import RegionalRelease, ReleaseType, TitleSnapshot
from filmbot.services.personal import PersonalService
from filmbot.services.updates.plan import Windows
from filmbot.services.updates.status import UpdateStatus

Sessions = async_sessionmaker[AsyncSession]
ALICE, BOB = 900_000_000_000_000_001, 900_000_000_000_000_002
NOW = datetime(2026, 3, 10, 11, 30, tzinfo=UTC)
DUNE = TitleRef(MediaType.MOVIE, 693134)
ARRIVAL = TitleRef(MediaType.MOVIE, 329865)


def _film(ref: TitleRef, title: str, regions: set[str]) -> TitleSnapshot:
    releases = {
        "US": (RegionalRelease(ReleaseType.THEATRICAL, date(2026, 3, 12)),),
        "DE": (RegionalRelease(ReleaseType.THEATRICAL, date(2026, 3, 14)),),
    }
    kept = {region: dates for region, dates in releases.items() if region in regions}
    return TitleSnapshot(
        ref,
        title,
        NOW,
        release_date=date(2026, 3, 1),
        release_dates=kept,
        regions=frozenset(regions),
    )


async def test_a_members_hints_come_from_a_snapshot_tracking_their_region(
    sessionmaker: Sessions,
) -> None:
    # This process (shard 1) keeps only its US servers' region; shard 0, which checks
    # members' follows, kept DE too, six hours earlier. Arrival is not tracked for DE yet.
    async with sessionmaker.begin() as session:
        await MemberSettingsRepository(session).ensure(ALICE, "Europe/Berlin", "DE")
        await MemberSettingsRepository(session).ensure(BOB, "UTC", "US")
        for member in (ALICE, BOB):
            await FollowRepository(session).add(PersonalFollow(member, DUNE, "Dune"))
            await FollowRepository(session).add(PersonalFollow(member, ARRIVAL, "Arrival"))
        snapshots = SnapshotRepository(session)
        earlier = NOW - timedelta(hours=6)
        await snapshots.save(
            "shards:0/2", [(DUNE, _film(DUNE, "Dune", {"US", "DE"}).to_dict(), earlier)]
        )
        await snapshots.save("shards:1/2", [(DUNE, _film(DUNE, "Dune", {"US"}).to_dict(), NOW)])
        await snapshots.save(
            "shards:1/2", [(ARRIVAL, _film(ARRIVAL, "Arrival", {"US"}).to_dict(), NOW)]
        )

    status = UpdateStatus(sessionmaker, "shards:1/2", lambda: NOW)
    service = PersonalService(sessionmaker, status, Windows(7, 3, 7))
    germany, _ = await service.overview(ALICE)
    usa, _ = await service.overview(BOB)

    assert {view.follow.ref: view.next_hint for view in germany} == {
        DUNE: "release in DE on 2026-03-14",
        ARRIVAL: "dates in DE after the next update check",
    }
    assert {view.follow.ref: view.next_hint for view in usa} == {
        DUNE: "release in US on 2026-03-12",
        ARRIVAL: "release in US on 2026-03-12",
    }
