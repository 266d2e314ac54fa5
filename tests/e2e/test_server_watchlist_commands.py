"""The /server-watchlist commands through the real bot and the fake Discord."""

from __future__ import annotations

import json

from filmbot.bot import FilmBot
from filmbot.exts.privacy._cog import export
from tests.fakes.discord_server import FakeDiscord
from tests.fakes.plugin_discord import FilmClub


async def test_add_list_with_adder_note_and_average_rating_then_refuse_a_duplicate(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    club, mo, ada = film_club.guild, film_club.member, film_club.admin
    added = await fake_discord.slash(
        club, mo, "server-watchlist-add", query="movie:603", note="Bring snacks"
    )
    assert added.content == "Added **The Matrix (1999) · Movie** to the server watchlist."
    await fake_discord.slash(club, ada, "server-watchlist-add", query="Arrival")
    again = await fake_discord.slash(club, ada, "server-watchlist-add", query="movie:603")
    assert again.ephemeral
    assert again.content == "⚠️ The Matrix is already on the server watchlist."
    await fake_discord.slash(club, mo, "watchlist-rate", query="movie:603", score=9)
    await fake_discord.slash(club, ada, "watchlist-rate", query="movie:603", score=6)

    shown = await fake_discord.slash(club, ada, "server-watchlist")
    text = shown.embeds[0]["description"]
    assert shown.embeds[0]["title"] == "Film Club's watchlist · 2 titles"
    matrix, arrival = text.split("\n**2. ")
    assert "**1. [The Matrix]" in matrix
    assert "★ 7.5/10 (2 rated)" in matrix
    assert f"added by <@{mo.id}>" in matrix
    assert "> Bring snacks" in matrix
    assert "Arrival" in arrival and "not rated yet" in arrival and f"<@{ada.id}>" in arrival


async def test_remove_is_for_the_adder_or_manage_server(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    club, mo, meg = film_club.guild, film_club.member, film_club.manager
    await fake_discord.slash(club, mo, "server-watchlist-add", query="movie:603")
    await fake_discord.slash(club, meg, "server-watchlist-add", query="movie:27205")
    offered = await fake_discord.autocomplete(club, mo, "server-watchlist-remove", "query", "inc")
    assert offered == [{"name": "Inception · Movie", "value": "movie:27205"}]

    refused = await fake_discord.slash(club, mo, "server-watchlist-remove", query="movie:27205")
    assert refused.ephemeral
    assert refused.content == (
        "⚠️ Only the member who added it, or someone with Manage Server, can remove it."
    )
    own = await fake_discord.slash(club, mo, "server-watchlist-remove", query="The Matrix")
    assert own.content == "Removed **The Matrix** from the server watchlist."
    other = await fake_discord.slash(club, meg, "server-watchlist-remove", query="movie:27205")
    assert other.content == "Removed **Inception** from the server watchlist."
    empty = await fake_discord.slash(club, mo, "server-watchlist")
    assert empty.content.startswith("The server watchlist is empty")


async def test_a_full_server_watchlist_refuses_with_a_clear_message(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    assert filmbot.settings.max_server_watchlist_items == 500
    filmbot.services.server_watchlist.limit = 1
    club, mo = film_club.guild, film_club.member
    await fake_discord.slash(club, mo, "server-watchlist-add", query="movie:603")
    full = await fake_discord.slash(club, mo, "server-watchlist-add", query="movie:27205")
    assert full.ephemeral
    assert full.content == "⚠️ The server watchlist is full (1 titles). Remove one first."
    assert len(await filmbot.services.server_watchlist.entries(club.id)) == 1


async def test_eleven_titles_make_two_pages(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    club, mo = film_club.guild, film_club.member
    ids = ["movie:438631", "movie:693134", "movie:27205", "movie:603", "movie:335984"]
    ids += ["movie:157336", "movie:329865", "tv:1396", "tv:60059", "tv:95396", "tv:100088"]
    for ref in ids:
        reply = await fake_discord.slash(club, mo, "server-watchlist-add", query=ref)
        assert reply.content.startswith("Added"), reply.content
    shown = await fake_discord.slash(club, mo, "server-watchlist")
    assert shown.embeds[0]["title"].endswith("· 11 titles")
    assert shown.embeds[0]["description"].count("added by") == 10
    page_two = await fake_discord.click(club, mo, shown, "page:next")
    assert page_two.embeds[0]["description"].startswith("**11. ")


async def test_privacy_shows_added_entries_and_delete_keeps_them_anonymised(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    club, mo = film_club.guild, film_club.member
    await fake_discord.slash(club, mo, "server-watchlist-add", query="movie:603", note="Mine")
    shown = await fake_discord.slash(club, mo, "privacy show")
    assert "1 titles you added to server watchlists" in shown.embeds[0]["description"]
    data = json.loads(export(await filmbot.services.privacy.show(mo.id)))
    assert [(r["title"], r["note"]) for r in data["server_watchlist_added"]] == [
        ("The Matrix", "Mine")
    ]

    prompt = await fake_discord.slash(club, mo, "privacy delete")
    done = await fake_discord.click(club, mo, prompt, "privacy:confirm")
    assert "stay there without your name" in done.content
    listed = await fake_discord.slash(club, film_club.admin, "server-watchlist")
    line = listed.embeds[0]["description"]
    assert "The Matrix" in line and "added by a former member" in line
    assert str(mo.id) not in line and "Mine" not in line
    after = json.loads(export(await filmbot.services.privacy.show(mo.id)))
    assert after["server_watchlist_added"] == []
