"""One long loop on the event loop: without ticks it stalls throughout, with ticks it yields.

The control case for `TurnBudget` (see also test_updates_pacing.py, many tasks sharing one
budget): a loop that never awaits does all its work in one turn of the event loop, however
long; the same loop ticking a budget spreads it over turns of at most the budget each.
Work is counted in units of a known minimum length, so the bound holds on a loaded machine.
"""

from __future__ import annotations

import asyncio
import time

from filmbot.services.updates.pacing import TurnBudget

UNIT = 0.003
UNITS = 20
BUDGET = 0.01


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


async def _units_per_turn(budget: TurnBudget | None) -> list[int]:
    """Run one loop of UNITS units; return how many units each turn it ran in did."""
    turns = Turns()
    seen: list[int] = []
    for _ in range(UNITS):
        if budget is not None:
            await budget.tick()
        _busy(UNIT)
        seen.append(turns.count)
    turns.stop()
    return [seen.count(turn) for turn in sorted(set(seen))]


async def test_a_loop_without_ticks_does_all_its_work_in_one_turn() -> None:
    assert await _units_per_turn(None) == [UNITS]


async def test_the_same_loop_ticking_a_budget_yields_each_time_the_budget_is_spent() -> None:
    per_turn = await _units_per_turn(TurnBudget(BUDGET))

    assert sum(per_turn) == UNITS
    # A unit is admitted while less than the budget has passed since the turn's first:
    # at most 10 ms / 3 ms rounded up, plus the first.
    assert max(per_turn) <= 5
