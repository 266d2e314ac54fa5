"""The dashboard's aggregates on every backend: each spells "truncate to the hour" its own way."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import text, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from filmbot.db import migrate
from filmbot.db.models import GuildRow, TitleSnapshotRow
from filmbot.db.session import create_sessionmaker, engine_for_url
from filmbot.domain.errors import InvalidInputError, NotFoundError
from filmbot.domain.guild_settings import Setting
from filmbot.services.admin import AdminService
from filmbot.services.container import build_dashboard
from filmbot.services.dashboard import PRESENCE_TTL_SECONDS, DashboardService
from filmbot.services.templates import TemplateService
from filmbot.services.updates.status import UpdateStatus
from tests.e2e.web import seed

NOW = datetime(2026, 2, 4, 12, tzinfo=UTC)


def _service(sessions: async_sessionmaker[AsyncSession]) -> DashboardService:
    return DashboardService(
        sessions,
        UpdateStatus(sessions),
        AdminService(sessions),
        TemplateService(sessions),
        now=lambda: NOW,
    )


async def test_charts_count_by_local_weekday_hour_week_and_score(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await seed.seed(sessionmaker)
    charts = await _service(sessionmaker).charts(seed.FILM_CLUB, seed.MEMBER)
    busy = {(d, h): c for d, row in enumerate(charts.heatmap.cells) for h, c in enumerate(row) if c}
    assert busy == {(0, 11): 7, (2, 23): 4}
    assert {b.score: (b.count, b.mine) for b in charts.scores if b.count} == {
        3: (1, 0),
        8: (3, 2),
        9: (1, 1),
    }
    assert [(p.week, p.added, p.total) for p in charts.trend] == [
        (date(2026, 1, 5), 2, 2),
        (date(2026, 1, 12), 0, 2),
        (date(2026, 1, 19), 1, 3),
        (date(2026, 1, 26), 0, 3),
        (date(2026, 2, 2), 0, 3),
    ]


async def test_servers_health_and_log_are_per_server(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await seed.seed(sessionmaker)
    service = _service(sessionmaker)
    listed = await service.servers([seed.FILM_CLUB, seed.OTHER_CLUB, seed.NO_BOT_CLUB])
    assert [(s.name, s.subscriptions) for s in listed] == [("Film Club", 3), ("Other Club", 1)]
    health = await service.health(seed.FILM_CLUB)
    assert health.counts == {"delivered": 2, "pending": 1, "missed": 1}
    assert health.problem == seed.PROBLEM
    log = await service.notification_log(seed.FILM_CLUB)
    assert [e.status for e in log] == ["missed", "pending", "delivered", "delivered"]
    assert await service.notification_log(seed.OTHER_CLUB) == []
    with pytest.raises(NotFoundError):
        await service.overview(seed.NO_BOT_CLUB)


async def test_a_server_the_bot_left_disappears_within_the_presence_ttl(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await seed.seed(sessionmaker)
    clock = [100.0]
    service = DashboardService(
        sessionmaker,
        UpdateStatus(sessionmaker),
        AdminService(sessionmaker),
        TemplateService(sessionmaker),
        now=lambda: NOW,
        monotonic=lambda: clock[0],
    )
    ids = [seed.FILM_CLUB, seed.NO_BOT_CLUB]
    assert await service.bot_guild_ids(ids) == {seed.FILM_CLUB}
    async with sessionmaker.begin() as session:
        await session.execute(
            update(GuildRow).where(GuildRow.id == seed.FILM_CLUB).values(left_at=NOW)
        )
    clock[0] += PRESENCE_TTL_SECONDS - 1
    assert await service.bot_guild_ids(ids) == {seed.FILM_CLUB}
    clock[0] += 2
    assert await service.bot_guild_ids(ids) == set()


async def test_overview_pages_through_subscriptions(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await seed.seed(sessionmaker)
    view = await _service(sessionmaker).overview(seed.FILM_CLUB, page=9)
    assert (view.total, view.page, view.pages) == (3, 1, 1)
    assert [v.subscription.title for v in view.subscriptions] == [
        "The Bear",
        "Severance",
        "Dune: Part Two",
    ]


async def test_overview_hints_read_the_snapshots_of_whichever_shard_checks_the_server(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    # A sharded bot stores snapshots per shard; the dashboard serves every shard's servers.
    await seed.seed(sessionmaker)
    async with sessionmaker.begin() as session:
        await session.execute(update(TitleSnapshotRow).values(scope="shards:1/2"))
    view = await _service(sessionmaker).overview(seed.FILM_CLUB)
    hints = {v.subscription.title: v.next_hint for v in view.subscriptions}
    assert hints["Severance"] is not None and hints["Severance"].startswith("S02E05 on ")
    assert hints["Dune: Part Two"] is not None
    assert hints["Dune: Part Two"].startswith("release in US on ")


async def test_settings_are_validated_like_config_and_change_nothing_when_bad(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await seed.seed(sessionmaker)
    service = _service(sessionmaker)
    with pytest.raises(InvalidInputError):
        await service.change_settings(
            seed.FILM_CLUB, {Setting.REGION: "DE", Setting.TIMEZONE: "Mars/Olympus"}
        )
    assert (await service.guild(seed.FILM_CLUB)).region == "US"
    changed = await service.change_settings(seed.FILM_CLUB, {Setting.REGION: "de"})
    assert changed.region == "DE"


async def test_dashboard_reads_beside_a_writer_on_sqlite(tmp_path: Path) -> None:
    engine = engine_for_url(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    await migrate.upgrade(engine)
    await seed.seed(create_sessionmaker(engine))
    service = build_dashboard(engine)
    async with create_sessionmaker(engine).begin() as writer:
        await writer.execute(
            text("UPDATE guilds SET name = 'Renamed' WHERE id = :id"), {"id": seed.FILM_CLUB}
        )
        # The writer holds SQLite's write lock; a reader must not queue behind it.
        charts = await asyncio.wait_for(service.charts(seed.FILM_CLUB, None), 5)
        assert charts.heatmap.total == 11
        assert (await service.guild(seed.FILM_CLUB)).name == "Film Club"
    assert (await service.guild(seed.FILM_CLUB)).name == "Renamed"
    await engine.dispose()
