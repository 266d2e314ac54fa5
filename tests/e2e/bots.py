"""Start the real FilmBot in process against the fake Discord (the fixture and restarts)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from filmbot.bot import FilmBot
from filmbot.config import Settings
from filmbot.db import migrate
from filmbot.db.session import engine_for_url
from filmbot.discord_rest import apply_discord_endpoints
from filmbot.services.container import build_services
from tests.fakes.discord_server import FakeDiscord


@asynccontextmanager
async def running_bot(settings: Settings, fake: FakeDiscord) -> AsyncIterator[FilmBot]:
    """A FilmBot process on the settings' database, connected and ready; closed on exit.

    Entering it again on the same database is what a restart looks like.
    """
    engine = engine_for_url(settings.database_url)
    await migrate.upgrade(engine)
    apply_discord_endpoints(settings)
    bot = FilmBot(settings, build_services(settings, engine), guild_ready_timeout=0.05)
    task = asyncio.create_task(bot.start(fake.token))
    try:
        await asyncio.wait_for(bot.wait_until_ready(), timeout=20)
        yield bot
    finally:
        await bot.close()
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
