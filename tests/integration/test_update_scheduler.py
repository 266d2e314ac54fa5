"""The update loop runs cycles in turn, survives failures, stops gracefully, never hides cancels."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from filmbot.services.updates import CycleReport, UpdateScheduler
from filmbot.services.updates.grouping import DeliveryTally
from tests.integration.test_update_support import FILM, NOW, Clock, Sessions, world


@dataclass
class ScriptedEngine:
    """Stands in for UpdateEngine: each cycle runs the next scripted step."""

    steps: list[str] = field(default_factory=list)
    last: CycleReport | None = None
    stopping: asyncio.Event = field(default_factory=asyncio.Event)
    ran: int = 0
    concurrent: int = 0
    most_concurrent: int = 0
    cancelled: bool = False
    finished_sending: bool = False
    started: asyncio.Event = field(default_factory=asyncio.Event)
    enough: asyncio.Event = field(default_factory=asyncio.Event)

    def request_stop(self) -> None:
        self.stopping.set()

    async def last_cycle(self) -> CycleReport | None:
        return self.last

    async def deliver_pending(self) -> DeliveryTally:
        return DeliveryTally()

    async def run_cycle(self) -> None:
        self.ran += 1
        self.concurrent += 1
        self.most_concurrent = max(self.most_concurrent, self.concurrent)
        self.started.set()
        step = self.steps.pop(0) if self.steps else "ok"
        try:
            await self._step(step)
        except asyncio.CancelledError:
            self.cancelled = True
            raise
        finally:
            self.concurrent -= 1
            if not self.steps:
                self.enough.set()

    async def _step(self, step: str) -> None:
        if step == "fail":
            raise RuntimeError("TMDB exploded")
        if step == "send-until-stopped":
            await self.stopping.wait()
            self.finished_sending = True
        if step == "hang":
            await asyncio.Event().wait()
        await asyncio.sleep(0)


def scheduler(engine: ScriptedEngine, **options: float) -> UpdateScheduler:
    return UpdateScheduler(engine, timedelta(seconds=0), Clock(), **options)  # type: ignore[arg-type]


async def test_failing_cycle_is_logged_and_the_loop_keeps_running(
    caplog: pytest.LogCaptureFixture,
) -> None:
    engine = ScriptedEngine(steps=["fail", "ok", "ok"])
    loop = scheduler(engine)
    loop.start()
    await engine.enough.wait()
    await loop.stop()

    assert engine.ran >= 3
    assert engine.most_concurrent == 1
    assert "Update cycle failed" in caplog.text


async def test_an_outage_logs_the_traceback_once_then_one_line_per_failed_cycle(
    caplog: pytest.LogCaptureFixture,
) -> None:
    engine = ScriptedEngine(steps=["fail", "fail", "fail", "ok"])
    loop = scheduler(engine)
    with caplog.at_level(logging.INFO, logger="filmbot.services.updates.scheduler"):
        loop.start()
        await engine.enough.wait()
        await loop.stop()

    failures = [r for r in caplog.records if r.getMessage().startswith("Update cycle failed")]
    assert len(failures) == 3 and all(r.levelno == logging.WARNING for r in failures)
    assert [r.exc_info is not None for r in failures] == [True, False, False]
    assert "RuntimeError: TMDB exploded" in failures[2].getMessage()
    assert "Update cycles work again after 3 failed" in caplog.text
    assert loop.failed_in_a_row == 0


async def test_stop_lets_the_cycle_in_flight_finish_its_sends() -> None:
    engine = ScriptedEngine(steps=["send-until-stopped"])
    loop = scheduler(engine)
    loop.start()
    await engine.started.wait()
    await loop.stop()

    assert engine.finished_sending and not engine.cancelled
    assert engine.ran == 1
    assert not loop.running


async def test_stop_cancels_a_cycle_that_overruns_the_bound_and_the_cancel_propagates() -> None:
    engine = ScriptedEngine(steps=["hang"])
    loop = scheduler(engine, stop_timeout=0.05)
    loop.start()
    await engine.started.wait()
    task = loop._task
    await loop.stop()

    assert engine.cancelled
    assert task is not None and task.cancelled()


async def test_first_cycle_waits_for_the_rest_of_the_stored_interval() -> None:
    report = CycleReport("all", NOW - timedelta(hours=1), NOW - timedelta(hours=1))
    engine = ScriptedEngine(last=report)
    loop = UpdateScheduler(engine, timedelta(hours=6), Clock())  # type: ignore[arg-type]

    assert await loop._first_delay() == timedelta(hours=5).total_seconds()
    engine.last = CycleReport("all", NOW - timedelta(days=2), NOW - timedelta(days=2))
    assert await loop._first_delay() == 0.0


async def test_engine_runs_concurrent_cycle_requests_one_after_the_other(
    sessionmaker: Sessions,
) -> None:
    async with world(sessionmaker) as w:
        w.dated_film()
        await w.follow(FILM)
        engine = w.engine()
        first, second = await asyncio.gather(engine.run_cycle(), engine.run_cycle())
        last = await engine.last_cycle()

    assert sorted([first.delivered, second.delivered]) == [0, 1]
    # Overlapping cycles would both be cold and both fetch the title.
    assert w.fake.count(f"/movie/{FILM.tmdb_id}") == 1
    assert last is not None and last.titles == 1


async def test_start_sends_what_a_crashed_run_left_in_flight_before_the_first_cycle_is_due(
    sessionmaker: Sessions,
) -> None:
    lease = timedelta(seconds=0.2)
    async with world(sessionmaker) as w:
        w.dated_film()
        await w.follow(FILM)
        w.sender.fail_next.append(RuntimeError("process died mid-send"))
        await w.engine(lease=lease).run_cycle()
        w.clock.advance(seconds=1)
        engine = w.engine(lease=lease)
        loop = UpdateScheduler(engine, timedelta(hours=6), w.clock)
        loop.start()
        try:
            for _ in range(200):
                if w.sender.sent:
                    break
                await asyncio.sleep(0.02)
        finally:
            await loop.stop()

    assert w.sender.titles() == ["The Film is out in US"]
    assert loop.cycles == 0, "the first cycle was not due yet"
    assert list((await w.statuses()).values()) == ["delivered"]
