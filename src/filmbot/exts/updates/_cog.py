"""Start the update loop once the bot is ready; stop it gracefully on unload."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING, cast

from discord.ext import commands

from filmbot.db.types import utcnow
from filmbot.exts.updates._sender import DiscordNotificationSender
from filmbot.services.updates import (
    UpdateEngine,
    UpdateScheduler,
    shard_filter,
    shard_scope,
    title_source,
)

if TYPE_CHECKING:
    from filmbot.bot import FilmBot

log = logging.getLogger(__name__)


class Updates(commands.Cog):
    """Runs update cycles every UPDATE_INTERVAL_HOURS while AUTO_UPDATE_ENABLED."""

    def __init__(self, bot: commands.Bot) -> None:
        self.bot = cast("FilmBot", bot)
        self.engine = build_engine(self.bot)
        self.scheduler: UpdateScheduler | None = None
        self.bot.services.status_source = self.status
        self.bot.services.subscriptions.set_hint_source(self.engine.next_hints)

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        """Start the loop the first time the bot is ready."""
        settings = self.bot.settings
        if not settings.auto_update_enabled or self.scheduler is not None:
            return
        interval = timedelta(hours=settings.update_interval_hours)
        self.scheduler = UpdateScheduler(self.engine, interval, utcnow)
        self.scheduler.start()
        log.info("Automatic updates every %s", interval)

    async def cog_unload(self) -> None:
        """Stop the loop, letting a cycle in flight finish its sends."""
        if self.scheduler is not None:
            await self.scheduler.stop()
            self.scheduler = None

    async def status(self) -> str:
        """Describe the last update cycle for /stats."""
        report = await self.engine.last_cycle()
        if report is None:
            return "no update cycle has run yet"
        return f"last cycle {report.started_at:%Y-%m-%d %H:%M} UTC: {report.summary()}"


def build_engine(bot: FilmBot) -> UpdateEngine:
    """Wire the engine to the bot's services, its REST client and its shards."""
    services = bot.services
    settings = services.settings
    return UpdateEngine(
        services.sessions,
        title_source(services.tmdb, services.redis, settings.update_interval_seconds),
        DiscordNotificationSender(bot),
        settings,
        owns=shard_filter(settings),
        scope=shard_scope(settings),
    )
