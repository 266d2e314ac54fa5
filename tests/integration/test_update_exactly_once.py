"""Each notification is sent once: across crashes, restarts, concurrent engines and downtime."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from datetime import datetime, timedelta

import pytest

from filmbot.db import migrate
from filmbot.db.repositories.ledger import LedgerRepository
from filmbot.db.session import create_sessionmaker, engine_for_url
from filmbot.domain.models import MediaType, TitleRef
from filmbot.services.notifications import NotificationMessage
from filmbot.services.updates import TMDBTitleSource, UpdateEngine
from filmbot.services.updates.sending import DEFAULT_LEASE
from tests.integration.test_update_support import (
    CHANNEL,
    FILM,
    GUILD,
    NOW,
    SHOW,
    RecordingSender,
    Sessions,
    day,
    world,
)
from tests.update_builders import pending_entries

SHORT_LEASE = timedelta(seconds=0.2)
PAST_THE_LEASE = {"seconds": 1}


class RunningClock:
    """NOW plus the real time elapsed since the clock was made (leases end for real)."""

    def __init__(self) -> None:
        self._start = time.monotonic()

    def __call__(self) -> datetime:
        return NOW + timedelta(seconds=time.monotonic() - self._start)


def noting(nonces: list[str | None]) -> RecordingSender:
    """A recording sender that also notes the nonce of every message it is given."""

    async def note(channel_id: int, message: NotificationMessage) -> None:
        nonces.append(message.nonce)

    return RecordingSender(before_send=note)


async def test_message_in_flight_at_a_crash_is_resent_once_after_the_lease_same_nonce(
    sessionmaker: Sessions,
) -> None:
    nonces: list[str | None] = []
    async with world(sessionmaker) as w:
        w.dated_film()
        await w.follow(FILM)
        sender = noting(nonces)
        sender.fail_next.append(RuntimeError("process died mid-send"))
        engine = w.engine(sender=sender, lease=SHORT_LEASE)
        crashed = await engine.run_cycle()
        statuses_after_crash = await w.statuses()
        await engine.run_cycle()
        sent_within_lease = len(sender.sent)
        w.clock.advance(**PAST_THE_LEASE)
        retried = await engine.run_cycle()
        w.clock.advance(hours=6)
        await engine.run_cycle()

    assert crashed.delivered == 0
    assert list(statuses_after_crash.values()) == ["pending"]
    assert sent_within_lease == 0
    assert retried.delivered == 1
    assert sender.titles() == ["The Film is out in US"]
    assert list((await w.statuses()).values()) == ["delivered"]
    assert len(nonces) == 2 and nonces[0] == nonces[1]
    assert nonces[0] is not None and len(nonces[0]) <= 25


async def test_a_crash_holds_back_only_the_message_in_flight_which_is_resent_as_it_was(
    sessionmaker: Sessions,
) -> None:
    nonces: list[str | None] = []
    refs = [TitleRef(MediaType.MOVIE, 9_000_400 + n) for n in range(13)]
    async with world(sessionmaker) as w:
        await w.guild()
        for ref in refs[:12]:
            w.dated_film(ref, title=f"Film {ref.tmdb_id}")
            await w.subscribe(ref)
        sender = noting(nonces)
        sender.fail_next.append(RuntimeError("process died mid-send"))
        engine = w.engine(sender=sender, lease=SHORT_LEASE)
        await engine.run_cycle()
        claimed_after_crash = [row.claimed_by is not None for row in await w.ledger()]
        # A new event arrives before the crashed message's lease ends.
        w.dated_film(refs[12], title=f"Film {refs[12].tmdb_id}")
        await w.subscribe(refs[12])
        within_lease = await engine.run_cycle()
        w.clock.advance(**PAST_THE_LEASE)
        await engine.run_cycle()

    assert claimed_after_crash.count(True) == 10, "only the message in flight was claimed"
    assert within_lease.delivered == 3, "the rest did not wait for the crashed message's lease"
    assert [len(sent.message.embeds) for sent in sender.sent] == [3, 10]
    assert nonces[0] == nonces[-1], "the crashed message was resent with another nonce"
    assert nonces[1] != nonces[0]
    assert {row.status for row in await w.ledger()} == {"delivered"}


async def test_rows_held_by_an_earlier_runs_lease_are_logged_and_retried_when_it_ends(
    sessionmaker: Sessions, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="filmbot.services.updates.delivery")
    clock = RunningClock()
    async with world(sessionmaker) as w:
        w.dated_film()
        await w.follow(FILM)
        w.sender.fail_next.append(RuntimeError("process died mid-send"))
        await w.engine(now=clock, lease=SHORT_LEASE).run_cycle()
        restarted = await w.engine(now=clock, lease=SHORT_LEASE).run_cycle()

    held = [r.getMessage() for r in caplog.records if "held back by the lease" in r.getMessage()]
    assert restarted.delivered == 1
    assert w.sender.titles() == ["The Film is out in US"]
    assert len(held) == 1 and held[0].startswith("1 update notifications for 1 servers")
    assert "retrying them then" in held[0]


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

        doomed = w.engine(sender=RecordingSender(before_send=hang), lease=SHORT_LEASE)
        task = asyncio.create_task(doomed.run_cycle())
        await claimed.wait()
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            pass
        else:
            raise AssertionError("the cancelled cycle finished")
        restarted = w.engine(lease=SHORT_LEASE)
        await restarted.run_cycle()
        within_lease = list(w.sender.sent)
        w.clock.advance(**PAST_THE_LEASE)
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
        one = w.engine(sender=RecordingSender(before_send=slow), lease=SHORT_LEASE)
        two = UpdateEngine(
            create_sessionmaker(second_db),
            TMDBTitleSource(w.client),
            RecordingSender(before_send=slow),
            w.settings,
            now=w.clock,
            lease=SHORT_LEASE,
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
        """Read the pending rows, then claim them ten at a time, as a delivery pass does."""
        sessions = create_sessionmaker(engines[n])
        async with sessions() as session:
            pending = await LedgerRepository(session).pending_for([GUILD], now)
        ids = [row.delivery.id for row in pending]
        won: list[int] = []
        for start in range(0, len(ids), 10):
            async with sessions.begin() as session:
                won += await LedgerRepository(session).claim(
                    ids[start : start + 10], None, f"engine-{n}", now, now + DEFAULT_LEASE
                )
        return won

    try:
        results = await asyncio.gather(*(claim(n) for n in range(4)))
    finally:
        for engine in engines:
            await engine.dispose()

    claimed_ids = [i for ids in results for i in ids]
    assert len(claimed_ids) == 40
    assert len(set(claimed_ids)) == 40, "a row was claimed by two engines"
