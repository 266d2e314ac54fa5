"""Users see and delete their data; servers the bot left, or whose admin asks, are purged."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

from sqlalchemy import select

from filmbot.bot import FilmBot
from filmbot.db.models import GuildRow, RatingRow, WatchlistRow
from filmbot.domain.models import MediaType, TitleRef
from filmbot.exts.privacy._cog import export
from filmbot.services.catalog import TitleSummary
from tests.fakes.discord_server import FakeDiscord
from tests.fakes.plugin_discord import FilmClub

INCEPTION = TitleSummary(TitleRef(MediaType.MOVIE, 27205), "Inception", 2010, "", None, 8.4, 100)
BREAKING_BAD = TitleSummary(TitleRef(MediaType.TV, 1396), "Breaking Bad", 2008, "", None, 8.9, 100)
OTHER_GUILD = 1_200_000_000_000_000_002


async def _seed(bot: FilmBot, club: FilmClub) -> None:
    watchlist = bot.services.watchlist
    await watchlist.rate(club.guild.id, club.member.id, INCEPTION, 9, "Dreams within dreams")
    await watchlist.add(OTHER_GUILD, club.member.id, BREAKING_BAD)
    await watchlist.rate(club.guild.id, club.admin.id, INCEPTION, 7)


async def test_privacy_show_lists_everything_with_an_export(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    await _seed(filmbot, film_club)
    reply = await fake_discord.slash(film_club.guild, film_club.member, "privacy show")
    assert reply.ephemeral
    description = reply.embeds[0]["description"]
    assert "2 watchlist items in 2 servers, 1 ratings, 1 written reviews" in (description)
    assert [a["filename"] for a in reply.message["attachments"]] == ["filmbot-my-data.json"]
    data = await filmbot.services.privacy.show(film_club.member.id)
    exported = json.loads(export(data))["watchlist"]
    assert {row["title"] for row in exported} == {"Inception", "Breaking Bad"}
    assert [row["review"] for row in exported if row["title"] == "Inception"] == [
        "Dreams within dreams"
    ]


async def test_privacy_delete_removes_only_the_callers_rows_after_confirmation(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    await _seed(filmbot, film_club)
    prompt = await fake_discord.slash(film_club.guild, film_club.member, "privacy delete")
    cancel = await fake_discord.click(film_club.guild, film_club.member, prompt, "privacy:cancel")
    assert "Nothing was deleted" in cancel.content
    prompt = await fake_discord.slash(film_club.guild, film_club.member, "privacy delete")
    done = await fake_discord.click(film_club.guild, film_club.member, prompt, "privacy:confirm")
    assert "Deleted 2 watchlist items" in done.content
    async with filmbot.services.sessions() as session:
        owners = set(await session.scalars(select(WatchlistRow.user_id)))
        raters = set(await session.scalars(select(RatingRow.user_id)))
    assert owners == {film_club.admin.id}
    assert raters == {film_club.admin.id}


async def test_leaving_a_server_keeps_data_for_the_grace_period_then_deletes_it(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    await _seed(filmbot, film_club)
    await fake_discord.remove_guild(film_club.guild.id)
    for _ in range(50):
        guild = await filmbot.services.admin.guild(film_club.guild.id)
        if guild.left_at is not None:
            break
        await asyncio.sleep(0.05)
    assert guild.left_at is not None
    assert await filmbot.services.privacy.purge_departed_guilds() == []
    filmbot.services.privacy.grace = timedelta(0)
    assert await filmbot.services.privacy.purge_departed_guilds() == [film_club.guild.id]
    async with filmbot.services.sessions() as session:
        guild_ids = set(await session.scalars(select(GuildRow.id)))
        item_guilds = set(await session.scalars(select(WatchlistRow.guild_id)))
    assert film_club.guild.id not in guild_ids
    assert item_guilds == {OTHER_GUILD}


async def test_admin_deletes_the_servers_data_at_once_from_config(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    await _seed(filmbot, film_club)
    await filmbot.services.subscriptions.subscribe(
        film_club.guild.id, INCEPTION, can_manage_server=True
    )
    refused = await fake_discord.slash(
        film_club.guild, film_club.member, "config", setting="delete_server_data"
    )
    assert refused.ephemeral and "Manage Server" in refused.content
    prompt = await fake_discord.slash(
        film_club.guild, film_club.manager, "config", setting="delete_server_data"
    )
    assert "Sure?" in prompt.content
    done = await fake_discord.click(film_club.guild, film_club.manager, prompt, "config:delete")
    assert "Deleted this server's FilmBot data" in done.content
    async with filmbot.services.sessions() as session:
        guild_ids = set(await session.scalars(select(GuildRow.id)))
        item_guilds = set(await session.scalars(select(WatchlistRow.guild_id)))
    assert film_club.guild.id not in guild_ids
    assert item_guilds == {OTHER_GUILD}
    assert await filmbot.services.subscriptions.overview(film_club.guild.id) == []
