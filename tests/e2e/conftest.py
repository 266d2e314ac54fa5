"""The real FilmBot, in process, against the fake Discord and the fake TMDB."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect, text

from filmbot.bot import FilmBot
from filmbot.config import Settings
from tests.e2e.bots import running_bot
from tests.fakes.discord_records import Record
from tests.fakes.discord_replies import InteractionReply
from tests.fakes.discord_server import FakeDiscord
from tests.fakes.discord_state import ADMINISTRATOR, FakeChannel, FakeGuild, FakeUser
from tests.fakes.tmdb_server import FakeTMDB


@pytest.fixture
def bot_settings(tmdb_settings: Settings, fake_discord: FakeDiscord, tmp_path: Path) -> Settings:
    """Settings for a bot that talks to both fakes and keeps its data in a temp SQLite file."""
    return tmdb_settings.model_copy(
        update={
            "database_url": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
            "discord_api_base_url": fake_discord.api_base_url,
            "discord_gateway_url": fake_discord.gateway_url,
            "log_dir": tmp_path / "logs",
            "auto_update_enabled": False,
        }
    )


@pytest.fixture
async def filmbot(
    bot_settings: Settings, fake_discord: FakeDiscord, fake_tmdb: FakeTMDB, discord_endpoints: None
) -> AsyncIterator[FilmBot]:
    """A running FilmBot, connected and ready."""
    async with running_bot(bot_settings, fake_discord) as bot:
        yield bot


EMBED_LIMITS = {"title": 256, "description": 4096, "footer": 2048, "author": 256}


def embed_size(embed: dict[str, Any]) -> int:
    """Count the characters Discord counts toward the 6,000 per message."""
    size = len(embed.get("title") or "") + len(embed.get("description") or "")
    size += len((embed.get("footer") or {}).get("text") or "")
    size += len((embed.get("author") or {}).get("name") or "")
    return size + sum(len(f["name"]) + len(f["value"]) for f in embed.get("fields") or [])


def assert_within_discord_limits(message: dict[str, Any]) -> None:
    """Fail when a message breaks one of Discord's embed limits (the fake does not check)."""
    embeds = message.get("embeds") or []
    assert len(embeds) <= 10
    for embed in embeds:
        assert len(embed.get("title") or "") <= EMBED_LIMITS["title"]
        assert len(embed.get("description") or "") <= EMBED_LIMITS["description"]
        assert len((embed.get("footer") or {}).get("text") or "") <= EMBED_LIMITS["footer"]
        assert len((embed.get("author") or {}).get("name") or "") <= EMBED_LIMITS["author"]
        fields = embed.get("fields") or []
        assert len(fields) <= 25
        assert all(len(f["name"]) <= 256 and len(f["value"]) <= 1024 for f in fields)
    assert sum(embed_size(e) for e in embeds) <= 6000
    assert len(message.get("content") or "") <= 2000


def assert_pings_nobody(records: list[Record]) -> None:
    """Every message-carrying request the bot made disallows all mentions."""
    carrying = [r for r in records if r.body.get("content") or r.body.get("embeds")]
    assert carrying, "the bot sent no message"
    for record in carrying:
        mentions = record.allowed_mentions
        assert mentions is not None, f"{record.kind} without allowed_mentions"
        assert mentions.get("parse") == [], mentions
        assert not mentions.get("roles") and not mentions.get("users"), mentions


def fields_of(reply: InteractionReply) -> dict[str, str]:
    """The fields of the reply's first embed, name to value."""
    return {f["name"]: f["value"] for f in reply.embeds[0].get("fields") or []}


def footer_of(reply: InteractionReply) -> str:
    """The footer text of the reply's first embed."""
    return str(reply.embeds[0]["footer"]["text"])


async def table_snapshot(bot: FilmBot) -> dict[str, int]:
    """Row counts of every table of the bot's database but the TMDB response cache."""
    async with bot.services.engine.connect() as conn:
        names = await conn.run_sync(lambda sync: inspect(sync).get_table_names())
        return {
            name: (await conn.execute(text(f'SELECT COUNT(*) FROM "{name}"'))).scalar_one()
            for name in names
            if name != "tmdb_cache"
        }


@pytest.fixture
async def cinema(filmbot: FilmBot, fake_discord: FakeDiscord) -> Cinema:
    """A second server, "Cinema Society", that the bot joins at run time."""
    guild = fake_discord.add_guild("Cinema Society")
    admins = guild.add_role("Projectionists", ADMINISTRATOR)
    admin = fake_discord.add_user("cleo")
    guild.add_member(admin, [admins])
    member = fake_discord.add_user("carl")
    guild.add_member(member)
    lobby = guild.add_channel("lobby")
    assert await fake_discord.join_guild(guild) == 1
    for _ in range(100):
        if filmbot.get_guild(guild.id) is not None:
            break
        await asyncio.sleep(0.02)
    assert filmbot.get_guild(guild.id) is not None
    return Cinema(guild, lobby, admin, member)


@dataclass
class Cinema:
    """Handles of the second server."""

    guild: FakeGuild
    lobby: FakeChannel
    admin: FakeUser
    member: FakeUser
