"""/movienight through the real bot: the poll, its end, the announcement and the event.

Every test runs on each database backend: the poll's state lives in the database so that
its winner is announced exactly once, across a restart too.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp import web
from sqlalchemy import func, select

from filmbot.bot import FilmBot
from filmbot.config import Settings
from filmbot.db.models import MovieNightRow
from filmbot.tmdb.models import ImagesConfiguration
from tests.e2e.bots import running_bot
from tests.e2e.movienight import announcements, answers, local, polls, until, wait_announced
from tests.fakes.discord_events import MANAGE_EVENTS
from tests.fakes.discord_polls import SEND_POLLS
from tests.fakes.discord_server import FakeDiscord
from tests.fakes.plugin_discord import FilmClub


@pytest.fixture
def bot_settings(bot_settings: Settings, database_url: str) -> Settings:
    """The e2e bot's settings on each database backend."""
    return bot_settings.model_copy(update={"database_url": database_url})


@pytest.fixture
def polls_allowed(fake_discord: FakeDiscord, film_club: FilmClub) -> None:
    """Give the bot Send Polls in Film Club (Discord's default for new servers)."""
    fake_discord.scheduled_events.grant(film_club.guild, SEND_POLLS)


async def _stored_polls(bot: FilmBot) -> int:
    async with bot.services.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(MovieNightRow)) or 0)


async def _add(fake: FakeDiscord, club: FilmClub, *refs: str) -> None:
    for ref in refs:
        reply = await fake.slash(club.guild, club.member, "server-watchlist-add", query=ref)
        assert reply.content.startswith("Added"), reply.content


async def _until_done(bot: FilmBot) -> None:
    """Wait until the announced poll is recorded as done (just after its announcement)."""

    async def done() -> bool:
        async with bot.services.sessions() as session:
            found = await session.scalar(
                select(MovieNightRow.id).where(MovieNightRow.status == "done")
            )
        return found is not None

    await until(done, "the poll recorded as done", tries=100)


@pytest.mark.usefixtures("polls_allowed")
async def test_poll_from_the_watchlist_ends_with_the_winner_announced_and_picked(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    club = film_club.guild
    await _add(fake_discord, film_club, "movie:603", "movie:329865", "movie:27205")
    await fake_discord.slash(club, film_club.admin, "watchlist-rate", query="movie:27205", score=9)
    started = await fake_discord.slash(club, film_club.member, "movienight", hours=2)
    assert started.ephemeral
    assert started.content.startswith(f"🗳️ Poll posted in <#{film_club.announcements.id}>")
    (poll,) = polls(fake_discord)
    body = poll.body["poll"]
    assert body["question"]["text"] == "What do we watch?"
    assert body["duration"] == 2 and body["allow_multiselect"] is False
    # Rated first, then the list's own order.
    assert answers(poll) == ["Inception", "The Matrix", "Arrival"]

    message_id = int(poll.message["id"])
    await fake_discord.polls.vote(message_id, film_club.member, 3)
    await fake_discord.polls.vote(message_id, film_club.admin, 3)
    await fake_discord.polls.vote(message_id, film_club.manager, 1)
    await fake_discord.polls.end(message_id)
    announced = await wait_announced(fake_discord)
    assert announced.content == "🍿 The votes are in: **Arrival** wins with 2 votes of 3!"
    assert announced.channel_id == film_club.announcements.id
    await _until_done(filmbot)
    listed = await fake_discord.slash(club, film_club.member, "server-watchlist")
    arrival = next(
        line for line in listed.embeds[0]["description"].split("\n**") if "Arrival" in line
    )
    assert "🍿 picked" in arrival


@pytest.mark.usefixtures("polls_allowed")
async def test_a_tie_goes_to_the_earlier_watchlist_title_and_says_so_and_makes_an_event(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    club = film_club.guild
    fake_discord.scheduled_events.grant(club, MANAGE_EVENTS)
    await _add(fake_discord, film_club, "movie:329865", "movie:603")
    starts = local()
    started = await fake_discord.slash(
        club,
        film_club.member,
        "movienight",
        candidates="The Matrix, movie:329865",
        hours=1,
        starts_at=starts,
    )
    assert started.content.startswith("🗳️ Poll posted")
    (poll,) = polls(fake_discord)
    assert answers(poll) == ["The Matrix", "Arrival (2016)"]
    message_id = int(poll.message["id"])
    await fake_discord.polls.vote(message_id, film_club.member, 1)
    await fake_discord.polls.vote(message_id, film_club.admin, 2)
    await fake_discord.polls.end(message_id)
    announced = await wait_announced(fake_discord)
    assert announced.content.startswith(
        "🍿 It's a tie between **Arrival** and **The Matrix** (1 vote each): **Arrival** wins, "
        "as the earliest of them on the server watchlist."
    )
    (event,) = fake_discord.scheduled_events.events[club.id]
    assert event["name"] == "Movie night: Arrival"
    assert event["entity_type"] == 3
    assert event["entity_metadata"]["location"] == "#announcements on Film Club"
    start = datetime.fromisoformat(event["scheduled_start_time"])
    end = datetime.fromisoformat(event["scheduled_end_time"])
    assert start.strftime("%Y-%m-%d %H:%M") == starts  # the server's timezone is UTC
    assert end - start == timedelta(minutes=116)
    assert f"/events/{club.id}/{event['id']}" in announced.content


@pytest.mark.usefixtures("polls_allowed")
async def test_without_manage_events_the_winner_is_still_announced_and_the_reason_given(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    club = film_club.guild
    await fake_discord.slash(
        club,
        film_club.member,
        "movienight",
        candidates="movie:603, movie:27205",
        starts_at=local(),
    )
    (poll,) = polls(fake_discord)
    await fake_discord.polls.vote(int(poll.message["id"]), film_club.member, 2)
    await fake_discord.polls.end(int(poll.message["id"]))
    announced = await wait_announced(fake_discord)
    assert announced.content == (
        "🍿 The votes are in: **Inception** wins with 1 vote of 1!\n"
        "⚠️ I could not create the event: I need the Create Events permission."
    )
    assert fake_discord.scheduled_events.events == {}


@pytest.mark.usefixtures("polls_allowed")
async def test_at_its_end_the_bot_closes_the_poll_itself_and_announces_once(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    club = film_club.guild
    await fake_discord.slash(
        club, film_club.member, "movienight", candidates="movie:603, movie:27205", hours=1
    )
    (poll,) = polls(fake_discord)
    message_id = int(poll.message["id"])
    await fake_discord.polls.vote(message_id, film_club.member, 1)
    service = filmbot.services.movienight
    service.clock = lambda: datetime.now(UTC) + timedelta(hours=1, seconds=5)
    cog: Any = filmbot.get_cog("MovieNight")
    cog.wake()
    announced = await wait_announced(fake_discord)
    assert announced.content == "🍿 The votes are in: **The Matrix** wins with 1 vote of 1!"
    # Ending the poll made Discord send MESSAGE_UPDATE too: both paths ran, one announcement.
    assert fake_discord.polls.polls[message_id].finalized
    assert any(
        r.method == "POST" and r.path.endswith(f"/polls/{message_id}/expire")
        for r in fake_discord.recorder.requests
    )
    await asyncio.sleep(0.5)
    cog.wake()
    await asyncio.sleep(0.3)
    assert len(announcements(fake_discord)) == 1


@pytest.mark.usefixtures("polls_allowed")
async def test_a_poll_that_ended_while_the_bot_was_down_is_announced_after_restart_once(
    bot_settings: Settings,
    fake_discord: FakeDiscord,
    film_club: FilmClub,
    discord_endpoints: None,
    fake_tmdb: Any,
) -> None:
    club = film_club.guild
    async with running_bot(bot_settings, fake_discord):
        await fake_discord.slash(
            club, film_club.member, "movienight", candidates="movie:603, Arrival", hours=3
        )
    (poll,) = polls(fake_discord)
    message_id = int(poll.message["id"])
    await fake_discord.polls.vote(message_id, film_club.admin, 2)
    await fake_discord.polls.end(message_id)  # nobody is connected to hear it
    async with running_bot(bot_settings, fake_discord) as bot:
        announced = await wait_announced(fake_discord)
        assert announced.content == "🍿 The votes are in: **Arrival** wins with 1 vote of 1!"
        await fake_discord.dispatch("MESSAGE_UPDATE", dict(poll.message), club.id)
        await asyncio.sleep(0.5)
        assert await _stored_polls(bot) == 1
    async with running_bot(bot_settings, fake_discord):
        await asyncio.sleep(0.5)
    assert len(announcements(fake_discord)) == 1


@pytest.mark.usefixtures("polls_allowed")
async def test_a_poll_still_open_after_a_restart_finishes_when_discord_closes_it(
    bot_settings: Settings,
    fake_discord: FakeDiscord,
    film_club: FilmClub,
    discord_endpoints: None,
    fake_tmdb: Any,
) -> None:
    club = film_club.guild
    async with running_bot(bot_settings, fake_discord):
        await fake_discord.slash(
            club, film_club.member, "movienight", candidates="movie:603, Arrival", hours=3
        )
    (poll,) = polls(fake_discord)
    message_id = int(poll.message["id"])
    async with running_bot(bot_settings, fake_discord) as bot:
        await asyncio.sleep(0.5)  # the start-up check finds it still running
        assert announcements(fake_discord) == []
        async with bot.services.sessions() as session:
            status = await session.scalar(select(MovieNightRow.status))
        assert status == "open"
        await fake_discord.polls.vote(message_id, film_club.member, 1)
        await fake_discord.polls.end(message_id)
        announced = await wait_announced(fake_discord)
        assert announced.content == "🍿 The votes are in: **The Matrix** wins with 1 vote of 1!"
    fetches = [
        r
        for r in fake_discord.recorder.requests
        if r.method == "GET" and r.path.endswith(f"/messages/{message_id}")
    ]
    assert len(fetches) == 2  # once at start, once when Discord said it closed


@pytest.mark.usefixtures("polls_allowed")
@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"candidates": "movie:603, movie:27205", "hours": 0}, "from 1 to 168 hours"),
        ({"candidates": "movie:603, movie:27205", "hours": 169}, "from 1 to 168 hours"),
        ({"candidates": "movie:603, movie:27205", "starts_at": "next friday"}, "YYYY-MM-DD HH:MM"),
        ({"candidates": "movie:603, movie:27205", "starts_at": "2020-01-01 20:00"}, "in the past"),
        ({"candidates": "movie:603, movie:27205", "starts_at": "2099-02-30 20:00"}, "not a real"),
        ({"candidates": "movie:603"}, "at least 2 titles"),
        ({}, "at least 2 titles"),
        ({"candidates": "movie:603, Qwxzyv Nonexistent"}, "No film or show matches “Qwxzyv"),
    ],
)
async def test_bad_options_get_a_clear_reply_and_post_nothing(
    filmbot: FilmBot,
    fake_discord: FakeDiscord,
    film_club: FilmClub,
    options: dict[str, Any],
    expected: str,
) -> None:
    reply = await fake_discord.slash(film_club.guild, film_club.member, "movienight", **options)
    assert reply.ephemeral
    assert reply.content.startswith("⚠️") and expected in reply.content, reply.content
    assert polls(fake_discord) == []
    assert await _stored_polls(filmbot) == 0


@pytest.mark.usefixtures("polls_allowed")
async def test_a_member_cannot_post_a_poll_where_they_cannot_post(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    reply = await fake_discord.slash(
        film_club.guild,
        film_club.member,
        "movienight",
        candidates="movie:603, movie:27205",
        channel=film_club.locked,
    )
    assert reply.ephemeral
    assert reply.content == (
        f"⚠️ You can't post in <#{film_club.locked.id}>, so I won't post the poll there."
    )
    assert polls(fake_discord) == []


@pytest.mark.usefixtures("polls_allowed")
async def test_a_poll_can_go_to_another_channel(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    await filmbot.services.admin.guild(film_club.guild.id, "Film Club")  # before the re-join
    lounge = film_club.guild.add_channel("lounge")
    await fake_discord.join_guild(film_club.guild)  # the bot learns of the new channel
    for _ in range(100):
        if filmbot.get_channel(lounge.id) is not None:
            break
        await asyncio.sleep(0.02)
    reply = await fake_discord.slash(
        film_club.guild,
        film_club.member,
        "movienight",
        candidates="movie:603, movie:27205",
        channel=lounge,
    )
    assert reply.content.startswith(f"🗳️ Poll posted in <#{lounge.id}>")
    (poll,) = polls(fake_discord)
    assert poll.channel_id == lounge.id


@pytest.mark.usefixtures("polls_allowed")
async def test_the_poster_becomes_the_events_cover(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub, aiohttp_images: str
) -> None:
    filmbot.services.tmdb.images = ImagesConfiguration(
        base_url=aiohttp_images, secure_base_url=aiohttp_images
    )
    fake_discord.scheduled_events.grant(film_club.guild, MANAGE_EVENTS)
    await fake_discord.slash(
        film_club.guild,
        film_club.member,
        "movienight",
        candidates="movie:603, movie:27205",
        starts_at=local(),
    )
    (poll,) = polls(fake_discord)
    await fake_discord.polls.vote(int(poll.message["id"]), film_club.member, 1)
    await fake_discord.polls.end(int(poll.message["id"]))
    await wait_announced(fake_discord)
    (event,) = fake_discord.scheduled_events.events[film_club.guild.id]
    assert fake_discord.scheduled_events.images[int(event["id"])] == PNG


PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32


@pytest.fixture
async def aiohttp_images() -> AsyncIterator[str]:
    """An image server standing in for TMDB's: every poster path answers a small PNG."""

    async def poster(request: web.Request) -> web.Response:
        assert request.match_info["size"] == "w780"
        return web.Response(body=PNG, content_type="image/png")

    app = web.Application()
    app.router.add_get("/t/p/{size}/{name}", poster)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}/t/p/"
    finally:
        await runner.cleanup()


async def test_without_send_polls_the_member_is_told_and_nothing_is_stored(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    reply = await fake_discord.slash(
        film_club.guild, film_club.member, "movienight", candidates="movie:603, movie:27205"
    )
    assert reply.ephemeral
    assert "I need the Send Messages and Send Polls permissions there" in reply.content
    assert await _stored_polls(filmbot) == 0
