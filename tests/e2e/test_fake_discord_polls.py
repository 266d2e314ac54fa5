"""The fake Discord's polls and scheduled events follow Discord's documented rules."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import discord
import pytest

from tests.fakes.discord_events import MANAGE_EVENTS
from tests.fakes.discord_polls import SEND_POLLS
from tests.fakes.discord_server import FakeDiscord
from tests.fakes.plugin_discord import FilmClub

pytestmark = [pytest.mark.timeout(60), pytest.mark.usefixtures("discord_endpoints")]
PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\0" * 16).decode()


def _poll(**changes: Any) -> dict[str, Any]:
    poll: dict[str, Any] = {
        "question": {"text": "What do we watch?"},
        "answers": [{"poll_media": {"text": "Dune"}}, {"poll_media": {"text": "Arrival"}}],
        "duration": 24,
        "allow_multiselect": False,
    }
    return poll | changes


async def _request(
    fake: FakeDiscord, method: str, path: str, body: dict[str, Any] | None = None
) -> tuple[int, Any]:
    headers = {"Authorization": f"Bot {fake.token}"}
    async with (
        aiohttp.ClientSession() as session,
        session.request(method, fake.api_base_url + path, json=body, headers=headers) as resp,
    ):
        return resp.status, await resp.json()


@asynccontextmanager
async def _client(fake: FakeDiscord, intents: discord.Intents) -> AsyncIterator[discord.Client]:
    client = discord.Client(intents=intents)
    task = asyncio.create_task(client.start(fake.token))
    try:
        await asyncio.wait_for(client.wait_until_ready(), 10)
        yield client
    finally:
        await client.close()
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


@pytest.mark.parametrize(
    ("poll", "error_path"),
    [
        (_poll(question={"text": "?" * 301}), ["poll", "question", "text"]),
        (_poll(answers=[{"poll_media": {"text": "x"}}] * 11), ["poll", "answers"]),
        (_poll(answers=[{"poll_media": {"text": "x" * 56}}]), ["poll", "answers", "0"]),
        (_poll(duration=769), ["poll", "duration"]),
        (_poll(duration=0), ["poll", "duration"]),
        (_poll(allow_multiselect="no"), ["poll", "allow_multiselect"]),
    ],
)
async def test_a_poll_beyond_discords_limits_is_an_invalid_form_body(
    fake_discord: FakeDiscord, film_club: FilmClub, poll: dict[str, Any], error_path: list[str]
) -> None:
    fake_discord.scheduled_events.grant(film_club.guild, SEND_POLLS)
    channel = film_club.announcements.id
    status, body = await _request(
        fake_discord, "POST", f"/channels/{channel}/messages", {"poll": poll}
    )
    assert (status, body["code"]) == (400, 50035)
    tree = body["errors"]
    for key in error_path:
        tree = tree[key]
    assert fake_discord.messages.store == {}


async def test_a_poll_needs_send_polls(fake_discord: FakeDiscord, film_club: FilmClub) -> None:
    path = f"/channels/{film_club.announcements.id}/messages"
    status, body = await _request(fake_discord, "POST", path, {"poll": _poll()})
    assert (status, body["code"]) == (403, 50013)


async def test_votes_and_expiry_finalise_results_and_reach_only_guild_messages_bots(
    fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    fake_discord.scheduled_events.grant(film_club.guild, SEND_POLLS)
    channel = film_club.announcements.id
    deaf = discord.Intents.none()
    deaf.guilds = True
    hearing = discord.Intents.none()
    hearing.guilds = hearing.guild_messages = True
    async with _client(fake_discord, deaf), _client(fake_discord, hearing):
        status, message = await _request(
            fake_discord, "POST", f"/channels/{channel}/messages", {"poll": _poll(duration=1)}
        )
        assert status == 200
        expiry = datetime.fromisoformat(message["poll"]["expiry"])
        assert timedelta(minutes=59) < expiry - datetime.now(UTC) <= timedelta(hours=1)
        message_id = int(message["id"])
        await fake_discord.polls.vote(message_id, film_club.member, 2)
        await fake_discord.polls.vote(message_id, film_club.admin, 1)
        await fake_discord.polls.vote(message_id, film_club.admin, 2)  # single choice: moves
        path = f"/channels/{channel}/polls/{message_id}/expire"
        status, ended = await _request(fake_discord, "POST", path)
        assert status == 200
        assert ended["poll"]["results"] == {
            "is_finalized": True,
            "answer_counts": [{"id": 2, "count": 2, "me_voted": False}],
        }
        status, again = await _request(fake_discord, "POST", path)
        assert (status, again["code"]) == (400, 520001)
        status, fetched = await _request(
            fake_discord, "GET", f"/channels/{channel}/messages/{message_id}"
        )
        assert fetched["poll"]["results"]["is_finalized"] is True
        sessions = sorted(fake_discord.gateway.sessions.values(), key=lambda s: s.intents)
        updates = [[e for e, _ in s.sent if e == "MESSAGE_UPDATE"] for s in sessions]
        assert updates == [[], ["MESSAGE_UPDATE"]]


async def test_scheduled_events_need_manage_events_and_valid_external_fields(
    fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    start = datetime.now(UTC) + timedelta(days=1)
    event = {
        "name": "Movie night: Dune",
        "privacy_level": 2,
        "entity_type": 3,
        "entity_metadata": {"location": "#announcements"},
        "scheduled_start_time": start.isoformat(),
        "scheduled_end_time": (start + timedelta(minutes=155)).isoformat(),
        "image": f"data:image/png;base64,{PNG}",
    }
    path = f"/guilds/{film_club.guild.id}/scheduled-events"
    status, body = await _request(fake_discord, "POST", path, event)
    assert (status, body["code"]) == (403, 50013)
    fake_discord.scheduled_events.grant(film_club.guild, MANAGE_EVENTS)
    for broken, field_name in (
        ({"entity_metadata": {}}, "entity_metadata"),
        ({"scheduled_end_time": None}, "scheduled_end_time"),
        ({"scheduled_start_time": "2020-01-01T20:00:00+00:00"}, "scheduled_start_time"),
        ({"name": "x" * 101}, "name"),
        ({"image": "not an image"}, "image"),
    ):
        status, body = await _request(fake_discord, "POST", path, event | broken)
        assert (status, body["code"]) == (400, 50035)
        assert field_name in body["errors"]
    status, created = await _request(fake_discord, "POST", path, event)
    assert status == 200 and created["entity_type"] == 3 and created["image"]
    status, listed = await _request(fake_discord, "GET", path)
    assert [e["id"] for e in listed] == [created["id"]]
