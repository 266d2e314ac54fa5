"""Run the update engine every UPDATE_INTERVAL_HOURS, never overlapping, stopping gracefully.

The first cycle after a start comes when the last stored cycle's interval is up (at once
after downtime longer than the interval), so restarts neither skip nor add cycles; until
then, a delivery pass sends what the previous run left pending (its messages in flight are
resent inside Discord's nonce window). A
failing cycle is logged and the loop goes on; cancellation is never swallowed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from datetime import timedelta

from filmbot.domain.clock import Clock
from filmbot.services.updates.engine import UpdateEngine

log = logging.getLogger(__name__)

DEFAULT_STOP_TIMEOUT = 60.0


class UpdateScheduler:
    """The background loop around an `UpdateEngine`."""

    def __init__(
        self,
        engine: UpdateEngine,
        interval: timedelta,
        now: Clock,
        *,
        stop_timeout: float = DEFAULT_STOP_TIMEOUT,
    ) -> None:
        self.engine = engine
        self.interval = interval
        self.stop_timeout = stop_timeout
        self.cycles = 0
        self.failed_in_a_row = 0
        self._now = now
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        """Whether the loop is running."""
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        """Start the loop (once; later calls do nothing while it runs)."""
        if self.running:
            return
        self._stop.clear()
        self.engine.stopping.clear()
        self._task = asyncio.create_task(self._loop(), name="filmbot-update-loop")

    async def stop(self) -> None:
        """Start no new cycle, let one in flight finish its sends within the bound, then end."""
        task = self._task
        if task is None:
            return
        self._stop.set()
        self.engine.request_stop()
        done, _ = await asyncio.wait({task}, timeout=self.stop_timeout)
        if not done:
            log.warning("Update cycle still running after %.0fs; cancelling it", self.stop_timeout)
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._task = None

    async def _loop(self) -> None:
        delay = await self._first_delay()
        if delay > 0:
            await self._deliver_left_over()
            delay = await self._first_delay()
        while not await self._sleep(delay):
            began = time.monotonic()
            await self._run_once()
            self.cycles += 1
            delay = max(0.0, self.interval.total_seconds() - (time.monotonic() - began))

    async def _run_once(self) -> None:
        """Run one cycle; log a failure and carry on.

        An outage fails cycle after cycle: the first failure is logged with its traceback,
        the following ones with one WARNING line each, and the recovery once.
        """
        try:
            await self.engine.run_cycle()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self.failed_in_a_row += 1
            log.warning(
                "Update cycle failed (%s); the next one runs in %s",
                _reason(exc),
                self.interval,
                exc_info=exc if self.failed_in_a_row == 1 else None,
            )
            return
        if self.failed_in_a_row:
            log.info("Update cycles work again after %s failed", self.failed_in_a_row)
            self.failed_in_a_row = 0

    async def _deliver_left_over(self) -> None:
        """Before waiting for the first cycle, send what a previous run left (in flight)."""
        try:
            tally = await self.engine.deliver_pending()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("Delivering the updates left by the previous run failed")
            return
        if tally.delivered or tally.failed:
            log.info(
                "Delivered %s update notifications left by the previous run (%s failed)",
                tally.delivered,
                tally.failed,
            )

    async def _first_delay(self) -> float:
        """Return seconds until the first cycle is due, judging the last stored cycle."""
        try:
            last = await self.engine.last_cycle()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("Could not read the last update cycle; running one now")
            return 0.0
        if last is None:
            return 0.0
        due = last.started_at + self.interval
        return max(0.0, (due - self._now()).total_seconds())

    async def _sleep(self, seconds: float) -> bool:
        """Wait `seconds` or until stopped; return True when stopped."""
        if self._stop.is_set():
            return True
        try:
            await asyncio.wait_for(self._stop.wait(), timeout=seconds)
        except TimeoutError:
            return self._stop.is_set()
        return True


def _reason(exc: Exception) -> str:
    """One line naming what failed, e.g. 'DatabaseUnavailableError: cannot connect: ...'."""
    text = " ".join(str(exc).split()) or "no detail"
    return f"{type(exc).__name__}: {text[:300]}"
