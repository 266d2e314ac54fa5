"""The turn budget spreads work over turns of the event loop.

Two shapes: many tasks that each await between units and share one budget, and one long
loop that never awaits of its own accord (without ticks it does all its work in one turn,
however long). Work is counted in units of a known minimum length, so the bounds hold on a
loaded machine.
"""

from __future__ import annotations

import asyncio
import time

from filmbot.services.updates.pacing import TurnBudget

UNIT = 0.003


def _busy(seconds: float) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass


class Turns:
    """Count the event loop's turns with a callback that runs once in each."""

    def __init__(self) -> None:
        self.count = 0
        self._loop = asyncio.get_running_loop()
        self._handle = self._loop.call_soon(self._next)

    def _next(self) -> None:
        self.count += 1
        self._handle = self._loop.call_soon(self._next)

    def stop(self) -> None:
        self._handle.cancel()


async def _units_per_turn(
    budget: TurnBudget | None, workers: int, units: int, *, awaits: bool = True
) -> list[int]:
    """Run the workers; return how many units each turn they ran in did."""
    turns = Turns()
    seen: list[int] = []

    async def worker() -> None:
        for _ in range(units):
            if budget is not None:
                await budget.tick()
            _busy(UNIT)
            seen.append(turns.count)
            if awaits:
                await asyncio.sleep(0)

    await asyncio.gather(*(worker() for _ in range(workers)))
    turns.stop()
    return [seen.count(turn) for turn in sorted(set(seen))]


async def test_without_a_budget_every_ready_task_works_in_the_same_turn() -> None:
    per_turn = await _units_per_turn(None, workers=20, units=2)

    assert max(per_turn) == 20


async def test_a_budget_bounds_the_work_done_in_one_turn_and_all_of_it_gets_done() -> None:
    per_turn = await _units_per_turn(TurnBudget(0.01), workers=20, units=2)

    assert sum(per_turn) == 40
    # 10 ms of budget admits at most four 3 ms units, and one more that began in time.
    assert max(per_turn) <= 5


async def test_one_loop_that_never_awaits_does_all_its_work_in_one_turn() -> None:
    assert await _units_per_turn(None, workers=1, units=20, awaits=False) == [20]


async def test_the_same_loop_ticking_a_budget_yields_each_time_the_budget_is_spent() -> None:
    per_turn = await _units_per_turn(TurnBudget(0.01), workers=1, units=20, awaits=False)

    assert sum(per_turn) == 20
    # A unit is admitted while less than the budget has passed since the turn's first:
    # at most 10 ms / 3 ms rounded up, plus the first.
    assert max(per_turn) <= 5
