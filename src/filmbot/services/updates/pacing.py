"""Long loops on the event loop hand it back every few milliseconds."""

from __future__ import annotations

import asyncio
import time

SLICE_SECONDS = 0.005


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
