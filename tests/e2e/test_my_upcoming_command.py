"""/my-upcoming through the real bot: the member's own follows, in their time zone and region,
from stored snapshots only, in servers and DMs, and as an .ics with UIDs of its own."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Calendar

from filmbot.bot import FilmBot
from tests.fakes.discord_dms import slash_in_dm
from tests.fakes.discord_replies import InteractionReply
from tests.fakes.discord_server import FakeDiscord
from tests.fakes.plugin_discord import FilmClub
from tests.fakes.tmdb_server import FakeTMDB

DUNE_THREE, SEVERANCE, SAUL = 1170608, 95396, 60059
KIRITIMATI = "Pacific/Kiritimati"  # UTC+14: its date is never behind UTC's


def _today() -> date:
    return datetime.now(UTC).date()


def _day(day: date) -> str:
    return f"**{day:%a %d %b %Y}**"


async def _run_cycle(bot: FilmBot) -> None:
    updates = bot.get_cog("Updates")
    assert updates is not None
    await updates.engine.run_cycle()  # type: ignore[attr-defined]


async def _member_follows_and_server_subscribes(
    bot: FilmBot, fake_discord: FakeDiscord, club: FilmClub, fake_tmdb: FakeTMDB
) -> date:
    """Dune (US in 3 days, DE in 5) and Severance (tomorrow) followed by the member; the
    server subscribes to Better Call Saul (in 2 days) and Severance."""
    today = _today()
    catalogue = fake_tmdb.catalogue
    catalogue.set_release_date(DUNE_THREE, today + timedelta(days=3), country="US")
    catalogue.set_release_date(DUNE_THREE, today + timedelta(days=5), country="DE", primary=False)
    catalogue.set_next_episode(
        SEVERANCE, today + timedelta(days=1), season=3, episode=1, name="Cold Harbor"
    )
    catalogue.set_next_episode(SAUL, today + timedelta(days=2), season=7, episode=1)
    for query in (f"movie:{DUNE_THREE}", f"tv:{SEVERANCE}"):
        followed = await fake_discord.slash(club.guild, club.member, "notify-me", query=query)
        assert followed.embeds[0]["title"].startswith("You now follow")
    for query in (f"tv:{SAUL}", f"tv:{SEVERANCE}"):
        await fake_discord.slash(club.guild, club.admin, "subscribe", query=query)
    await _run_cycle(bot)
    fake_tmdb.reset()
    return today


def _uids(reply: InteractionReply, fake_discord: FakeDiscord, name: str) -> dict[str, Any]:
    attachment = reply.message["attachments"][0]  # type: ignore[index]
    assert attachment["filename"] == name
    calendar = Calendar.from_ical(fake_discord.messages.attachment_bytes(attachment))
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


async def test_my_upcoming_lists_only_the_members_follows_without_calling_tmdb(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub, fake_tmdb: FakeTMDB
) -> None:
    today = await _member_follows_and_server_subscribes(filmbot, fake_discord, film_club, fake_tmdb)
    reply = await fake_discord.slash(film_club.guild, film_club.member, "my-upcoming")
    in_dm = await slash_in_dm(fake_discord, film_club.member, "my-upcoming", days=2)
    assert fake_tmdb.count() == 0

    assert reply.ephemeral
    embed = reply.embeds[0]
    assert embed["title"] == "Your upcoming in the next 14 days · US · UTC"
    first, second = embed["description"].split("\n\n")
    assert first.startswith(f"{_day(today + timedelta(days=1))} · tomorrow")
    assert "Severance" in first and "S03E01 · Cold Harbor" in first
    assert second.startswith(_day(today + timedelta(days=3)))
    assert "Dune: Part Three" in second and "theatrical release" in second
    assert "Better Call Saul" not in embed["description"]  # the server's, not the member's

    assert in_dm.embeds[0]["title"] == "Your upcoming in the next 2 days · US · UTC"
    assert "Severance" in in_dm.embeds[0]["description"]
    assert "Dune" not in in_dm.embeds[0]["description"]


async def test_my_upcoming_uses_the_members_own_time_zone_and_region(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub, fake_tmdb: FakeTMDB
) -> None:
    for setting, value in (("region", "DE"), ("timezone", "America/New_York")):
        await fake_discord.slash(
            film_club.guild, film_club.manager, "config", setting=setting, value=value
        )
    today = await _member_follows_and_server_subscribes(
        filmbot, fake_discord, film_club, fake_tmdb
    )  # the member's settings start from this server's: DE, New York
    await slash_in_dm(fake_discord, film_club.member, "notify-settings", timezone=KIRITIMATI)
    fake_tmdb.reset()
    local_today = datetime.now(ZoneInfo(KIRITIMATI)).date()
    german_release = today + timedelta(days=5)
    reaches_it = (german_release - local_today).days + 1

    short = await slash_in_dm(fake_discord, film_club.member, "my-upcoming", days=reaches_it - 1)
    enough = await fake_discord.slash(
        film_club.guild, film_club.member, "my-upcoming", days=reaches_it
    )
    assert fake_tmdb.count() == 0

    heading = f"Your upcoming in the next {reaches_it - 1} days · DE · {KIRITIMATI}"
    assert short.embeds[0]["title"] == heading
    assert "Dune" not in short.embeds[0]["description"]
    description = enough.embeds[0]["description"]
    assert _day(today + timedelta(days=3)) not in description  # the US date
    last = description.split("\n\n")[-1]
    assert last.startswith(_day(german_release)) and "Dune: Part Three" in last
    # Severance airs tomorrow by UTC's calendar: already today in Kiritimati after 10:00 UTC.
    label = "today" if local_today > today else "tomorrow"
    assert description.startswith(f"{_day(today + timedelta(days=1))} · {label}")


async def test_my_upcoming_ics_reimports_without_duplicates_and_has_its_own_uids(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub, fake_tmdb: FakeTMDB
) -> None:
    today = await _member_follows_and_server_subscribes(filmbot, fake_discord, film_club, fake_tmdb)
    mine = [
        await slash_in_dm(fake_discord, film_club.member, "my-upcoming", format="ics"),
        await fake_discord.slash(film_club.guild, film_club.member, "my-upcoming", format="ics"),
    ]
    servers = await fake_discord.slash(film_club.guild, film_club.member, "upcoming", format="ics")
    assert fake_tmdb.count() == 0

    assert all(reply.ephemeral for reply in mine)
    assert "2 events in the next 14 days (UTC)" in mine[0].content
    first, again = (_uids(reply, fake_discord, "filmbot-my-upcoming.ics") for reply in mine)
    assert first.keys() == again.keys() and len(first) == 2
    summaries = sorted(str(event["SUMMARY"]) for event in first.values())
    assert summaries == ["Dune: Part Three (theatrical release)", "Severance S03E01 · Cold Harbor"]
    starts = {str(e["SUMMARY"]): e["DTSTART"].dt for e in first.values()}
    assert starts["Severance S03E01 · Cold Harbor"] == today + timedelta(days=1)
    server_uids = _uids(servers, fake_discord, "filmbot-upcoming.ics")
    assert len(server_uids) == 2  # Saul and Severance
    assert not first.keys() & server_uids.keys()  # Severance is in both, under distinct UIDs


async def test_bad_days_and_no_follows_get_clear_answers(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub, fake_tmdb: FakeTMDB
) -> None:
    for days in (0, 61):
        reply = await slash_in_dm(fake_discord, film_club.member, "my-upcoming", days=days)
        assert reply.ephemeral
        assert reply.content == "⚠️ `days` goes from 1 to 60."
    empty = await fake_discord.slash(film_club.guild, film_club.member, "my-upcoming")
    assert empty.ephemeral
    assert "You follow nothing personally yet" in empty.content
    assert fake_tmdb.count() == 0
