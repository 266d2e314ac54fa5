"""Where the event loop stalls: a watchdog thread samples the loop thread's stack.

While active, a thread wakes every few milliseconds; when the loop has not ticked for longer
than `threshold`, it takes the loop thread's Python stack (FilmBot's frames and the innermost
ones). At the end the stacks are printed with how often each was sampled and the longest
stall each was seen in, followed by the slowest single callbacks (`SlowCallbacks`).
"""

from __future__ import annotations

import asyncio
import sys
import threading
import time
import traceback
from collections import Counter
from typing import Any


class StallSampler:
    """Record the loop thread's stack during stalls longer than `threshold` seconds."""

    def __init__(self, threshold: float = 0.03, every: float = 0.005, depth: int = 12) -> None:
        self.threshold, self.every, self.depth = threshold, every, depth
        self.tick = time.perf_counter()
        self.stacks: Counter[str] = Counter()
        self.longest: dict[str, float] = {}
        self._loop_thread = threading.get_ident()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def beat(self) -> None:
        """Called by the loop's probe on every tick."""
        self.tick = time.perf_counter()

    def start(self) -> None:
        self.beat()
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _watch(self) -> None:
        while not self._stop.wait(self.every):
            tick = self.tick
            blocked = time.perf_counter() - tick
            if blocked < self.threshold:
                continue
            frame = sys._current_frames().get(self._loop_thread)
            if frame is None:
                continue
            key = _stack_key(frame, self.depth)
            self.stacks[key] += 1
            self.longest[key] = max(self.longest.get(key, 0.0), blocked)

    def report(self, top: int = 8) -> str:
        out = [f"-- stalls over {self.threshold * 1000:.0f} ms: {sum(self.stacks.values())}"]
        ranked = sorted(self.stacks, key=lambda k: -self.longest[k])[:top]
        for key in ranked:
            out.append(f"{self.stacks[key]} x, longest {self.longest[key] * 1000:.0f} ms:")
            out.append(key)
        return "\n".join(out)


class SlowCallbacks:
    """Time every event-loop callback while active; keep the slowest with where they ran.

    Each callback's wall and loop-thread CPU time are taken around `Handle._run`; one whose
    wall time exceeds `threshold` is recorded with the task step it resumed and where it
    suspended next, so that a stall is traced to one callback (or to many short ones).
    """

    def __init__(self, threshold: float = 0.02) -> None:
        self.threshold = threshold
        self.slow: list[tuple[float, float, str, str]] = []
        self._original = asyncio.events.Handle._run

    def __enter__(self) -> SlowCallbacks:
        original, slow, threshold = self._original, self.slow, self.threshold

        def timed(handle: asyncio.events.Handle) -> None:
            before = _where(handle)
            started, cpu = time.perf_counter(), time.thread_time()
            original(handle)
            wall = time.perf_counter() - started
            if wall > threshold:
                slow.append((wall, time.thread_time() - cpu, before, _where(handle)))

        asyncio.events.Handle._run = timed  # type: ignore[method-assign]
        return self

    def __exit__(self, *exc: object) -> None:
        asyncio.events.Handle._run = self._original  # type: ignore[method-assign]

    def report(self, top: int = 12) -> str:
        out = [f"-- callbacks over {self.threshold * 1000:.0f} ms: {len(self.slow)}"]
        for wall, cpu, before, after in sorted(self.slow, reverse=True)[:top]:
            out.append(f"{wall * 1000:.0f} ms (cpu {cpu * 1000:.0f}): {before} -> {after}")
        return "\n".join(out)


def _where(handle: asyncio.events.Handle) -> str:
    """The coroutine frame a task step resumes at (or the callback's name)."""
    callback = getattr(handle, "_callback", None)
    task = getattr(callback, "__self__", None)
    if isinstance(task, asyncio.Task):
        coro: Any = task.get_coro()
        frames = []
        while coro is not None and getattr(coro, "cr_frame", None) is not None:
            frame = coro.cr_frame
            frames.append(f"{frame.f_code.co_name}:{frame.f_lineno}")
            coro = coro.cr_await
        return " > ".join(frames[-4:]) or repr(task)
    return getattr(callback, "__qualname__", repr(callback))


def _stack_key(frame: Any, depth: int) -> str:
    """FilmBot's frames of the stack, then the innermost `depth` frames of any code."""
    entries = traceback.extract_stack(frame)
    own = [e for e in entries[:-depth] if "/filmbot/" in e.filename]
    shown = own + entries[-depth:]
    return "".join(f"  {e.filename.rsplit('/', 2)[-1]}:{e.lineno} {e.name}\n" for e in shown)
