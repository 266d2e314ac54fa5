"""What members are told when a service behind the bot goes away while it runs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from filmbot.bot import FilmBot
from filmbot.config import Settings
from tests.databases import PG_HOST, PG_PORT, PG_USER, throwaway_database
from tests.fakes.discord_server import FakeDiscord
from tests.fakes.plugin_discord import FilmClub


@pytest.fixture
async def postgres_url(tmp_path: Path) -> AsyncIterator[str]:
    async with throwaway_database("postgresql", tmp_path) as url:
        yield url


@pytest.fixture
def bot_settings(bot_settings: Settings, postgres_url: str) -> Settings:
    """The e2e bot, keeping its data in a throwaway PostgreSQL database."""
    return bot_settings.model_copy(update={"database_url": postgres_url})


async def _drop(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    admin = await asyncpg.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, database="test")
    try:
        await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
    finally:
        await admin.close()


async def test_a_database_outage_is_named_to_the_member_without_an_error_id(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub, postgres_url: str
) -> None:
    club, member = film_club.guild, film_club.member
    before = await fake_discord.slash(club, member, "watchlist")
    assert "empty" in before.content
    await _drop(postgres_url)
    reply = await fake_discord.slash(club, member, "watchlist")
    assert reply.ephemeral
    assert reply.content == "⚠️ The database is unavailable right now; try again in a moment."
    subscribed = await fake_discord.slash(club, film_club.admin, "subscribe", query="movie:603")
    assert subscribed.content == reply.content
