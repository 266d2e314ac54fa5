"""Point discord.py at DISCORD_API_BASE_URL and DISCORD_GATEWAY_URL (proxies and tests)."""

from __future__ import annotations

import discord
import discord.gateway
import discord.http
import yarl

from filmbot.config import Settings


def apply_discord_endpoints(settings: Settings) -> None:
    """Route discord.py's REST calls and gateway connection through the configured URLs."""
    discord.http.Route.BASE = settings.discord_api_base_url.rstrip("/")
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.discord_gateway_url)
