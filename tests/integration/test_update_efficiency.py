"""Warm cycles refetch only what changed; database work does not grow with subscriptions."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from filmbot.domain.models import MediaType, TitleRef
from tests.integration.test_update_support import GUILD, Sessions, World, world

FILMS = [TitleRef(MediaType.MOVIE, 9_000_400 + n) for n in range(4)]
SHOWS = [TitleRef(MediaType.TV, 9_100_400 + n) for n in range(2)]


async def _follow_all(w: World, guilds: int = 1, first: int = 0) -> None:
    for ref in FILMS:
        w.film(ref, title=f"Film {ref.tmdb_id}", status="Released", release_date="2020-01-01")
    for ref in SHOWS:
        w.show(ref, name=f"Show {ref.tmdb_id}", status="Returning Series")
    for n in range(first, first + guilds):
        await w.guild(GUILD + (n << 22))
        for ref in FILMS + SHOWS:
            await w.subscribe(ref, GUILD + (n << 22))


def _detail_requests(w: World) -> int:
    return sum(n for path, n in w.fake.counts_by_path().items() if not path.endswith("/changes"))


async def test_warm_cycle_refetches_only_titles_in_the_change_feed(sessionmaker: Sessions) -> None:
    async with world(sessionmaker) as w:
        await _follow_all(w)
        engine = w.engine()
        cold = await engine.run_cycle()
        w.fake.reset()
        w.clock.advance(hours=6)
        w.changed(FILMS[0])
        w.changed(SHOWS[1])
        warm = await engine.run_cycle()

    assert (cold.titles_fetched, cold.change_feed_used) == (6, False)
    assert (warm.titles_fetched, warm.change_feed_used) == (2, True)
    assert _detail_requests(w) == 2
    assert w.fake.count("/movie/changes") == 1 and w.fake.count("/tv/changes") == 1


async def test_every_title_is_refetched_once_full_refresh_hours_have_passed(
    sessionmaker: Sessions,
) -> None:
    async with world(sessionmaker, full_refresh_hours=24) as w:
        await _follow_all(w)
        engine = w.engine()
        await engine.run_cycle()
        w.clock.advance(hours=18)
        before = await engine.run_cycle()
        w.clock.advance(hours=6)
        after = await engine.run_cycle()

    assert before.titles_fetched == 0
    assert after.titles_fetched == 6


async def test_change_feed_failure_falls_back_to_refetching_every_title(
    sessionmaker: Sessions,
) -> None:
    async with world(sessionmaker) as w:
        await _follow_all(w)
        engine = w.engine()
        await engine.run_cycle()
        w.clock.advance(hours=6)
        w.fake.faults.fail_next(6)  # first try and both retries of both change feeds
        report = await engine.run_cycle()

    assert (report.titles_fetched, report.change_feed_used) == (6, False)


@contextmanager
def counting(engine: AsyncEngine) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)


async def test_database_statements_per_cycle_do_not_grow_with_subscriptions(
    sessionmaker: Sessions, engine: AsyncEngine
) -> None:
    counts = []
    for guilds, first in ((1, 0), (6, 1)):
        async with world(sessionmaker) as w:
            await _follow_all(w, guilds, first)
            owned = range(first, first + guilds)
            update_engine = w.engine(
                scope=f"size-{guilds}", owns=lambda g, owned=owned: (g - GUILD) >> 22 in owned
            )
            with counting(engine) as cold:
                report = await update_engine.run_cycle()
            assert report.subscriptions == guilds * len(FILMS + SHOWS)
            w.clock.advance(hours=6)
            with counting(engine) as warm:
                await update_engine.run_cycle()
            counts.append((len(cold), len(warm)))

    assert counts[0] == counts[1]


async def test_snapshots_of_titles_nobody_follows_any_more_are_forgotten(
    sessionmaker: Sessions,
) -> None:
    from filmbot.db.repositories import SubscriptionRepository
    from filmbot.db.repositories.snapshots import SnapshotRepository
    from filmbot.services.updates import ALL_GUILDS

    async with world(sessionmaker) as w:
        await _follow_all(w)
        engine = w.engine()
        await engine.run_cycle()
        async with sessionmaker.begin() as session:
            assert await SubscriptionRepository(session).remove(GUILD, FILMS[0])
        w.clock.advance(hours=6)
        await engine.run_cycle()
    async with sessionmaker() as session:
        batches = SnapshotRepository(session).scope_batches(ALL_GUILDS)
        stored = {ref for batch in [b async for b in batches] for ref, _ in batch}
    assert FILMS[0] not in stored
    assert set(stored) == set(FILMS[1:] + SHOWS)
