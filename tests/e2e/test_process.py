"""`filmbot run` as an admin starts it: clear start-up failures, clean shutdown on SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from tests.fakes.discord_server import FakeDiscord
from tests.fakes.tmdb_server import FakeTMDB

REVIEW = "A private opinion about dreams within dreams"
# discord.py warnings that say nothing about FilmBot (it has no voice; REST-only client).
DISCORD_NOISE = ("PyNaCl is not installed", "davey is not installed", "Guilds intent seems")


def _env(
    fake_discord: FakeDiscord, fake_tmdb: FakeTMDB, tmp_path: Path, **extra: str
) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "TMDB_", "DATABASE_"))
    }
    env.update(fake_discord.settings_env())
    env.update(
        TMDB_BASE_URL=fake_tmdb.base_url,
        TMDB_API_KEY=fake_tmdb.api_key,
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        LOG_DIR=str(tmp_path / "logs"),
        AUTO_UPDATE_ENABLED="false",
    )
    env.update(extra)
    return env


async def _start(env: dict[str, str], cwd: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "filmbot",
        "run",
        cwd=cwd,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def test_wrong_discord_token_exits_2_with_one_line(
    fake_discord: FakeDiscord, fake_tmdb: FakeTMDB, tmp_path: Path
) -> None:
    process = await _start(
        _env(fake_discord, fake_tmdb, tmp_path, DISCORD_TOKEN="wrong.token"), tmp_path
    )
    _out, err = await asyncio.wait_for(process.communicate(), 60)
    errors = [line for line in err.decode().splitlines() if line.startswith("filmbot:")]
    assert process.returncode == 2
    assert errors == [
        "filmbot: Discord rejected DISCORD_TOKEN (improper token); reset it in the developer portal"
    ]
    assert "Traceback" not in err.decode()


async def test_rejected_tmdb_key_exits_2_with_one_line(
    fake_discord: FakeDiscord, fake_tmdb: FakeTMDB, tmp_path: Path
) -> None:
    process = await _start(
        _env(fake_discord, fake_tmdb, tmp_path, TMDB_API_KEY="0000wrongkey"), tmp_path
    )
    _out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 2
    assert "filmbot: TMDB rejected the credentials" in err.decode()
    assert "0000wrongkey" not in err.decode()


async def test_sigterm_after_connecting_stops_cleanly_with_exit_0(
    fake_discord: FakeDiscord, fake_tmdb: FakeTMDB, tmp_path: Path
) -> None:
    process = await _start(_env(fake_discord, fake_tmdb, tmp_path), tmp_path)
    try:
        await fake_discord.wait_ready(timeout=60)
        guild = next(iter(fake_discord.guilds.values()))
        user = next(m for m in guild.members.values() if not m.user.bot).user
        await _wait_commands(fake_discord)
        rated = await fake_discord.slash(
            guild, user, "watchlist-rate", query="movie:27205", score=9, review=REVIEW, timeout=30
        )
        assert "Rated" in rated.content
        process.send_signal(signal.SIGTERM)
        _out, err = await asyncio.wait_for(process.communicate(), 60)
    finally:
        if process.returncode is None:
            process.kill()
    assert process.returncode == 0, err.decode()[-2000:]
    log = (tmp_path / "logs" / "filmbot.log").read_text()
    assert "SIGTERM received: shutting down" in log
    assert "FilmBot stopped" in log
    assert fake_discord.token not in log
    assert REVIEW not in log
    for noise in DISCORD_NOISE:
        assert noise not in log
        assert noise not in err.decode()


async def _wait_commands(fake: FakeDiscord) -> None:
    for _ in range(200):
        if fake.global_commands:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the bot never registered its commands")


async def test_unreachable_discord_is_named_once_while_retries_go_on_until_sigterm(
    fake_discord: FakeDiscord, fake_tmdb: FakeTMDB, tmp_path: Path
) -> None:
    env = _env(fake_discord, fake_tmdb, tmp_path, DISCORD_API_BASE_URL="http://127.0.0.1:9/api/v10")
    process = await _start(env, tmp_path)
    log_file = tmp_path / "logs" / "filmbot.log"
    warning = (
        "[WARNING] FilmBot.runner: Discord at 127.0.0.1:9 (DISCORD_API_BASE_URL) is unreachable"
    )
    retried = "[DEBUG] FilmBot.runner: Discord at 127.0.0.1:9 (DISCORD_API_BASE_URL) is unreachable"
    try:
        for _ in range(300):
            if log_file.exists() and retried in log_file.read_text():
                break
            await asyncio.sleep(0.1)
        process.send_signal(signal.SIGTERM)
        _out, err = await asyncio.wait_for(process.communicate(), 60)
    finally:
        if process.returncode is None:
            process.kill()
    log = log_file.read_text()
    assert retried in log, "the second attempt never came"
    assert log.count(warning) == 1
    assert "retrying in 2 s and for as long as it takes" in log
    assert err.decode().count("is unreachable") == 1
    assert process.returncode == 0
    assert "Traceback" not in err.decode()


async def test_second_sigterm_exits_at_once_while_a_cycle_is_still_running(
    fake_discord: FakeDiscord, fake_tmdb: FakeTMDB, tmp_path: Path
) -> None:
    from filmbot.db import migrate
    from filmbot.db.repositories import GuildRepository, SubscriptionRepository
    from filmbot.db.session import create_sessionmaker, engine_for_url
    from filmbot.domain.models import MediaType, TitleRef

    env = _env(fake_discord, fake_tmdb, tmp_path, AUTO_UPDATE_ENABLED="true")
    database = engine_for_url(env["DATABASE_URL"])
    await migrate.upgrade(database)
    guild = next(iter(fake_discord.guilds.values()))
    async with create_sessionmaker(database).begin() as session:
        await GuildRepository(session).ensure(guild.id, guild.name)
        await SubscriptionRepository(session).add(
            guild.id, TitleRef(MediaType.MOVIE, 27205), "Inception"
        )
    await database.dispose()
    process = await _start(env, tmp_path)
    log_file = tmp_path / "logs" / "filmbot.log"
    try:
        await fake_discord.wait_ready(timeout=60)
        await _wait_commands(fake_discord)
        fake_tmdb.faults.slow(8.0)
        for _ in range(300):
            if any(r.path == "/movie/27205" for r in fake_tmdb.requests):
                break
            await asyncio.sleep(0.05)
        process.send_signal(signal.SIGTERM)
        for _ in range(100):
            if "SIGTERM received" in log_file.read_text():
                break
            await asyncio.sleep(0.05)
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.communicate(), 20)
    finally:
        fake_tmdb.faults.slow(0.0)
        if process.returncode is None:
            process.kill()
    log = log_file.read_text()
    assert process.returncode == 1
    assert "Second SIGTERM: exiting at once" in log
    assert "FilmBot stopped" not in log


async def test_check_updates_logs_no_discord_voice_or_intent_warnings(
    fake_discord: FakeDiscord, fake_tmdb: FakeTMDB, tmp_path: Path
) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "filmbot",
        "check-updates",
        "--once",
        cwd=tmp_path,
        env=_env(fake_discord, fake_tmdb, tmp_path),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, err.decode()[-2000:]
    assert "update cycle finished" in out.decode()
    log = (tmp_path / "logs" / "filmbot.log").read_text()
    for noise in DISCORD_NOISE:
        assert noise not in log
        assert noise not in err.decode()
