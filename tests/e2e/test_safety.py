"""Mentions, bad input, guild isolation and unexpected errors, through the real bot."""

from __future__ import annotations

import logging
import re

import pytest
from sqlalchemy import text

from filmbot.bot import FilmBot
from tests.e2e.conftest import Cinema, assert_pings_nobody, table_snapshot
from tests.fakes.discord_server import FakeDiscord
from tests.fakes.plugin_discord import FilmClub
from tests.fakes.tmdb_server import FakeTMDB

DROP_TABLE = "'; DROP TABLE guilds;--"


async def test_a_title_containing_everyone_pings_nobody(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub, fake_tmdb: FakeTMDB
) -> None:
    role, user = film_club.movie_fans, film_club.admin
    fake_tmdb.catalogue.set_movie(
        888_001,
        title=f"@everyone @here Party {role.mention} {user.mention}",
        overview="@everyone come watch",
        release_date="2024-01-01",
    )
    club, mo = film_club.guild, film_club.member
    since = fake_discord.recorder.mark()
    replies = [
        await fake_discord.slash(club, mo, "search", query="Party"),
        await fake_discord.slash(club, mo, "movie", movie_id="movie:888001"),
        await fake_discord.slash(club, mo, "subscribe", query="movie:888001"),
        await fake_discord.slash(club, mo, "watchlist-add", query="movie:888001"),
        await fake_discord.slash(club, mo, "unsubscribe", query="movie:888001"),
    ]
    assert "@everyone @here Party" in replies[1].embeds[0]["title"]
    assert "@everyone" in replies[3].content
    assert_pings_nobody(fake_discord.recorder.records[since:])


async def test_a_score_of_11_is_refused_and_nothing_is_stored(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    club, mo = film_club.guild, film_club.member
    await fake_discord.slash(club, mo, "watchlist-add", query="movie:603")
    before = await table_snapshot(filmbot)
    reply = await fake_discord.slash(club, mo, "watchlist-rate", query="movie:603", score=11)
    assert reply.ephemeral
    assert reply.content == "⚠️ A rating must be a whole number from 1 to 10."
    assert await table_snapshot(filmbot) == before


@pytest.mark.parametrize(
    ("command", "option"),
    [("movie", "movie_id"), ("subscribe", "query"), ("watchlist-add", "query")],
)
async def test_an_unknown_tmdb_id_is_refused_clearly(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub, command: str, option: str
) -> None:
    reply = await fake_discord.slash(
        film_club.guild, film_club.member, command, options={option: "movie:999999999"}
    )
    assert reply.ephemeral
    assert reply.content == "⚠️ TMDB has no movie with id 999999999."
    assert [r.kind for r in reply.records if r.kind == "original_delete"] == ["original_delete"], (
        "the public 'thinking…' message must not linger"
    )


@pytest.mark.parametrize("command", ["search", "subscribe", "watchlist-add", "similar"])
async def test_a_1000_character_query_is_refused_clearly(
    filmbot: FilmBot,
    fake_discord: FakeDiscord,
    film_club: FilmClub,
    fake_tmdb: FakeTMDB,
    command: str,
) -> None:
    reply = await fake_discord.slash(film_club.guild, film_club.member, command, query="y" * 1000)
    assert reply.ephemeral
    assert reply.content.startswith("⚠️ That search is too long"), reply.content
    assert not [r for r in fake_tmdb.requests if r.path.startswith("/3/search")]


async def test_sql_in_a_query_is_just_text_and_the_database_is_unchanged(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    club, mo = film_club.guild, film_club.member
    await fake_discord.slash(club, mo, "subscribe", query="movie:603")
    before = await table_snapshot(filmbot)
    searched = await fake_discord.slash(club, mo, "search", query=DROP_TABLE)
    assert searched.content == f"Nothing found for Search “{DROP_TABLE}”."
    for command in ("subscribe", "watchlist-add", "watchlist-mark-watched"):
        reply = await fake_discord.slash(club, mo, command, query=DROP_TABLE)
        assert reply.content == f"⚠️ No film or show matches “{DROP_TABLE}”.", command
    for command in ("unsubscribe", "watchlist-remove"):
        reply = await fake_discord.slash(club, mo, command, query=DROP_TABLE)
        assert reply.content.startswith(("That matches none", "⚠️ No title")), command
    assert await fake_discord.autocomplete(club, mo, "unsubscribe", "query", DROP_TABLE) == []
    assert await table_snapshot(filmbot) == before
    assert before["guilds"] == 1 and before["subscriptions"] == 1


async def test_one_server_sees_and_changes_nothing_of_another(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub, cinema: Cinema
) -> None:
    club, mo, meg = film_club.guild, film_club.member, film_club.manager
    await fake_discord.slash(club, mo, "subscribe", query="movie:603")
    await fake_discord.slash(club, mo, "watchlist-rate", query="movie:27205", score=7)
    await fake_discord.slash(club, meg, "config", setting="language", value="fr-FR")
    cinema.guild.add_member(mo)
    other, carl, cleo = cinema.guild, cinema.member, cinema.admin

    empty = await fake_discord.slash(other, carl, "subscriptions")
    assert empty.content.startswith("This server follows nothing yet")
    assert await fake_discord.autocomplete(other, carl, "unsubscribe", "query", "") == []
    refused = await fake_discord.slash(other, cleo, "unsubscribe", query="movie:603")
    assert refused.content == "⚠️ This server does not follow that title."
    mine_there = await fake_discord.slash(other, mo, "watchlist", show_watched=True)
    assert mine_there.content.startswith("Your watchlist is empty")
    assert await fake_discord.autocomplete(other, mo, "watchlist-priority", "query", "") == []
    channel = await fake_discord.slash(
        other, cleo, "config", setting="notification_channel", value=str(film_club.announcements.id)
    )
    assert channel.content == "⚠️ There is no such channel in this server."
    role = await fake_discord.slash(
        other, cleo, "config", setting="notification_role", value=film_club.movie_fans.mention
    )
    assert role.content == "⚠️ There is no such role in this server."
    stats = await fake_discord.slash(other, carl, "stats")
    fields = {f["name"]: f["value"] for f in stats.embeds[0]["fields"]}
    assert fields["This server"] == "0 subscriptions\n0 watchlist items\n0 ratings"

    assert (await filmbot.services.admin.guild(other.id)).language == "en-US"
    kept = await fake_discord.slash(club, mo, "subscriptions")
    assert "The Matrix" in kept.embeds[0]["description"]


async def test_an_unexpected_error_is_logged_with_the_id_the_reply_shows(
    filmbot: FilmBot,
    fake_discord: FakeDiscord,
    film_club: FilmClub,
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with filmbot.services.engine.begin() as conn:
        await conn.execute(text("DROP TABLE ratings"))
        await conn.execute(text("DROP TABLE watchlists"))
    with caplog.at_level(logging.ERROR, logger="filmbot"):
        reply = await fake_discord.slash(film_club.guild, film_club.member, "watchlist")
    assert reply.ephemeral
    match = re.fullmatch(
        r"💥 Something went wrong on our side \(error id `([0-9a-f]{8})`\)\. It has been logged\.",
        reply.content,
    )
    assert match, reply.content
    logged = [r for r in caplog.records if match.group(1) in r.getMessage()]
    assert logged and logged[0].exc_info is not None
    assert "/watchlist" in logged[0].getMessage()
