"""Talk to Discord over REST only (no gateway), for `filmbot check-updates --once`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import discord

from filmbot.config import Settings
from filmbot.discord_rest.endpoints import apply_discord_endpoints

MAX_RATELIMIT_WAIT = 30.0
LOGIN_REFUSED = "Discord rejected DISCORD_TOKEN (improper token); reset it in the developer portal"


class DiscordTokenRejected(Exception):
    """Discord refused DISCORD_TOKEN; the message is one line saying what to do."""

    def __init__(self) -> None:
        super().__init__(LOGIN_REFUSED)


@asynccontextmanager
async def rest_client(settings: Settings) -> AsyncIterator[discord.Client]:
    """Log in with DISCORD_TOKEN over REST (DISCORD_API_BASE_URL applied) and yield the client."""
    settings.require_runtime_secrets()
    assert settings.discord_token is not None
    apply_discord_endpoints(settings)
    client = discord.Client(
        # No gateway connection is made; the Guilds intent only keeps discord.py from
        # warning that its (unused) state cache may be incomplete without it.
        intents=discord.Intents(guilds=True),
        allowed_mentions=discord.AllowedMentions.none(),
        max_ratelimit_timeout=MAX_RATELIMIT_WAIT,
    )
    try:
        try:
            await client.login(settings.discord_token.get_secret_value())
        except discord.LoginFailure:
            raise DiscordTokenRejected from None
        yield client
    finally:
        await client.close()
