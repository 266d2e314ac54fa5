"""The design's two workflows, played through the real bot against the fakes."""

from __future__ import annotations

from filmbot.bot import FilmBot
from tests.e2e.conftest import assert_pings_nobody, assert_within_discord_limits
from tests.fakes.discord_server import FakeDiscord
from tests.fakes.plugin_discord import FilmClub

DUNE_PART_THREE = "movie:1170608"
FIVE_FILMS = ("Inception", "The Matrix", "Blade Runner 2049", "Interstellar", "Arrival")


async def test_searching_then_subscribing_to_dune_part_3_goes_through_the_dropdown(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    club, mo = film_club.guild, film_club.member
    found = await fake_discord.slash(club, mo, "search", query="Dune")
    assert "Dune: Part Three" in found.embeds[0]["description"]

    asked = await fake_discord.slash(club, mo, "subscribe", query="Dune Part 3")
    assert asked.deferred
    menu = asked.component("title:pick")
    assert DUNE_PART_THREE in [option["value"] for option in menu["options"]]
    assert "Dune: Part Three (" in str(menu["options"])

    done = await fake_discord.select(club, mo, asked, "title:pick", [DUNE_PART_THREE])
    assert done.embeds[0]["title"].startswith("Subscribed! Dune: Part Three")
    assert done.components == []
    assert_within_discord_limits(asked.message or {})
    assert_pings_nobody(asked.records + done.records)

    listed = await fake_discord.slash(club, mo, "subscriptions")
    assert "Dune: Part Three" in listed.embeds[0]["description"]
    assert listed.embeds[0]["title"] == "This server follows 1 title"


async def test_five_films_added_one_by_one_all_appear_on_the_watchlist(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    club, mo = film_club.guild, film_club.member
    for title in FIVE_FILMS:
        added = await fake_discord.slash(club, mo, "watchlist-add", query=title)
        assert added.content.startswith(f"Added **{title}"), added.content
        assert added.ephemeral

    shown = await fake_discord.slash(club, mo, "watchlist")
    assert shown.ephemeral
    assert shown.embeds[0]["title"].endswith("· 5 titles")
    text = shown.embeds[0]["description"]
    assert all(title in text for title in FIVE_FILMS)
    assert_within_discord_limits(shown.message or {})
