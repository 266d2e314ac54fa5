"""`filmbot check-updates --once` runs one cycle over REST against the fakes and reports it."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path

import pytest

from filmbot.cli_updates import add_parser, check_updates_once
from filmbot.config import load_settings
from filmbot.db import migrate
from filmbot.db.repositories import GuildRepository, SubscriptionRepository
from filmbot.db.session import create_sessionmaker, engine_for_url
from filmbot.domain.models import MediaType, TitleRef
from tests.fakes.discord_records import CHANNEL_MESSAGE
from tests.fakes.discord_server import FakeDiscord
from tests.fakes.plugin_discord import FilmClub
from tests.fakes.tmdb_server import FakeTMDB

FILM = TitleRef(MediaType.MOVIE, 9_000_001)


def test_check_updates_requires_once() -> None:
    parser = argparse.ArgumentParser()
    add_parser(parser.add_subparsers(dest="command"))
    assert parser.parse_args(["check-updates", "--once"]).once is True
    with pytest.raises(SystemExit):
        parser.parse_args(["check-updates"])


async def test_check_updates_once_delivers_over_rest_and_prints_the_summary(
    tmp_path: Path,
    fake_discord: FakeDiscord,
    film_club: FilmClub,
    discord_endpoints: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    await _seed(url, film_club)
    async with FakeTMDB() as tmdb:
        tmdb.catalogue.set_movie(FILM.tmdb_id, title="The Film", status="Released")
        tmdb.catalogue.set_release_date(FILM.tmdb_id, datetime.now(UTC).date(), country="US")
        settings = load_settings(
            env_file=None,
            database_url=url,
            discord_token=fake_discord.token,
            discord_api_base_url=fake_discord.api_base_url,
            tmdb_base_url=tmdb.base_url,
            tmdb_api_key=tmdb.api_key,
            tmdb_read_access_token=None,
            redis_enabled=False,
        )
        code = await check_updates_once(settings)

    out = capsys.readouterr().out
    assert code == 0
    assert "titles fetched: 1 of 1" in out
    assert "delivered:      1 in 1 messages" in out
    [post] = fake_discord.recorder.of_kind(CHANNEL_MESSAGE)
    assert post.channel_id == film_club.announcements.id


async def test_check_updates_once_without_discord_token_is_a_configuration_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = load_settings(
        env_file=None,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}",
        discord_token=None,
        tmdb_api_key="key",
    )
    assert await check_updates_once(settings) == 2
    assert "DISCORD_TOKEN" in capsys.readouterr().err


async def test_check_updates_once_is_a_configuration_error_when_discord_rejects_the_token(
    tmp_path: Path,
    fake_discord: FakeDiscord,
    discord_endpoints: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings = load_settings(
        env_file=None,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}",
        discord_token="not-the-token",
        discord_api_base_url=fake_discord.api_base_url,
        tmdb_api_key="key",
    )
    assert await check_updates_once(settings) == 2
    assert "Discord rejected DISCORD_TOKEN" in capsys.readouterr().err


async def _seed(url: str, club: FilmClub) -> None:
    engine = engine_for_url(url)
    await migrate.upgrade(engine)
    async with create_sessionmaker(engine).begin() as session:
        guilds = GuildRepository(session)
        await guilds.ensure(club.guild.id, "Film Club")
        await guilds.update(club.guild.id, notification_channel_id=club.announcements.id)
        await SubscriptionRepository(session).add(club.guild.id, FILM, "The Film")
    await engine.dispose()
