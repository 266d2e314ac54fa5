"""Concurrent calls gathered into one database round: what arrives during a round joins the next."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")
R = TypeVar("R")


class _Round(Generic[K, V, R]):
    """The items waiting for the next round, and the future their callers await."""

    __slots__ = ("done", "items")

    def __init__(self) -> None:
        self.items: dict[K, V] = {}
        self.done: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        # Retrieve the outcome even if every caller stopped waiting meanwhile.
        self.done.add_done_callback(lambda f: f.cancelled() or f.exception())


class Grouped(Generic[K, V, R]):
    """Run `work` over the items of every call that arrived since the last round started.

    The first call starts a round at once (after one turn of the event loop, so calls
    issued together share it); calls arriving while a round runs wait for the next, which
    takes them all. Each call returns the outcome of the round that carried its item, or
    raises its exception. For one key, the item of the latest call wins, unless `merge`
    combines the waiting item with the new one. A caller that stops waiting does not cancel
    the round: the other callers' items still go through. A round ended by cancellation,
    KeyboardInterrupt or SystemExit cancels its callers, and the exception goes on.
    """

    def __init__(
        self,
        work: Callable[[dict[K, V]], Awaitable[R]],
        merge: Callable[[V, V], V] | None = None,
    ) -> None:
        self._work = work
        self._merge = merge
        self._next: _Round[K, V, R] | None = None
        self._runner: asyncio.Task[None] | None = None

    async def __call__(self, key: K, item: V) -> R:
        """Add the item to the next round and return that round's outcome."""
        if self._runner is not None and self._runner.get_loop() is not asyncio.get_running_loop():
            self._runner, self._next = None, None  # left behind by an event loop now gone
        waiting = self._next
        if waiting is None:
            waiting = self._next = _Round()
        if self._merge is not None and key in waiting.items:
            item = self._merge(waiting.items[key], item)
        waiting.items[key] = item
        if self._runner is None:
            self._runner = asyncio.create_task(self._run())
        return await asyncio.shield(waiting.done)

    async def _run(self) -> None:
        runner = asyncio.current_task()
        try:
            while self._next is not None:
                await asyncio.sleep(0)
                current, self._next = self._next, None
                await self._settle(current)
        finally:
            if self._runner is runner:  # not replaced by a runner on a newer event loop
                self._runner = None
                if self._next is not None:  # cancelled with calls waiting: nobody runs them
                    self._next.done.cancel()
                    self._next = None

    async def _settle(self, current: _Round[K, V, R]) -> None:
        try:
            outcome = await self._work(current.items)
        except Exception as exc:
            current.done.set_exception(exc)
        except GeneratorExit:  # closed, never to resume: its event loop is gone
            raise
        except BaseException as exc:
            # Cancelled, or KeyboardInterrupt/SystemExit: the round's callers are cancelled
            # (handing them the exception would end the event loop's run once per caller).
            current.done.cancel(f"the round ended in {type(exc).__name__}")
            raise
        else:
            current.done.set_result(outcome)
