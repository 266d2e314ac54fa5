"""Each notification is sent once: across crashes, restarts, concurrent engines and downtime."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

from filmbot.db import migrate
from filmbot.db.repositories.ledger import LedgerRepository
from filmbot.db.session import create_sessionmaker, engine_for_url
from filmbot.domain.models import MediaType, TitleRef
from filmbot.services.notifications import NotificationMessage
from filmbot.services.updates import TMDBTitleSource, UpdateEngine
from filmbot.services.updates.delivery import DEFAULT_LEASE
from tests.integration.test_update_support import (
    CHANNEL,
    FILM,
    GUILD,
    SHOW,
    RecordingSender,
    Sessions,
    day,
    world,
)
from tests.update_builders import pending_entries

LEASE_PLUS = {"seconds": DEFAULT_LEASE.total_seconds() + 60}


async def test_sender_crash_after_claim_is_retried_once_after_the_lease(
    sessionmaker: Sessions,
) -> None:
    async with world(sessionmaker) as w:
        w.dated_film()
        await w.follow(FILM)
        w.sender.fail_next.append(RuntimeError("process died mid-send"))
        engine = w.engine()
        crashed = await engine.run_cycle()
        statuses_after_crash = await w.statuses()
        await engine.run_cycle()
        sent_within_lease = len(w.sender.sent)
        w.clock.advance(**LEASE_PLUS)
        retried = await engine.run_cycle()
        w.clock.advance(hours=6)
        await engine.run_cycle()

    assert crashed.delivered == 0
    assert list(statuses_after_crash.values()) == ["pending"]
    assert sent_within_lease == 0
    assert retried.delivered == 1
    assert w.sender.titles() == ["The Film is out in US"]
    assert list((await w.statuses()).values()) == ["delivered"]


async def test_cycle_cancelled_after_claiming_sends_once_from_a_restarted_engine(
    sessionmaker: Sessions,
) -> None:
    async with world(sessionmaker) as w:
        w.airing_show()
        await w.follow(SHOW)
        claimed = asyncio.Event()

        async def hang(channel_id: int, message: NotificationMessage) -> None:
            claimed.set()
            await asyncio.Event().wait()

        doomed = w.engine(sender=RecordingSender(before_send=hang))
        task = asyncio.create_task(doomed.run_cycle())
        await claimed.wait()
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            pass
        else:
            raise AssertionError("the cancelled cycle finished")
        restarted = w.engine()
        await restarted.run_cycle()
        within_lease = list(w.sender.sent)
        w.clock.advance(**LEASE_PLUS)
        await restarted.run_cycle()
        await w.engine().run_cycle()

    assert within_lease == []
    assert w.sender.titles() == ["The Show S01E02 airs tomorrow"]


async def test_restarted_engine_does_not_resend_delivered_events(sessionmaker: Sessions) -> None:
    async with world(sessionmaker) as w:
        w.dated_film(on=-1)
        await w.follow(FILM)
        await w.engine().run_cycle()
        w.clock.advance(hours=1)
        report = await w.engine().run_cycle()

    assert w.sender.titles() == ["The Film is out in US"]
    assert (report.events_found, report.delivered) == (0, 0)


async def test_two_engines_on_one_database_deliver_each_event_once(
    sessionmaker: Sessions, database_url: str
) -> None:
    second_db = engine_for_url(database_url)
    await migrate.upgrade(second_db)
    sent: Counter[tuple[int, str]] = Counter()

    async def slow(channel_id: int, message: NotificationMessage) -> None:
        await asyncio.sleep(0.005)

    async with world(sessionmaker) as w:
        refs = [TitleRef(MediaType.MOVIE, 9_000_200 + n) for n in range(4)]
        for ref in refs:
            w.dated_film(ref, title=f"Film {ref.tmdb_id}")
        guilds = [GUILD + (n << 22) for n in range(12)]
        for n, guild_id in enumerate(guilds):
            await w.guild(guild_id, notification_channel_id=CHANNEL + n)
            for ref in refs:
                await w.subscribe(ref, guild_id)
        one = w.engine(sender=RecordingSender(before_send=slow))
        two = UpdateEngine(
            create_sessionmaker(second_db),
            TMDBTitleSource(w.client),
            RecordingSender(before_send=slow),
            w.settings,
            now=w.clock,
        )
        try:
            reports = await asyncio.gather(one.run_cycle(), two.run_cycle())
        finally:
            await second_db.dispose()
        for engine_sender in (one, two):
            for message in engine_sender._deliverer._sender.sent:  # type: ignore[attr-defined]
                for title in message.titles:
                    sent[(message.channel_id, title)] += 1

    assert len(sent) == len(guilds) * len(refs)
    assert set(sent.values()) == {1}
    assert sum(r.delivered for r in reports) == len(guilds) * len(refs)
    assert {row.status for row in await w.ledger()} == {"delivered"}


async def test_catch_up_delivers_open_windows_and_records_closed_ones_as_missed(
    sessionmaker: Sessions,
) -> None:
    async with world(sessionmaker) as w:
        w.dated_film(on=2, status="Post Production")
        w.show(status="Returning Series")
        w.catalogue.set_last_episode(SHOW.tmdb_id, day(-20), season=1, episode=3)
        await w.follow(FILM)
        await w.subscribe(SHOW)
        engine = w.engine()
        await engine.run_cycle()
        before_downtime = w.sender.titles()
        # FilmBot is down for four days; meanwhile an episode airs and its window closes.
        w.catalogue.set_last_episode(SHOW.tmdb_id, day(1), season=1, episode=4)
        w.catalogue.mark_changed("tv", SHOW.tmdb_id, w.clock() + timedelta(days=1))
        w.clock.advance(days=4)
        report = await engine.run_cycle()

    assert before_downtime == ["The Film comes out in US on 2026-03-12"]
    assert w.sender.titles()[1:] == ["The Film is out in US"]
    statuses = await w.statuses()
    assert statuses[("episode_aired", "S01E04")] == "missed"
    assert statuses[("release", "release:US:2026-03-12")] == "delivered"
    assert report.missed == 1


async def test_concurrent_claims_from_separate_engines_never_share_a_row(
    sessionmaker: Sessions, database_url: str
) -> None:
    async with world(sessionmaker) as w:
        await w.guild()
        now = w.clock()
        await w.record(pending_entries(GUILD, FILM, 40, now))
    engines = [engine_for_url(database_url) for _ in range(4)]

    async def claim(n: int) -> list[int]:
        async with create_sessionmaker(engines[n]).begin() as session:
            claimed = await LedgerRepository(session).claim(
                [GUILD], f"engine-{n}", now, now + DEFAULT_LEASE
            )
        return [row.id for rows in claimed.values() for row in rows]

    try:
        results = await asyncio.gather(*(claim(n) for n in range(4)))
    finally:
        for engine in engines:
            await engine.dispose()

    claimed_ids = [i for ids in results for i in ids]
    assert len(claimed_ids) == 40
    assert len(set(claimed_ids)) == 40, "a row was claimed by two engines"
