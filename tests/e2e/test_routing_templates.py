"""Channels per kind and per subscription, and notification templates, through the real bot:
slash commands against the fake Discord, then an update cycle that posts to the routed channels."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from filmbot.bot import FilmBot
from tests.fakes.discord_records import CHANNEL_MESSAGE, Record
from tests.fakes.discord_replies import InteractionReply
from tests.fakes.discord_server import FakeDiscord
from tests.fakes.discord_state import FakeChannel
from tests.fakes.plugin_discord import FilmClub, build_film_club
from tests.fakes.tmdb_server import FakeTMDB

MATRIX, BREAKING_BAD = 603, 1396


@pytest.fixture
async def fake_discord_world() -> AsyncIterator[tuple[FakeDiscord, FilmClub]]:
    """Film Club with two more channels the bot may post in: #films and #tv."""
    fake = FakeDiscord()
    club = build_film_club(fake)
    club.guild.add_channel("films")
    club.guild.add_channel("tv")
    await fake.start()
    try:
        yield fake, club
    finally:
        await fake.close()


def channel(club: FilmClub, name: str) -> FakeChannel:
    return next(c for c in club.guild.channels.values() if c.name == name)


def posts(fake: FakeDiscord) -> list[Record]:
    return fake.recorder.of_kind(CHANNEL_MESSAGE)


async def test_config_sets_validates_and_clears_the_movie_and_tv_channels(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    club, meg = film_club.guild, film_club.manager
    films, tv = channel(film_club, "films"), channel(film_club, "tv")
    set_films = await fake_discord.slash(
        club, meg, "config", setting="movie_channel", value="#films"
    )
    set_tv = await fake_discord.slash(club, meg, "config", setting="tv_channel", value=str(tv.id))
    locked = await fake_discord.slash(
        club, meg, "config", setting="tv_channel", value="#staff-only"
    )
    missing = await fake_discord.slash(club, meg, "config", setting="movie_channel", value="#nope")
    stored = await filmbot.services.admin.guild(club.id)
    cleared = await fake_discord.slash(club, meg, "config", setting="movie_channel", value="none")
    shown = await fake_discord.slash(club, meg, "config", setting="movie_channel")
    suggested = await fake_discord.autocomplete(
        club, meg, "config", "value", "fil", setting="movie_channel"
    )
    after = await filmbot.services.admin.guild(club.id)

    assert set_films.content == f"✅ **movie_channel** is now {films.mention}."
    assert set_tv.content == f"✅ **tv_channel** is now {tv.mention}."
    assert locked.ephemeral and "I can't post in" in locked.content
    assert "Send Messages" in locked.content
    assert missing.content == "⚠️ There is no such channel in this server."
    assert (stored.movie_channel_id, stored.tv_channel_id) == (films.id, tv.id)
    assert cleared.content == "✅ **movie_channel** is now not set (the notification channel)."
    assert shown.embeds[0]["description"] == (
        "**movie_channel** is not set (the notification channel)"
    )
    assert [s["value"] for s in suggested] == ["none", "#films"]
    assert (after.movie_channel_id, after.tv_channel_id) == (None, tv.id)


async def test_subscribe_with_a_channel_shows_it_and_subscribing_again_moves_it(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    club, mo = film_club.guild, film_club.member
    films = channel(film_club, "films")
    await fake_discord.slash(
        club, film_club.manager, "config", setting="notification_channel", value="#announcements"
    )
    created = await fake_discord.slash(club, mo, "subscribe", query="movie:603", channel="#films")
    listed = await fake_discord.slash(club, mo, "subscriptions")
    same = await fake_discord.slash(club, mo, "subscribe", query="movie:603", channel="#films")
    refused = await fake_discord.slash(
        club, mo, "subscribe", query="movie:603", channel="#staff-only"
    )
    kept = await filmbot.services.subscriptions.search(club.id, "Matrix")
    moved = await fake_discord.slash(club, mo, "subscribe", query="movie:603", channel="none")
    relisted = await fake_discord.slash(club, mo, "subscriptions")

    fields = {f["name"]: f["value"] for f in created.embeds[0]["fields"]}
    assert created.embeds[0]["title"].startswith("Subscribed!")
    assert fields["Channel"] == (
        f"Notifications go to {films.mention} (this subscription's own channel)."
    )
    assert f"· in {films.mention}" in listed.embeds[0]["description"]
    assert same.content == "⚠️ This server already follows The Matrix."
    assert refused.ephemeral and "I can't post in" in refused.content
    assert [s.channel_id for s in kept] == [films.id]
    assert moved.embeds[0]["title"].startswith("Subscription updated.")
    moved_to = {f["name"]: f["value"] for f in moved.embeds[0]["fields"]}
    assert moved_to["Channel"] == f"Notifications go to {film_club.announcements.mention}."
    assert " · in <#" not in relisted.embeds[0]["description"]


async def test_notification_template_shows_saves_refuses_and_resets(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    club, meg = film_club.guild, film_club.manager
    await fake_discord.slash(club, meg, "config", setting="notification_role", value="@Movie Fans")
    role = film_club.movie_fans.mention
    default = await fake_discord.slash(club, meg, "notification-template", kind="release")
    saved = await fake_discord.slash(
        club, meg, "notification-template", kind="release", text="{title} ({year}) {role}"
    )
    refusals = [
        await fake_discord.slash(club, meg, "notification-template", kind="release", text=text)
        for text in ("{title.__class__}", "{title[0]}", "{title!r}", "{year:>99}", "{plot}")
    ]
    too_long = await fake_discord.slash(
        club, meg, "notification-template", kind="release", text="x" * 501
    )
    kept = await fake_discord.slash(club, meg, "notification-template", kind="release")
    denied = await fake_discord.slash(
        club, film_club.member, "notification-template", kind="release", text="{title}"
    )
    reset = await fake_discord.slash(club, meg, "notification-template", kind="release", reset=True)

    def fields(reply: InteractionReply) -> dict[str, str]:
        return {f["name"]: f["value"] for f in reply.embeds[0]["fields"]}

    assert default.ephemeral
    assert fields(default) == {"Template (default)": "```\n{role}\n```", "Preview": role}
    assert saved.embeds[0]["title"] == "✅ Template saved: release"
    assert fields(saved) == {
        "Template": "```\n{title} ({year}) {role}\n```",
        "Preview": f"Dune: Part Two (2024) {role}",
    }
    assert all(r.ephemeral and r.content.startswith("⚠️ ") for r in refusals)
    assert "no `.` or `[]` access" in refusals[0].content
    assert "no `.` or `[]` access" in refusals[1].content
    assert "no `!` conversions" in refusals[2].content
    assert "`:` formats" in refusals[3].content
    assert "`{plot}` is not a placeholder" in refusals[4].content
    assert "`{episode_title}`" in refusals[4].content and "`{role}`" in refusals[4].content
    assert "at most 500 characters" in too_long.content
    assert fields(kept)["Template"] == "```\n{title} ({year}) {role}\n```"
    assert denied.content == "⛔ You need the Manage Server permission for this command."
    assert fields(reset)["Template (default)"] == "```\n{role}\n```"
    stored = await filmbot.services.admin.guild(club.id)
    assert stored.notification_templates == {}


async def test_an_update_cycle_posts_to_the_routed_channels_with_the_template_content(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub, fake_tmdb: FakeTMDB
) -> None:
    club, meg = film_club.guild, film_club.manager
    films, tv = channel(film_club, "films"), channel(film_club, "tv")
    today = datetime.now(UTC).date()
    fake_tmdb.catalogue.set_release_date(MATRIX, today)
    fake_tmdb.catalogue.set_status("movie", MATRIX, "Released")
    fake_tmdb.catalogue.set_next_episode(
        BREAKING_BAD, today + timedelta(days=1), season=6, episode=1, name="Return"
    )
    fake_tmdb.catalogue.set_tv(BREAKING_BAD, networks=[{"id": 174, "name": "AMC"}])
    for setting, value in (
        ("notification_role", "@Movie Fans"),
        ("movie_channel", "#films"),
        ("tv_channel", "#tv"),
    ):
        await fake_discord.slash(club, meg, "config", setting=setting, value=value)
    member = film_club.member
    template = f"@everyone @here <@{member.id}> {{title}} ({{year}}) is out! {{role}} {{url}}"
    await fake_discord.slash(club, meg, "notification-template", kind="release", text=template)
    await fake_discord.slash(
        club,
        meg,
        "notification-template",
        kind="new_episode",
        text="S{season}E{episode} {episode_title} of {title} on {network}",
    )
    await fake_discord.slash(club, meg, "subscribe", query="movie:603")
    await fake_discord.slash(club, meg, "subscribe", query="tv:1396")
    updates = filmbot.get_cog("Updates")
    assert updates is not None
    report = await updates.engine.run_cycle()  # type: ignore[attr-defined]
    again = await updates.engine.run_cycle()  # type: ignore[attr-defined]

    by_channel = {record.channel_id: record for record in posts(fake_discord)}
    assert (report.delivered, report.messages, again.delivered) == (2, 2, 0)
    assert set(by_channel) == {films.id, tv.id}
    film, show = by_channel[films.id].body, by_channel[tv.id].body
    role = film_club.movie_fans
    assert film["content"] == (
        f"@everyone @here <@{member.id}> The Matrix ({today.year}) is out! {role.mention} "
        f"https://www.themoviedb.org/movie/{MATRIX}"
    )
    assert [e["title"] for e in film["embeds"]] == ["The Matrix is out in US"]
    assert show["content"] == "S6E1 Return of Breaking Bad on AMC"
    for body in (film, show):
        mentions = body["allowed_mentions"]
        assert mentions["parse"] == []
        assert [int(r) for r in mentions["roles"]] == [role.id]
        assert "users" not in mentions or mentions["users"] == []
        assert mentions.get("replied_user") in (None, False)
