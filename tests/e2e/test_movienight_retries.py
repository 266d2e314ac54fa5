"""A movie night whose finish fails after Discord created its event: the retry, after the
claim lapses, announces once and links the same event instead of making a second one."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from filmbot.bot import FilmBot
from filmbot.services.movienight import CLAIM_LEASE
from tests.e2e.movienight import announcements, local, polls, until, wait_announced
from tests.fakes.discord_events import MANAGE_EVENTS
from tests.fakes.discord_polls import SEND_POLLS
from tests.fakes.discord_records import Record
from tests.fakes.discord_server import FakeDiscord
from tests.fakes.plugin_discord import FilmClub


@pytest.fixture
def events_allowed(fake_discord: FakeDiscord, film_club: FilmClub) -> None:
    """Let the bot post polls and create events in Film Club."""
    fake_discord.scheduled_events.grant(film_club.guild, SEND_POLLS | MANAGE_EVENTS)


async def _post_poll(fake: FakeDiscord, club: FilmClub, starts: str) -> int:
    started = await fake.slash(
        club.guild,
        club.member,
        "movienight",
        candidates="movie:603, Arrival",
        hours=1,
        starts_at=starts,
    )
    assert started.content.startswith("🗳️ Poll posted"), started.content
    (poll,) = polls(fake)
    return int(poll.message["id"])


async def _retried_after_the_claim_lapses(bot: FilmBot, fake: FakeDiscord) -> Record:
    """Move the clock past the failed try's claim, wake the poll loop, await its announcement."""
    later = CLAIM_LEASE + timedelta(seconds=5)
    bot.services.movienight.clock = lambda: datetime.now(UTC) + later
    cog: Any = bot.get_cog("MovieNight")
    cog.wake()
    return await wait_announced(fake)


@pytest.mark.usefixtures("events_allowed")
async def test_a_finish_retried_after_its_event_was_made_reuses_the_event(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    club = film_club.guild
    message_id = await _post_poll(fake_discord, film_club, local())
    await fake_discord.polls.vote(message_id, film_club.member, 1)
    refused = fake_discord.inject_error(
        "POST", r"/channels/\d+/messages", 503, "Service Unavailable"
    )
    await fake_discord.polls.end(message_id)
    await until(lambda: refused.hits == 1, "the refused announcement")
    (event,) = fake_discord.scheduled_events.events[club.id]
    assert announcements(fake_discord) == []

    announced = await _retried_after_the_claim_lapses(filmbot, fake_discord)

    assert fake_discord.scheduled_events.events[club.id] == [event]
    assert f"/events/{club.id}/{event['id']}" in announced.content
    assert announced.content.startswith("🍿 The votes are in: **The Matrix** wins")
    await asyncio.sleep(0.3)
    filmbot.get_cog("MovieNight").wake()  # type: ignore[union-attr]
    await asyncio.sleep(0.3)
    assert len(announcements(fake_discord)) == 1
    assert len(fake_discord.scheduled_events.events[club.id]) == 1


@pytest.mark.usefixtures("events_allowed")
async def test_a_finish_slower_than_its_budget_gives_up_and_its_retry_completes_it(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    # Discord creates the event but answers late: the finish must stop inside its claim,
    # or the retry after the lapse would run beside it.
    club = film_club.guild
    cog: Any = filmbot.get_cog("MovieNight")
    cog.finisher.budget = 0.5
    message_id = await _post_poll(fake_discord, film_club, local())
    await fake_discord.polls.vote(message_id, film_club.member, 1)
    slow = fake_discord.delay("POST", rf"/guilds/{club.id}/scheduled-events", 1.5)
    await fake_discord.polls.end(message_id)
    await until(lambda: slow.hits == 1, "the slow event")
    await asyncio.sleep(1.5)
    assert announcements(fake_discord) == []
    (event,) = fake_discord.scheduled_events.events[club.id]

    announced = await _retried_after_the_claim_lapses(filmbot, fake_discord)

    assert fake_discord.scheduled_events.events[club.id] == [event]
    assert f"/events/{club.id}/{event['id']}" in announced.content


@pytest.mark.usefixtures("events_allowed")
async def test_a_members_event_of_the_same_name_and_start_is_not_taken_for_the_bots(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    club = film_club.guild
    starts = local()
    endpoints = fake_discord.scheduled_events
    start = datetime.strptime(starts, "%Y-%m-%d %H:%M").replace(tzinfo=UTC)
    theirs = endpoints.add(
        club,
        {
            "name": "Movie night: The Matrix",
            "scheduled_start_time": start.isoformat(),
            "scheduled_end_time": (start + timedelta(hours=2)).isoformat(),
            "privacy_level": 2,
            "entity_type": 3,
            "entity_metadata": {"location": "the cinema"},
        },
        creator_id=film_club.member.id,
    )
    message_id = await _post_poll(fake_discord, film_club, starts)
    await fake_discord.polls.vote(message_id, film_club.admin, 1)
    await fake_discord.polls.end(message_id)
    announced = await wait_announced(fake_discord)

    first, ours = endpoints.events[club.id]
    assert first is theirs and ours["creator_id"] == str(fake_discord.bot_user.id)
    assert datetime.fromisoformat(ours["scheduled_start_time"]) == start
    assert f"/events/{club.id}/{ours['id']}" in announced.content
