"""/subscribe, /unsubscribe and /subscriptions through the real bot."""

from __future__ import annotations

from filmbot.bot import FilmBot
from tests.e2e.conftest import assert_pings_nobody
from tests.fakes.discord_server import FakeDiscord
from tests.fakes.plugin_discord import FilmClub


async def test_subscribe_by_link_with_only_release_notifications(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    reply = await fake_discord.slash(
        film_club.guild,
        film_club.member,
        "subscribe",
        query="https://www.themoviedb.org/tv/95396-severance",
        releases=True,
        updates=False,
    )
    embed = reply.embeds[0]
    assert embed["title"] == "Subscribed! Severance (2022) · TV"
    assert embed["description"] == "This server will hear about releases."
    listed = await fake_discord.slash(film_club.guild, film_club.member, "subscriptions")
    assert "Severance" in listed.embeds[0]["description"]
    assert "· releases" in listed.embeds[0]["description"]


async def test_subscribing_again_changes_the_flags_or_says_it_is_followed_already(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    club, mo = film_club.guild, film_club.member
    await fake_discord.slash(club, mo, "subscribe", query="movie:603")
    same = await fake_discord.slash(club, mo, "subscribe", query="movie:603")
    assert same.ephemeral
    assert same.content == "⚠️ This server already follows The Matrix."
    changed = await fake_discord.slash(club, mo, "subscribe", query="movie:603", updates=False)
    assert changed.embeds[0]["title"].startswith("Subscription updated.")


async def test_only_the_member_who_asked_can_pick_from_the_dropdown(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    club = film_club.guild
    asked = await fake_discord.slash(club, film_club.member, "subscribe", query="Dune")
    refused = await fake_discord.select(
        club, film_club.admin, asked, "title:pick", ["movie:438631"]
    )
    assert refused.ephemeral
    assert "Only the person who ran the command" in refused.content
    listed = await fake_discord.slash(club, film_club.member, "subscriptions")
    assert listed.content.startswith("This server follows nothing yet")


async def test_unsubscribe_offers_the_servers_subscriptions_and_removes_one(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    club, mo = film_club.guild, film_club.member
    for ref in ("movie:603", "tv:1396"):
        await fake_discord.slash(club, mo, "subscribe", query=ref)
    offered = await fake_discord.autocomplete(club, mo, "unsubscribe", "query", "mat")
    assert offered == [{"name": "The Matrix · Movie", "value": "movie:603"}]

    removed = await fake_discord.slash(club, mo, "unsubscribe", query="movie:603")
    assert removed.content == "Unsubscribed from **The Matrix**."
    again = await fake_discord.slash(club, mo, "unsubscribe", query="movie:603")
    assert again.ephemeral
    assert again.content == "⚠️ This server does not follow that title."
    listed = await fake_discord.slash(club, mo, "subscriptions")
    assert "Breaking Bad" in listed.embeds[0]["description"]
    assert "The Matrix" not in listed.embeds[0]["description"]
    assert_pings_nobody(removed.records + listed.records)


async def test_subscriptions_page_when_the_server_follows_many_titles(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    club, mo = film_club.guild, film_club.member
    refs = [
        "movie:438631", "movie:693134", "movie:1170608", "movie:27205", "movie:603",
        "movie:335984", "movie:157336", "movie:329865", "movie:19", "tv:1396", "tv:60059",
    ]  # fmt: skip
    for ref in refs:
        await fake_discord.slash(club, mo, "subscribe", query=ref)
    listed = await fake_discord.slash(club, mo, "subscriptions")
    assert listed.embeds[0]["title"] == "This server follows 11 titles"
    assert listed.component("page:counter")["label"] == "1/2"
    second = await fake_discord.click(club, mo, listed, "page:next")
    assert second.embeds[0]["description"].count("\n") == 0  # one title on page two
