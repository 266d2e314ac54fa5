"""`filmbot check-updates --once` as cron runs it: exit codes tell an outage from a quiet day."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

from tests.fakes.discord_server import FakeDiscord
from tests.fakes.plugin_discord import FilmClub
from tests.fakes.tmdb_server import FakeTMDB
from tests.integration.test_cli_startup import filmbot
from tests.integration.test_update_cli import FILM, _seed

CLOSED = "http://127.0.0.1:9/3"
QUICK_GIVE_UP = {"TMDB_MAX_RETRIES": "1", "TMDB_RETRY_DEADLINE_SECONDS": "2"}


def _env(url: str, fake_discord: FakeDiscord, tmdb_url: str, **extra: str) -> dict[str, str]:
    return {
        "DATABASE_URL": url,
        "DISCORD_TOKEN": fake_discord.token,
        "DISCORD_API_BASE_URL": fake_discord.api_base_url,
        "TMDB_BASE_URL": tmdb_url,
        **extra,
    }


async def test_tmdb_down_for_every_due_title_exits_3_with_one_line(
    tmp_path: Path, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cron.db'}"
    await _seed(url, film_club)
    env = _env(url, fake_discord, CLOSED, **QUICK_GIVE_UP)
    result = await asyncio.to_thread(filmbot, ["check-updates", "--once"], tmp_path, **env)

    assert result.returncode == 3, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines()[-1] == (
        "filmbot: TMDB could not be reached: none of the 1 titles due could be fetched "
        "(details in the log)"
    )
    assert "titles fetched: 0 of 1" in result.stdout


async def test_a_quiet_day_exits_0(
    tmp_path: Path, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cron.db'}"
    await _seed(url, film_club)
    async with FakeTMDB() as tmdb:
        tmdb.catalogue.set_movie(FILM.tmdb_id, title="The Film", status="Released")
        tmdb.catalogue.set_release_date(FILM.tmdb_id, datetime(2001, 1, 1, tzinfo=UTC).date())
        env = _env(url, fake_discord, tmdb.base_url, TMDB_API_KEY=tmdb.api_key)
        result = await asyncio.to_thread(filmbot, ["check-updates", "--once"], tmp_path, **env)

    assert result.returncode == 0, result.stderr
    assert "titles fetched: 1 of 1" in result.stdout
    assert "events found:   0" in result.stdout


async def test_a_rejected_discord_token_is_the_same_one_line_and_exit_2_as_run(
    tmp_path: Path, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cron.db'}"
    await _seed(url, film_club)
    env = _env(url, fake_discord, CLOSED, DISCORD_TOKEN="not-the-token")
    result = await asyncio.to_thread(filmbot, ["check-updates", "--once"], tmp_path, **env)

    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("filmbot:")]
    assert errors == [
        "filmbot: Discord rejected DISCORD_TOKEN (improper token); reset it in the developer portal"
    ]
    assert result.stdout == ""


async def test_a_rejected_tmdb_key_is_a_configuration_error_not_an_outage(
    tmp_path: Path, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cron.db'}"
    await _seed(url, film_club)
    async with FakeTMDB() as tmdb:
        env = _env(url, fake_discord, tmdb.base_url, TMDB_API_KEY="not-the-key")
        result = await asyncio.to_thread(filmbot, ["check-updates", "--once"], tmp_path, **env)

    assert result.returncode == 2, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("filmbot:")]
    assert len(errors) == 1 and "TMDB" in errors[0], result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
