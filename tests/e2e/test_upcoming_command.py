"""/upcoming through the real bot: from stored snapshots only, by day, paginated, and as .ics."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from icalendar import Calendar

from filmbot.bot import FilmBot
from tests.fakes.discord_server import FakeDiscord
from tests.fakes.plugin_discord import FilmClub
from tests.fakes.tmdb_server import FakeTMDB

DUNE_THREE, SEVERANCE, SAUL = 1170608, 95396, 60059


def _today() -> date:
    return datetime.now(UTC).date()


async def _subscribe_and_run_a_cycle(
    bot: FilmBot, fake_discord: FakeDiscord, club: FilmClub, fake_tmdb: FakeTMDB
) -> date:
    today = _today()
    catalogue = fake_tmdb.catalogue
    catalogue.set_release_date(DUNE_THREE, today + timedelta(days=3), country="US")
    catalogue.set_release_date(DUNE_THREE, today + timedelta(days=5), country="DE", primary=False)
    catalogue.set_next_episode(
        SEVERANCE, today + timedelta(days=1), season=3, episode=1, name="Cold Harbor"
    )
    for query in (f"movie:{DUNE_THREE}", f"tv:{SEVERANCE}"):
        reply = await fake_discord.slash(club.guild, club.admin, "subscribe", query=query)
        assert reply.content or reply.embeds
    updates = bot.get_cog("Updates")
    assert updates is not None
    await updates.engine.run_cycle()  # type: ignore[attr-defined]
    return today


async def test_upcoming_lists_releases_and_episodes_by_day_without_calling_tmdb(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub, fake_tmdb: FakeTMDB
) -> None:
    today = await _subscribe_and_run_a_cycle(filmbot, fake_discord, film_club, fake_tmdb)
    fake_tmdb.reset()
    reply = await fake_discord.slash(film_club.guild, film_club.member, "upcoming")
    assert fake_tmdb.count() == 0
    embed = reply.embeds[0]
    assert embed["title"] == "Upcoming in the next 14 days · US · UTC"
    blocks = embed["description"].split("\n\n")
    assert len(blocks) == 2
    first, second = blocks
    assert first.startswith(f"**{today + timedelta(days=1):%a %d %b %Y}** · tomorrow")
    assert "Severance" in first and "S03E01 · Cold Harbor" in first
    assert "https://www.themoviedb.org/tv/95396" in first
    assert second.startswith(f"**{today + timedelta(days=3):%a %d %b %Y}**")
    assert "Dune: Part Three" in second and "theatrical release" in second

    # Snapshots keep the followers' regions only: right after the switch the DE dates are
    # not known, and the calendar says so instead of showing the US (or primary) date.
    await fake_discord.slash(
        film_club.guild, film_club.manager, "config", setting="region", value="DE"
    )
    waiting = await fake_discord.slash(film_club.guild, film_club.member, "upcoming", days=6)
    described = waiting.embeds[0]["description"]
    assert "Dune" not in described and "Severance" in described
    assert "1 of 2 titles have not been checked by the update cycle for DE yet" in described
    assert fake_tmdb.count() == 0
    updates = filmbot.get_cog("Updates")
    assert updates is not None
    await updates.engine.run_cycle()  # type: ignore[attr-defined]
    assert fake_tmdb.count() >= 1  # the titles lacking DE are fetched again
    fake_tmdb.reset()
    german = await fake_discord.slash(film_club.guild, film_club.member, "upcoming", days=4)
    assert "Dune" not in german.embeds[0]["description"]
    later = await fake_discord.slash(film_club.guild, film_club.member, "upcoming", days=6)
    assert f"**{today + timedelta(days=5):%a %d %b %Y}**" in later.embeds[0]["description"]
    assert "not been checked" not in later.embeds[0]["description"]
    assert fake_tmdb.count() == 0


async def test_days_outside_1_to_60_get_a_clear_error(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    for days in (0, 61):
        reply = await fake_discord.slash(film_club.guild, film_club.member, "upcoming", days=days)
        assert reply.ephemeral
        assert reply.content == "⚠️ `days` goes from 1 to 60."


async def test_a_server_without_subscriptions_is_told_how_to_add_some(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    reply = await fake_discord.slash(film_club.guild, film_club.member, "upcoming")
    assert "no subscriptions yet" in reply.content


async def test_many_days_are_paginated(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub, fake_tmdb: FakeTMDB
) -> None:
    today = _today()
    for kind in range(1, 7):
        fake_tmdb.catalogue.set_release_date(
            DUNE_THREE, today + timedelta(days=kind), release_type=kind, primary=kind == 3
        )
    fake_tmdb.catalogue.set_next_episode(SAUL, today + timedelta(days=9), season=7, episode=1)
    fake_tmdb.catalogue.set_next_episode(SEVERANCE, today + timedelta(days=8), season=3)
    for query in (f"movie:{DUNE_THREE}", f"tv:{SEVERANCE}", f"tv:{SAUL}"):
        await fake_discord.slash(film_club.guild, film_club.admin, "subscribe", query=query)
    updates = filmbot.get_cog("Updates")
    assert updates is not None
    await updates.engine.run_cycle()  # type: ignore[attr-defined]
    reply = await fake_discord.slash(film_club.guild, film_club.member, "upcoming")
    assert reply.component("page:counter")["label"] == "1/2"
    assert len(reply.embeds[0]["description"].split("\n\n")) == 7
    second = await fake_discord.click(film_club.guild, film_club.member, reply, "page:next")
    page_two = second.embeds[0]["description"]
    assert "Better Call Saul" in page_two and "S07E01" in page_two
    assert "premiere" not in page_two


async def test_the_ics_file_parses_and_reimporting_it_duplicates_nothing(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub, fake_tmdb: FakeTMDB
) -> None:
    today = await _subscribe_and_run_a_cycle(filmbot, fake_discord, film_club, fake_tmdb)
    fake_tmdb.reset()
    calendars: list[Calendar] = []
    for _ in range(2):
        reply = await fake_discord.slash(
            film_club.guild, film_club.member, "upcoming", format="ics"
        )
        assert "2 events in the next 14 days" in reply.content
        attachment = reply.message["attachments"][0]  # type: ignore[index]
        assert attachment["filename"] == "filmbot-upcoming.ics"
        calendars.append(Calendar.from_ical(fake_discord.messages.attachment_bytes(attachment)))
    assert fake_tmdb.count() == 0
    imported: dict[str, object] = {}
    for calendar in calendars:
        for event in calendar.walk("VEVENT"):
            imported[str(event["UID"])] = event
    assert len(imported) == 2
    events = sorted(calendars[0].walk("VEVENT"), key=lambda e: e["DTSTART"].dt)
    episode, release = events
    assert episode["DTSTART"].dt == today + timedelta(days=1)
    assert episode["DTSTART"].params["VALUE"] == "DATE"
    assert episode["DTEND"].dt == today + timedelta(days=2)
    assert str(episode["SUMMARY"]) == "Severance S03E01 · Cold Harbor"
    assert str(episode["URL"]) == "https://www.themoviedb.org/tv/95396"
    assert str(release["SUMMARY"]) == "Dune: Part Three (theatrical release)"
    assert "https://www.themoviedb.org/movie/1170608" in str(release["DESCRIPTION"])
