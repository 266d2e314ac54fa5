"""Update notifications through the real discord.py REST client against the fake Discord."""

from __future__ import annotations

from collections.abc import AsyncIterator

import discord
import pytest

from filmbot.discord_rest import DiscordNotificationSender
from tests.fakes.discord_records import CHANNEL_MESSAGE
from tests.fakes.discord_server import FakeDiscord
from tests.fakes.plugin_discord import FilmClub
from tests.integration.test_update_support import FILM, Sessions, world


@pytest.fixture(params=["sqlite"])
def backend(request: pytest.FixtureRequest) -> str:
    """Only SQLite: these tests are about Discord, not the database."""
    return str(request.param)


@pytest.fixture
async def rest_client(
    fake_discord: FakeDiscord, discord_endpoints: None
) -> AsyncIterator[discord.Client]:
    """A discord.py client logged in over REST to the fake Discord (no gateway)."""
    client = discord.Client(intents=discord.Intents.none(), max_ratelimit_timeout=30.0)
    await client.login(fake_discord.token)
    try:
        yield client
    finally:
        await client.close()


def posts(fake: FakeDiscord) -> list[dict]:
    return [record.body for record in fake.recorder.of_kind(CHANNEL_MESSAGE)]


async def test_real_sender_posts_embeds_that_ping_only_the_configured_role(
    sessionmaker: Sessions,
    fake_discord: FakeDiscord,
    film_club: FilmClub,
    rest_client: discord.Client,
) -> None:
    async with world(sessionmaker) as w:
        w.dated_film(title="@everyone @here Premiere")
        await w.guild(
            film_club.guild.id,
            notification_channel_id=film_club.announcements.id,
            notification_role_id=film_club.movie_fans.id,
        )
        await w.subscribe(FILM, film_club.guild.id)
        report = await w.engine(sender=DiscordNotificationSender(rest_client)).run_cycle()

    [body] = posts(fake_discord)
    assert report.delivered == 1
    assert body["content"] == f"<@&{film_club.movie_fans.id}>"
    mentions = body["allowed_mentions"]
    assert mentions["parse"] == []
    assert [int(r) for r in mentions["roles"]] == [film_club.movie_fans.id]
    assert "users" not in mentions
    assert body["embeds"][0]["title"] == "@everyone @here Premiere is out in US"
    assert body["embeds"][0]["url"] == f"https://www.themoviedb.org/movie/{FILM.tmdb_id}"


async def test_channel_the_bot_may_not_post_in_flags_the_guild_and_keeps_events(
    sessionmaker: Sessions,
    fake_discord: FakeDiscord,
    film_club: FilmClub,
    rest_client: discord.Client,
) -> None:
    async with world(sessionmaker) as w:
        w.dated_film()
        await w.follow(FILM, film_club.guild.id, notification_channel_id=film_club.locked.id)
        report = await w.engine(sender=DiscordNotificationSender(rest_client)).run_cycle()
        guild = await w.get_guild(film_club.guild.id)
        statuses = await w.statuses()

    assert posts(fake_discord) == []
    assert (report.failed, report.pending) == (1, 1)
    assert guild.delivery_problem is not None and "Missing Permissions" in guild.delivery_problem
    assert list(statuses.values()) == ["pending"]


async def test_short_discord_rate_limit_is_waited_out_and_the_message_sent_once(
    sessionmaker: Sessions,
    fake_discord: FakeDiscord,
    film_club: FilmClub,
    rest_client: discord.Client,
) -> None:
    fault = fake_discord.rate_limit_channel_posts(times=1, retry_after=0.1)
    async with world(sessionmaker) as w:
        w.dated_film()
        await w.follow(FILM, film_club.guild.id, notification_channel_id=film_club.announcements.id)
        report = await w.engine(sender=DiscordNotificationSender(rest_client)).run_cycle()

    assert fault.hits == 1
    assert len(posts(fake_discord)) == 1
    assert report.delivered == 1


async def test_long_discord_rate_limit_leaves_the_event_for_the_next_cycle(
    sessionmaker: Sessions,
    fake_discord: FakeDiscord,
    film_club: FilmClub,
    rest_client: discord.Client,
) -> None:
    fault = fake_discord.rate_limit_channel_posts(times=1, retry_after=120.0)
    async with world(sessionmaker) as w:
        w.dated_film()
        await w.follow(FILM, film_club.guild.id, notification_channel_id=film_club.announcements.id)
        engine = w.engine(sender=DiscordNotificationSender(rest_client))
        limited = await engine.run_cycle()
        guild = await w.get_guild(film_club.guild.id)
        w.clock.advance(hours=6)
        retried = await engine.run_cycle()

    assert fault.hits == 1
    assert (limited.delivered, limited.pending, guild.delivery_problem) == (0, 1, None)
    assert retried.delivered == 1
    assert len(posts(fake_discord)) == 1


async def test_real_sender_resending_a_nonce_gets_the_first_message_back_not_a_second(
    fake_discord: FakeDiscord, film_club: FilmClub, rest_client: discord.Client
) -> None:
    from filmbot.services.notifications import NotificationMessage

    sender = DiscordNotificationSender(rest_client)
    embed = {"title": "The Film is out in US"}
    message = NotificationMessage("", (embed,), {"parse": []}, nonce="fb-0123456789abcdef012345")
    first = await sender.send(film_club.announcements.id, message)
    again = await sender.send(film_club.announcements.id, message)

    [body] = posts(fake_discord)
    assert again.message_id == first.message_id
    assert (body["nonce"], body["enforce_nonce"]) == (message.nonce, True)
    assert fake_discord.messages.nonce_reuses == 1
