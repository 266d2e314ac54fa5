"""What the movie-night tests read off the fake Discord: polls, announcements, start times."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from tests.fakes.discord_records import CHANNEL_MESSAGE, Record
from tests.fakes.discord_server import FakeDiscord


def polls(fake: FakeDiscord) -> list[Record]:
    """The messages posted with a poll."""
    return fake.recorder.find(lambda r: r.kind == CHANNEL_MESSAGE and "poll" in r.body)


def announcements(fake: FakeDiscord) -> list[Record]:
    """The winners' announcements posted."""
    return fake.recorder.find(
        lambda r: r.kind == CHANNEL_MESSAGE and "🍿" in (r.body.get("content") or "")
    )


async def wait_announced(fake: FakeDiscord, timeout: float = 10.0) -> Record:
    """The first announcement, once it is posted."""
    return await fake.recorder.wait_for(
        lambda r: r.kind == CHANNEL_MESSAGE and "🍿" in (r.body.get("content") or ""),
        timeout=timeout,
    )


def answers(poll: Record) -> list[str]:
    """The poll's answers as posted."""
    return [a["poll_media"]["text"] for a in poll.body["poll"]["answers"]]


def local(days: int = 3) -> str:
    """A start time `days` from now, as /movienight's starts_at takes it (the server is UTC)."""
    return (datetime.now(UTC) + timedelta(days=days)).strftime("%Y-%m-%d %H:%M")


async def until(check: Callable[[], bool | Awaitable[bool]], what: str, tries: int = 200) -> None:
    """Wait (50 ms a try) until ``check`` holds; fail naming ``what`` when it never does."""
    for _ in range(tries):
        held = check()
        if await held if inspect.isawaitable(held) else held:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{what} never happened")
