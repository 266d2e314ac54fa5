"""Legacy prefix commands, loaded when MESSAGE_CONTENT_INTENT is on, answer without pinging."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from filmbot.bot import FilmBot
from filmbot.config import Settings
from tests.fakes.discord_server import FakeDiscord
from tests.fakes.plugin_discord import FilmClub


@pytest.fixture
def bot_settings(bot_settings: Settings) -> Settings:
    return bot_settings.model_copy(update={"message_content_intent": True})


async def _say(fake: FakeDiscord, club: FilmClub, content: str) -> dict:
    member = club.guild.members[club.member.id]
    mark = fake.recorder.mark()
    await fake.dispatch(
        "MESSAGE_CREATE",
        {
            "id": str(fake.snowflake()),
            "channel_id": str(club.announcements.id),
            "guild_id": str(club.guild.id),
            "author": club.member.payload(),
            "member": member.payload(with_user=False),
            "content": content,
            "timestamp": datetime.now(UTC).isoformat(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": [],
            "pinned": False,
            "type": 0,
            "flags": 0,
        },
        club.guild.id,
    )
    record = await fake.next_channel_message(club.announcements, since=mark, timeout=10)
    assert record.allowed_mentions is not None
    assert record.allowed_mentions.get("parse") == []
    assert record.message is not None
    return record.message


async def test_prefix_search_movie_and_help_answer_in_the_channel(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    assert "search" in {c.name for c in filmbot.commands}
    found = await _say(fake_discord, film_club, "!search Dune")
    assert "Dune" in found["embeds"][0]["description"]
    details = await _say(fake_discord, film_club, "!movie movie:693134")
    assert details["embeds"][0]["title"].startswith("Dune: Part Two")
    helped = await _say(fake_discord, film_club, "!help")
    assert "!trending" in helped["content"]


async def test_prefix_usage_errors_get_a_short_reply(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    usage = await _say(fake_discord, film_club, "!trending sideways")
    assert usage["content"].startswith("Usage: `!trending")
    unknown = await _say(fake_discord, film_club, "!movie movie:999999999")
    assert unknown["content"].startswith("⚠️")
