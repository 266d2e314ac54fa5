"""Start the update loop once the bot is ready; stop it gracefully on unload."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, cast

from discord.ext import commands, tasks

from filmbot.discord_rest import DiscordNotificationSender
from filmbot.domain.clock import utcnow
from filmbot.services.container import build_update_engine
from filmbot.services.genres import GenreService
from filmbot.services.updates import UpdateScheduler

if TYPE_CHECKING:
    from filmbot.bot import FilmBot

log = logging.getLogger(__name__)

DM_PASS_MINUTES = 5.0
GENRE_PASS_MINUTES = 15.0
GENRE_PASS_TITLES = 1000
GENRE_FIRST_DELAY_SECONDS = 60.0


class Updates(commands.Cog):
    """Runs update cycles every UPDATE_INTERVAL_HOURS while AUTO_UPDATE_ENABLED."""

    def __init__(self, bot: commands.Bot) -> None:
        self.bot = cast("FilmBot", bot)
        self.engine = build_update_engine(self.bot.services, DiscordNotificationSender(self.bot))
        self.scheduler: UpdateScheduler | None = None
        services = self.bot.services
        self.genre_service = GenreService(services.sessions, services.tmdb)

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        """Start the loop the first time the bot is ready."""
        settings = self.bot.settings
        if not self.genres.is_running():
            self.genres.start()
        if not settings.auto_update_enabled or self.scheduler is not None:
            return
        self.scheduler = UpdateScheduler(self.engine, settings.update_interval, utcnow)
        self.scheduler.start()
        self.direct_messages.start()
        log.info("Automatic updates every %s", settings.update_interval)

    @tasks.loop(minutes=DM_PASS_MINUTES)
    async def direct_messages(self) -> None:
        """Send personal DMs whose quiet hours ended or whose digest time came."""
        try:
            await self.engine.deliver_members()
        except Exception:
            log.exception("Sending personal notifications failed; will retry")

    @tasks.loop(minutes=GENRE_PASS_MINUTES)
    async def genres(self) -> None:
        """Store genre names in the servers' languages and backfill titles' genres."""
        stored = 0
        try:
            await self.genre_service.store_names()
            while stored < GENRE_PASS_TITLES:
                found = await self.genre_service.backfill()
                stored += found
                if found == 0:
                    break
        except Exception:
            log.exception("Backfilling genres failed; will retry")

    @genres.before_loop
    async def _genres_after_start(self) -> None:
        """Leave the first minute after start-up to commands and the update cycle."""
        await asyncio.sleep(GENRE_FIRST_DELAY_SECONDS)

    async def cog_unload(self) -> None:
        """Stop the loop, letting a cycle in flight finish its sends."""
        self.genres.cancel()
        self.direct_messages.cancel()
        if self.scheduler is not None:
            await self.scheduler.stop()
            self.scheduler = None
