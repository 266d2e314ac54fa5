"""The FilmBot Discord client: holds the services and loads one extension per feature."""

from __future__ import annotations

import logging
import time
from typing import Any

import discord
from discord.ext import commands, tasks

from filmbot.config import Settings
from filmbot.domain.clock import utcnow
from filmbot.domain.models import Guild
from filmbot.exts import FilmBotTree
from filmbot.services.container import Services

log = logging.getLogger(__name__)

EXTENSIONS = (
    "filmbot.exts.search",
    "filmbot.exts.subscriptions",
    "filmbot.exts.watchlist",
    "filmbot.exts.recommend",
    "filmbot.exts.admin",
    "filmbot.exts.privacy",
    "filmbot.exts.updates",
    "filmbot.exts.history",
    "filmbot.exts.templates",
    "filmbot.exts.personal",
)
LEGACY_EXTENSION = "filmbot.exts.legacy"
GUILD_CACHE_SECONDS = 60.0
HEARTBEAT_SECONDS = 30.0
CACHE_PURGE_HOURS = 6.0


def build_intents(settings: Settings) -> discord.Intents:
    """Guilds only for slash commands; message content only when the prefix commands are on."""
    intents = discord.Intents.none()
    intents.guilds = True
    if settings.message_content_intent:
        intents.guild_messages = True
        intents.message_content = True
    return intents


class FilmBot(commands.AutoShardedBot):
    """The bot process: services, extensions, guild bookkeeping."""

    def __init__(
        self,
        settings: Settings,
        services: Services,
        *,
        extensions: tuple[str, ...] = EXTENSIONS,
        **options: Any,
    ) -> None:
        """Build the client; `options` go to discord.py (e.g. guild_ready_timeout)."""
        sharding: dict[str, Any] = {"shard_count": settings.shard_count, **options}
        if settings.shard_ids is not None:
            sharding["shard_ids"] = settings.shard_ids
        super().__init__(
            command_prefix=(
                commands.when_mentioned_or(settings.prefix)
                if settings.message_content_intent
                else commands.when_mentioned
            ),
            intents=build_intents(settings),
            allowed_mentions=discord.AllowedMentions.none(),
            **sharding,
            tree_cls=FilmBotTree,
            help_command=None,
            max_messages=None,
            chunk_guilds_at_startup=False,
        )
        self.settings = settings
        self.services = services
        self.extension_names = extensions
        self._guild_cache: dict[int, tuple[float, Guild]] = {}

    async def setup_hook(self) -> None:
        """Load the extensions, register the slash commands, start the heartbeat."""
        if self.settings.health_file is not None:
            self.heartbeat.start()
        self.purge_cache.start()
        for name in self.extension_names:
            await self.load_extension(name)
        if self.settings.message_content_intent and LEGACY_EXTENSION not in self.extension_names:
            await self.load_extension(LEGACY_EXTENSION)
        if self.settings.sync_commands:
            synced = await self.tree.sync()
            log.info("Registered %d slash commands", len(synced))

    async def guild_config(self, guild_id: int, name: str = "") -> Guild:
        """A server's settings, cached briefly (autocomplete asks on every keystroke)."""
        cached = self._guild_cache.get(guild_id)
        if cached and time.monotonic() - cached[0] < GUILD_CACHE_SECONDS:
            return cached[1]
        guild = await self.services.admin.guild(guild_id, name)
        self._guild_cache[guild_id] = (time.monotonic(), guild)
        return guild

    def forget_guild_config(self, guild_id: int) -> None:
        """Drop a cached server setting after a change."""
        self._guild_cache.pop(guild_id, None)

    @tasks.loop(seconds=HEARTBEAT_SECONDS)
    async def heartbeat(self) -> None:
        """Touch HEALTH_FILE while the gateway is connected, for container health checks."""
        if self.settings.health_file is not None and self.is_ready() and not self.is_closed():
            self.settings.health_file.touch()

    @tasks.loop(hours=CACHE_PURGE_HOURS)
    async def purge_cache(self) -> None:
        """Delete expired rows of the TMDB database cache."""
        try:
            removed = await self.services.tmdb.purge_expired_cache()
        except Exception:
            log.exception("Purging the TMDB cache failed; will retry")
            return
        log.debug("Purged %d expired TMDB cache rows", removed)

    async def on_ready(self) -> None:
        """Log who we are once connected."""
        log.info("Connected as %s to %d servers", self.user, len(self.guilds))

    async def on_guild_join(self, guild: discord.Guild) -> None:
        """Remember a new server (and cancel a pending deletion if it came back)."""
        await self.services.admin.guild(guild.id, guild.name)
        await self.services.admin.mark_left(guild.id, None)
        self.forget_guild_config(guild.id)
        log.info("Joined server %s (%s)", guild.name, guild.id)

    async def on_guild_remove(self, guild: discord.Guild) -> None:
        """Start the grace period after which the server's data is deleted."""
        await self.services.admin.mark_left(guild.id, utcnow())
        self.forget_guild_config(guild.id)
        log.info(
            "Left server %s (%s); data kept for %d days",
            guild.name,
            guild.id,
            self.settings.guild_data_grace_days,
        )

    async def close(self) -> None:
        """Close the gateway, then the services."""
        self.heartbeat.cancel()
        self.purge_cache.cancel()
        try:
            await super().close()
        finally:
            await self.services.close()
