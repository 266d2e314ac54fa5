"""The dashboard of a sharded bot: each process stores its own snapshots and cycle record,
and the dashboard, one process for every shard's servers, reads whichever checks a server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from filmbot.db.models import TitleSnapshotRow
from filmbot.db.repositories.cycles import CycleRepository
from filmbot.domain.updates import CycleState
from filmbot.services.admin import AdminService
from filmbot.services.dashboard import DashboardService
from filmbot.services.templates import TemplateService
from filmbot.services.updates.shards import ALL_GUILDS
from filmbot.services.updates.status import UpdateStatus
from tests.e2e.web import seed

SHARD = (seed.FILM_CLUB >> 22) % 2
OWN, OTHER = f"shards:{SHARD}/2", f"shards:{1 - SHARD}/2"


def _service(sessions: async_sessionmaker[AsyncSession]) -> DashboardService:
    # The seed's dates are relative to today, so the calendar runs on the real clock.
    return DashboardService(
        sessions, UpdateStatus(sessions), AdminService(sessions), TemplateService(sessions)
    )


async def _seeded_by(sessions: async_sessionmaker[AsyncSession], scope: str) -> None:
    """The seed's servers, with their snapshots stored by the process of `scope`."""
    await seed.seed(sessions)
    async with sessions.begin() as session:
        await session.execute(update(TitleSnapshotRow).values(scope=scope))


async def _copy_snapshots(sessions: async_sessionmaker[AsyncSession], scope: str) -> None:
    async with sessions.begin() as session:
        rows = (await session.scalars(select(TitleSnapshotRow))).all()
        for row in rows:
            session.add(
                TitleSnapshotRow(
                    scope=scope,
                    media_type=row.media_type,
                    tmdb_id=row.tmdb_id,
                    data=dict(row.data),
                    fetched_at=row.fetched_at + timedelta(minutes=5),
                )
            )


async def test_the_calendar_reads_the_snapshots_of_whichever_shard_checks_the_server(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await _seeded_by(sessionmaker, OWN)
    days = await _service(sessionmaker).calendar(seed.FILM_CLUB)
    assert [(e.title, e.label) for e in days] == [
        ("Severance", "S02E05 Trojan's Horse"),
        ("Dune: Part Two", "theatrical release"),
    ]


async def test_a_title_stored_by_two_shards_is_on_the_calendar_once(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await _seeded_by(sessionmaker, OWN)
    await _copy_snapshots(sessionmaker, OTHER)
    days = await _service(sessionmaker).calendar(seed.FILM_CLUB)
    assert [e.title for e in days] == ["Severance", "Dune: Part Two"]


async def test_health_shows_the_last_cycle_of_the_shard_checking_the_server(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await seed.seed(sessionmaker)
    now = datetime.now(UTC).replace(microsecond=0)
    started = {
        ALL_GUILDS: now - timedelta(days=10),  # left from before the bot was sharded
        OWN: now - timedelta(hours=1),
        OTHER: now - timedelta(minutes=10),
    }
    async with sessionmaker.begin() as session:
        for scope, at in started.items():
            state = CycleState(scope, at, at + timedelta(seconds=3), None, {"titles": 7})
            await CycleRepository(session).save(state)
    service = _service(sessionmaker)

    health = await service.health(seed.FILM_CLUB)
    overview = await service.overview(seed.FILM_CLUB, health=True)
    newest = await service.last_cycle()

    assert health.last_cycle is not None and health.last_cycle.scope == OWN
    assert health.last_cycle.titles == 7
    assert overview.health is not None and overview.health.last_cycle == health.last_cycle
    assert newest is not None and newest.scope == OTHER


async def test_a_server_whose_shard_has_not_run_yet_shows_no_cycle(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await seed.seed(sessionmaker)
    now = datetime.now(UTC)
    async with sessionmaker.begin() as session:
        await CycleRepository(session).save(CycleState(OTHER, now, now, None, {}))
    service = _service(sessionmaker)
    assert (await service.health(seed.FILM_CLUB)).last_cycle is None
    newest = await service.last_cycle()
    assert newest is not None and newest.scope == OTHER
