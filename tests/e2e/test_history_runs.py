"""How /import runs: its TMDB budget, progress, failures midway, and newer ratings."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, date, datetime, timedelta

from filmbot.bot import FilmBot
from filmbot.services.history import ImportBudget
from tests.e2e.test_history_commands import library, run_import
from tests.fakes.discord_records import INTERACTION_RESPONSE, ORIGINAL_EDIT
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


FILMS = [
    ("tt0133093", "The Matrix", 1999, 603),
    ("tt1375666", "Inception", 2010, 27205),
    ("tt0816692", "Interstellar", 2014, 157336),
    ("tt2543164", "Arrival", 2016, 329865),
    ("tt1856101", "Blade Runner 2049", 2017, 335984),
    ("tt1160419", "Dune", 2021, 438631),
]


def imdb_films() -> bytes:
    """An IMDb ratings.csv of six films the fake TMDB knows."""
    lines = [f"{c},8,2022-05-01,{t},Movie,{y}\n" for c, t, y, _ in FILMS]
    return ("Const,Your Rating,Date Rated,Title,Title Type,Year\n" + "".join(lines)).encode()


async def test_an_import_that_fails_midway_keeps_earlier_batches_and_continues_next_time(
    filmbot: FilmBot, fake_discord: FakeDiscord, fake_tmdb: FakeTMDB, film_club: FilmClub
) -> None:
    filmbot.services.imports.batch_size = 2
    fake_tmdb.faults.slow(0.2)
    running = asyncio.create_task(
        run_import(fake_discord, film_club, film_club.member, "imdb", "ratings.csv", imdb_films())
    )
    while fake_tmdb.count() < 2:  # the first batch is asked for; then TMDB goes down
        await asyncio.sleep(0.02)
    fake_tmdb.faults.fail_next(10_000, status=503)
    _, summary = await running
    text = str(summary.body["content"])
    assert "stopped early" in text and "2 added" in text, text
    assert "It stopped at ratings.csv:4 (TMDB " in text and "HTTP 503" in text
    kept = await library(filmbot, film_club.member.id)
    assert set(kept) == {("movie", 603), ("movie", 27205)}
    fake_tmdb.faults.clear()
    _, again = await run_import(
        fake_discord, film_club, film_club.member, "imdb", "ratings.csv", imdb_films()
    )
    assert "4 added, 0 updated, 2 unchanged, 0 unmatched" in str(again.body["content"])
    assert set(await library(filmbot, film_club.member.id)) == {("movie", i) for *_, i in FILMS}


def arrival_rated(stars: str, on: date) -> bytes:
    """A Letterboxd ratings.csv rating Arrival on a day."""
    header = "Date,Name,Year,Letterboxd URI,Rating\n"
    return f"{header}{on.isoformat()},Arrival,2016,https://boxd.it/dDzs,{stars}\n".encode()


async def test_a_stored_rating_is_replaced_only_by_a_newer_one(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    member = film_club.member
    today = datetime.now(UTC).date()
    await run_import(
        fake_discord,
        film_club,
        member,
        "letterboxd",
        "ratings.csv",
        arrival_rated("4.5", today - timedelta(days=30)),
    )
    _, older = await run_import(
        fake_discord,
        film_club,
        member,
        "letterboxd",
        "ratings.csv",
        arrival_rated("2", today - timedelta(days=1)),
    )
    assert "0 added, 0 updated, 1 unchanged" in str(older.body["content"])
    assert await library(filmbot, member.id) == {("movie", 329865): (True, 9, None)}
    _, newer = await run_import(
        fake_discord,
        film_club,
        member,
        "letterboxd",
        "ratings.csv",
        arrival_rated("3", today + timedelta(days=1)),
    )
    assert "0 added, 1 updated, 0 unchanged" in str(newer.body["content"])
    assert await library(filmbot, member.id) == {("movie", 329865): (True, 6, None)}


async def test_progress_is_edited_at_most_every_two_seconds(
    filmbot: FilmBot, fake_discord: FakeDiscord, fake_tmdb: FakeTMDB, film_club: FilmClub
) -> None:
    fake_tmdb.faults.slow(0.25)
    since = fake_discord.recorder.mark()
    started = time.monotonic()
    await run_import(
        fake_discord, film_club, film_club.member, "imdb", "r.csv", unknown_imdb_ids(20)
    )
    seconds = time.monotonic() - started
    edits = fake_discord.recorder.find(
        lambda r: r.kind == ORIGINAL_EDIT and " of 20 · " in str(r.body.get("content")),
        since=since,
    )
    assert 2 <= len(edits) <= seconds // 2 + 1, (len(edits), seconds)


async def test_a_file_over_8_mb_is_refused_without_being_downloaded(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    big = b"Date,Name,Year\n" + b"x" * (8 * 2**20)
    reply = await fake_discord.slash(
        film_club.guild, film_club.member, "import", source="letterboxd", file=("big.csv", big)
    )
    assert "That file is over the 8 MB limit." in reply.content
    assert not [r for r in fake_discord.recorder.requests if r.path.startswith("/attachments/")]
    assert await library(filmbot, film_club.member.id) == {}
