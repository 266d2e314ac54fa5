"""Concurrent calls gathered into rounds (the TMDB cache's database reads and writes use it)."""

from __future__ import annotations

import asyncio
import contextlib

from filmbot.db.grouped import Grouped


class Recorder:
    """Work that records each round's items and can be held back."""

    def __init__(self) -> None:
        self.rounds: list[dict[str, int]] = []
        self.release = asyncio.Event()
        self.release.set()

    async def __call__(self, items: dict[str, int]) -> dict[str, int]:
        self.rounds.append(dict(items))
        await self.release.wait()
        return {key: value * 10 for key, value in items.items()}


async def test_calls_arriving_while_a_round_runs_share_the_next_round() -> None:
    work = Recorder()
    grouped = Grouped(work)
    work.release.clear()
    first = asyncio.create_task(grouped("a", 1))
    while not work.rounds:
        await asyncio.sleep(0)
    later = [asyncio.create_task(grouped(key, n)) for n, key in enumerate("bcb", start=2)]
    await asyncio.sleep(0)
    work.release.set()
    outcomes = [await first, *[await task for task in later]]
    assert work.rounds == [{"a": 1}, {"b": 4, "c": 3}]
    assert outcomes == [{"a": 10}, *[{"b": 40, "c": 30}] * 3]


def test_a_round_left_pending_by_a_closed_event_loop_does_not_block_the_next_loop() -> None:
    work = Recorder()
    grouped = Grouped(work)

    async def abandoned() -> None:
        work.release.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(grouped("a", 1), 0.01)

    loop = asyncio.new_event_loop()
    loop.run_until_complete(abandoned())
    loop.close()  # its runner task never finished

    async def again() -> dict[str, int]:
        work.release = asyncio.Event()
        work.release.set()
        return await asyncio.wait_for(grouped("b", 2), 5)

    assert asyncio.run(again()) == {"b": 20}
