"""The updates extension starts the loop when the bot is ready and stops it on close."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

from filmbot.bot import FilmBot
from filmbot.config import Settings
from filmbot.db import migrate
from filmbot.db.repositories import GuildRepository, SubscriptionRepository
from filmbot.db.session import create_sessionmaker, engine_for_url
from filmbot.discord_rest import apply_discord_endpoints
from filmbot.domain.models import MediaType, TitleRef
from filmbot.services.container import build_services
from tests.fakes.discord_records import CHANNEL_MESSAGE
from tests.fakes.discord_server import FakeDiscord
from tests.fakes.plugin_discord import FilmClub
from tests.fakes.tmdb_server import FakeTMDB

FILM = TitleRef(MediaType.MOVIE, 9_000_001)


async def test_ready_bot_runs_a_cycle_that_pings_the_role_and_stops_cleanly_on_close(
    tmdb_settings: Settings,
    fake_tmdb: FakeTMDB,
    fake_discord: FakeDiscord,
    film_club: FilmClub,
    discord_endpoints: None,
    tmp_path: Path,
) -> None:
    settings = tmdb_settings.model_copy(
        update={
            "database_url": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
            "discord_api_base_url": fake_discord.api_base_url,
            "discord_gateway_url": fake_discord.gateway_url,
            "log_dir": tmp_path / "logs",
            "auto_update_enabled": True,
            "sync_commands": False,
        }
    )
    fake_tmdb.catalogue.set_movie(FILM.tmdb_id, title="The Film", status="Released")
    fake_tmdb.catalogue.set_release_date(FILM.tmdb_id, datetime.now(UTC).date(), country="US")
    engine = engine_for_url(settings.database_url)
    await migrate.upgrade(engine)
    await _seed(engine, film_club)
    apply_discord_endpoints(settings)
    bot = FilmBot(settings, build_services(settings, engine), extensions=("filmbot.exts.updates",))
    bot._connection.guild_ready_timeout = 0.05
    task = asyncio.create_task(bot.start(fake_discord.token))
    try:
        record = await fake_discord.recorder.wait_for(
            lambda r: r.kind == CHANNEL_MESSAGE, timeout=20
        )
        cog = bot.get_cog("Updates")
        scheduler = cog.scheduler  # type: ignore[union-attr]
        for _ in range(1000):
            if scheduler.cycles:
                break
            await asyncio.sleep(0.02)
        status = await bot.services.update_status()
    finally:
        await bot.close()
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    assert record.channel_id == film_club.announcements.id
    assert record.body["content"] == f"<@&{film_club.movie_fans.id}>"
    assert status.startswith("last cycle") and "delivered 1," in status
    assert not scheduler.running


async def _seed(engine, club: FilmClub) -> None:  # type: ignore[no-untyped-def]
    async with create_sessionmaker(engine).begin() as session:
        guilds = GuildRepository(session)
        await guilds.ensure(club.guild.id, "Film Club")
        await guilds.update(
            club.guild.id,
            notification_channel_id=club.announcements.id,
            notification_role_id=club.movie_fans.id,
        )
        await SubscriptionRepository(session).add(club.guild.id, FILM, "The Film")
