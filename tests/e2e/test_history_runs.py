"""How /import runs: its TMDB budget, progress, failures midway, and newer ratings."""

from __future__ import annotations

import asyncio

from filmbot.bot import FilmBot
from filmbot.services.history import ImportBudget
from tests.e2e.test_history_commands import run_import
from tests.fakes.discord_records import INTERACTION_RESPONSE
from tests.fakes.discord_server import FakeDiscord
from tests.fakes.plugin_discord import FilmClub
from tests.fakes.tmdb_server import FakeTMDB


def unknown_imdb_ids(count: int) -> bytes:
    """An IMDb ratings.csv of ids TMDB does not know: one /find request per line."""
    lines = [f"tt{9_100_000 + n},7,2022-05-01,,Movie,1999\n" for n in range(count)]
    return ("Const,Your Rating,Date Rated,Title,Title Type,Year\n" + "".join(lines)).encode()


async def test_an_import_keeps_to_a_quarter_of_the_rate_limit_and_search_does_not_wait(
    filmbot: FilmBot, fake_discord: FakeDiscord, fake_tmdb: FakeTMDB, film_club: FilmClub
) -> None:
    rate_limit = 16  # TMDB_RATE_LIMIT per second: imports get 4 a second
    filmbot.services.imports.budget = ImportBudget.local(rate_limit, 1.0)
    since = fake_discord.recorder.mark()
    running = asyncio.create_task(
        run_import(fake_discord, film_club, film_club.member, "imdb", "r.csv", unknown_imdb_ids(14))
    )
    await fake_discord.wait_for(lambda r: r.kind == INTERACTION_RESPONSE, since=since)
    while fake_tmdb.count() < 3:
        await asyncio.sleep(0.05)
    found = await fake_discord.slash(film_club.guild, film_club.admin, "search", query="Dune")
    assert "Dune" in str(found.embeds)
    assert filmbot.services.imports.running(film_club.member.id)  # search did not wait for it
    searched_at = fake_tmdb.request_times("/search/")
    _, summary = await running
    assert "14 unmatched" in str(summary.body["content"])
    finds = fake_tmdb.request_times("/find/")
    assert len(finds) == 14 and searched_at and max(searched_at) < max(finds)
    assert fake_tmdb.max_in_window(1.0, "/find/") <= rate_limit // 4
