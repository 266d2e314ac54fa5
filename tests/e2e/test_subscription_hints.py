"""/subscriptions says what each subscription will announce next, from the engine's snapshots."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from filmbot.bot import FilmBot
from filmbot.domain.models import MediaType, TitleRef
from filmbot.services.catalog import TitleSummary
from tests.fakes.discord_server import FakeDiscord
from tests.fakes.plugin_discord import FilmClub
from tests.fakes.tmdb_server import FakeTMDB

BREAKING_BAD = TitleSummary(TitleRef(MediaType.TV, 1396), "Breaking Bad", 2008, "", None, 8.9, 100)


async def test_subscriptions_list_says_what_each_title_announces_next(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub, fake_tmdb: FakeTMDB
) -> None:
    next_air = datetime.now(UTC).date() + timedelta(days=20)
    fake_tmdb.catalogue.set_next_episode(1396, next_air, season=6, episode=2, name="Return")
    await filmbot.services.subscriptions.subscribe(
        film_club.guild.id, BREAKING_BAD, can_manage_server=True
    )
    before = await fake_discord.slash(film_club.guild, film_club.member, "subscriptions")
    assert "next:" not in before.embeds[0]["description"]
    updates = filmbot.get_cog("Updates")
    assert updates is not None
    await updates.engine.run_cycle()  # type: ignore[attr-defined]
    after = await fake_discord.slash(film_club.guild, film_club.member, "subscriptions")
    assert f"↳ next: S06E02 on {next_air.isoformat()}" in after.embeds[0]["description"]
