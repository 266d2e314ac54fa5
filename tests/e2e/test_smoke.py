"""FilmBot answers slash commands through the real discord.py client."""

from __future__ import annotations

from filmbot.bot import FilmBot
from tests.fakes.discord_server import FakeDiscord
from tests.fakes.plugin_discord import FilmClub


async def test_search_lists_dune_titles(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    reply = await fake_discord.slash(film_club.guild, film_club.member, "search", query="Dune")
    assert reply.embeds, reply.content
    text = reply.embeds[0]["description"]
    assert "Dune" in text


async def test_prefix_commands_and_message_intent_are_off_by_default(filmbot: FilmBot) -> None:
    assert not filmbot.intents.message_content
    # Not privileged: it brings the message update that finalises a movie-night poll.
    assert filmbot.intents.guild_messages
    assert [c.name for c in filmbot.commands] == []


async def test_expired_tmdb_cache_rows_are_purged_by_the_maintenance_loop(filmbot: FilmBot) -> None:
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import select

    from filmbot.db.models import TmdbCacheEntry

    now = datetime.now(UTC)
    async with filmbot.services.sessions.begin() as session:
        session.add(TmdbCacheEntry(key="tmdb:old", value={}, expires_at=now - timedelta(hours=1)))
        session.add(TmdbCacheEntry(key="tmdb:new", value={}, expires_at=now + timedelta(hours=1)))
    assert filmbot.purge_cache.is_running()
    await filmbot.purge_cache()
    async with filmbot.services.sessions() as session:
        keys = set(await session.scalars(select(TmdbCacheEntry.key)))
    assert "tmdb:old" not in keys
    assert "tmdb:new" in keys
