"""`filmbot check-updates --once` killed with SIGKILL mid-delivery, again and again, loses and
duplicates nothing: per-message claims, short leases and Discord nonces (fake Discord).

The fakes run in this process; the bot runs as a subprocess on a shared SQLite file with a
one-second delivery lease. Each run is killed at a random moment after its first message
reached the fake Discord (the fake answers posts one at a time after a delay, so some kills
land between Discord storing a message and the bot marking it delivered); then a last run
finishes the backlog, retrying the killed run's messages once their lease has ended.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import insert, select

from filmbot.db import migrate
from filmbot.db.models import SubscriptionRow, UpdateDeliveryRow
from filmbot.db.repositories import GuildRepository
from filmbot.db.session import create_sessionmaker, engine_for_url
from filmbot.domain.models import MediaType, TitleRef
from tests.fakes.discord_records import CHANNEL_MESSAGE
from tests.fakes.discord_server import FakeDiscord
from tests.fakes.tmdb_server import FakeTMDB

GUILDS = 24
TITLES = 50  # 1,200 notifications in 120 messages of 10 embeds
KILLS = 20
MAX_RUNS = 60
POST_LATENCY = 0.04
KILL_WINDOW = 0.2
LEASE_SECONDS = "1"
FIRST_FILM = 9_500_000
WARM_CLI = (
    "import sys, aiosqlite, filmbot.cli, filmbot.cli_updates; sys.stdin.readline(); "
    "sys.exit(filmbot.cli.main(['check-updates', '--once']))"
)


async def test_sigkill_at_random_moments_during_delivery_loses_and_duplicates_nothing(
    tmp_path: Path, fake_discord: FakeDiscord
) -> None:
    channels = _guilds(fake_discord)
    refs = [TitleRef(MediaType.MOVIE, FIRST_FILM + n) for n in range(TITLES)]
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    await _seed(url, channels, refs)
    fake_discord.messages.post_latency = POST_LATENCY
    rng = random.Random(20260310)
    async with FakeTMDB() as tmdb:
        _films(tmdb, refs)
        runs = Runs(_env(fake_discord, tmdb, url, tmp_path), tmp_path, fake_discord)
        try:
            kills = 0
            for _ in range(MAX_RUNS):
                if kills >= KILLS:
                    break
                kills += await runs.run_and_kill(rng.uniform(0, KILL_WINDOW))
            finished = await runs.run_to_the_end()
        finally:
            await runs.close()
        statuses = await _statuses(url)

    posted = Counter(
        (record.channel_id, embed["title"])
        for record in fake_discord.recorder.of_kind(CHANNEL_MESSAGE)
        for embed in record.body["embeds"]
    )
    assert kills >= KILLS
    assert finished == 0
    assert len(posted) == GUILDS * TITLES, "some notifications were never posted"
    assert set(posted.values()) == {1}, "some notifications were posted twice"
    assert statuses == Counter({"delivered": GUILDS * TITLES})
    assert fake_discord.messages.nonce_reuses > 0, "no kill landed after Discord stored a post"


class Runs:
    """Start `filmbot check-updates --once` processes, each warmed up while the last one runs.

    A process imports FilmBot, then waits for a line on stdin before it calls the CLI's
    `main(["check-updates", "--once"])`, so that the test's wall time is not spent on
    interpreter start-ups.
    """

    def __init__(self, env: dict[str, str], cwd: Path, fake: FakeDiscord) -> None:
        self._env = env
        self._cwd = cwd
        self._fake = fake
        self._log = (cwd / "runs.log").open("ab")
        self._spare: asyncio.subprocess.Process | None = None

    async def run_and_kill(self, delay: float) -> int:
        """Start a run and SIGKILL it `delay` seconds after its first post; 1 if killed."""
        process = await self._go()
        started = _posts(self._fake)
        while process.returncode is None and _posts(self._fake) == started:
            await asyncio.sleep(0.002)
        await asyncio.sleep(delay)
        if process.returncode is not None:
            return 0
        process.send_signal(signal.SIGKILL)
        await process.wait()
        await _settled(self._fake)
        return 1

    async def run_to_the_end(self) -> int:
        """Start a run and return its exit code."""
        process = await self._go()
        return await asyncio.wait_for(process.wait(), 120)

    async def close(self) -> None:
        """Kill the idle spare process."""
        if self._spare is not None and self._spare.returncode is None:
            self._spare.kill()
            await self._spare.wait()
        self._log.close()

    async def _go(self) -> asyncio.subprocess.Process:
        process = self._spare or await self._start()
        self._spare = await self._start()
        assert process.stdin is not None
        process.stdin.write(b"go\n")
        await process.stdin.drain()
        return process

    async def _start(self) -> asyncio.subprocess.Process:
        return await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            WARM_CLI,
            cwd=self._cwd,
            env=self._env,
            stdin=asyncio.subprocess.PIPE,
            stdout=self._log,
            stderr=self._log,
        )


async def _settled(fake: FakeDiscord) -> None:
    """Wait until the fake has handled the posts the killed run left queued."""
    seen = -1
    while seen != _posts(fake):
        seen = _posts(fake)
        await asyncio.sleep(POST_LATENCY * 3)


def _posts(fake: FakeDiscord) -> int:
    """Count message posts the fake received, new ones and nonce resends alike."""
    return len(fake.recorder.of_kind(CHANNEL_MESSAGE)) + fake.messages.nonce_reuses


def _guilds(fake: FakeDiscord) -> dict[int, int]:
    """Add the servers to the fake; map each to its announcements channel."""
    channels: dict[int, int] = {}
    for n in range(GUILDS):
        guild = fake.add_guild(f"Club {n}")
        channels[guild.id] = guild.add_channel("announcements").id
    return channels


def _films(tmdb: FakeTMDB, refs: list[TitleRef]) -> None:
    today = datetime.now(UTC).date()
    for ref in refs:
        tmdb.catalogue.set_movie(ref.tmdb_id, title=f"Film {ref.tmdb_id}", status="Released")
        tmdb.catalogue.set_release_date(ref.tmdb_id, today, country="US")


def _env(fake: FakeDiscord, tmdb: FakeTMDB, url: str, tmp_path: Path) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "TMDB_", "DATABASE_"))
    }
    env.update(fake.settings_env())
    env.update(
        TMDB_BASE_URL=tmdb.base_url,
        TMDB_API_KEY=tmdb.api_key,
        TMDB_RATE_LIMIT="10000",
        TMDB_RATE_PERIOD="1",
        DATABASE_URL=url,
        LOG_DIR=str(tmp_path / "logs"),
        REDIS_ENABLED="false",
        DELIVERY_LEASE_SECONDS=LEASE_SECONDS,
    )
    return env


async def _seed(url: str, channels: dict[int, int], refs: list[TitleRef]) -> None:
    engine = engine_for_url(url)
    await migrate.upgrade(engine)
    async with create_sessionmaker(engine).begin() as session:
        guilds = GuildRepository(session)
        for guild_id, channel_id in channels.items():
            await guilds.ensure(guild_id, f"Club {guild_id}")
            await guilds.update(guild_id, notification_channel_id=channel_id)
        rows = [
            {
                "guild_id": guild_id,
                "media_type": ref.media_type,
                "tmdb_id": ref.tmdb_id,
                "title": f"Film {ref.tmdb_id}",
                "notify_release": True,
                "notify_update": True,
            }
            for guild_id in channels
            for ref in refs
        ]
        await session.execute(insert(SubscriptionRow), rows)
    await engine.dispose()


async def _statuses(url: str) -> Counter[str]:
    engine = engine_for_url(url)
    try:
        async with create_sessionmaker(engine)() as session:
            return Counter(await session.scalars(select(UpdateDeliveryRow.status)))
    finally:
        await engine.dispose()
