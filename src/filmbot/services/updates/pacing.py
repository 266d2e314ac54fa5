"""Long loops on the event loop hand it back every few milliseconds.

`Pacer` paces one task's loop. `TurnBudget` paces many tasks together: asyncio runs every
callback that is ready in one turn of the loop before it looks at timers and sockets again,
so 32 fetch workers whose answers arrive together would each do their work in the same
turn, a stall of 32 titles' worth however short each one is. Tasks sharing a budget stop
once the turn has used it up and go on in a later turn, after what else was waiting.
"""

from __future__ import annotations

import asyncio
import time

SLICE_SECONDS = 0.005
TURN_SECONDS = 0.01


class Pacer:
    """Yield to other tasks once `slice_seconds` of work have passed since the last yield."""

    def __init__(self, slice_seconds: float = SLICE_SECONDS) -> None:
        self._slice = slice_seconds
        self._since = time.perf_counter()

    async def tick(self) -> None:
        """Yield if this slice is used up."""
        if time.perf_counter() - self._since >= self._slice:
            await asyncio.sleep(0)
            self._since = time.perf_counter()


class TurnBudget:
    """At most about `seconds` of work per turn of the event loop, shared by many tasks."""

    def __init__(self, seconds: float = TURN_SECONDS) -> None:
        self._seconds = seconds
        self._since: float | None = time.perf_counter()
        self._closed: asyncio.Event | None = None

    async def tick(self) -> None:
        """Return at once while the turn's budget lasts; otherwise wait for a later turn.

        The budget closes when used up and reopens in the next turn; the tasks that found
        it closed go on in the turn after that, with a fresh budget timed from the first
        of them, so at least one unit of work is done in every turn.
        """
        while True:
            if self._closed is not None:
                await self._closed.wait()
                continue
            now = time.perf_counter()
            if self._since is None:
                self._since = now  # the first work of this turn: always admitted
                return
            if now - self._since < self._seconds:
                return
            self._closed = asyncio.Event()
            asyncio.get_running_loop().call_soon(self._reopen)

    def _reopen(self) -> None:
        closed, self._closed = self._closed, None
        self._since = None
        if closed is not None:
            closed.set()
