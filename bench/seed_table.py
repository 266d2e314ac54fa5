"""The original design's performance table, measured the same way on FilmBot.

Each row times what the design timed, one operation after another, and prints the
design's figure, FilmBot's and the ratio (design / FilmBot: above 1 is faster):
- search cached / via API: `TMDBClient.search_multi` against the fake TMDB in this process,
  answered from the cache, or from the fake with `--api-latency` added to each answer;
- database insert: `SubscriptionService.subscribe`, one transaction per subscription;
- indexed select: `SubscriptionRepository.get` by (server, title) on the unique index;
- embed generation: the /search film embed built from a film of real size (OpenAPI example);
- background update cycle: one cold `UpdateEngine` cycle over 80 subscribed films at the
  default TMDB budget (30/s), with `--api-latency` on every answer; the fake answers at
  TMDB's real size (its realistic mode, as `bench/update_cycle.py --payloads realistic`:
  each film's own title, status and release dates inside TMDB's example answer).
The database rows run on SQLite (a file) and on PostgreSQL (127.0.0.1, as in the tests).
The cycle row also gives the process's CPU time during the cycle, which load inflates far
less than wall time.

Run: .venv/bin/python bench/seed_table.py [--repeat 200 --api-latency 0.1]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.databases import throwaway_database
from tests.fakes.tmdb_catalogue import Catalogue
from tests.fakes.tmdb_examples import example_title
from tests.fakes.tmdb_server import FakeTMDB

from filmbot.config import load_settings
from filmbot.db import migrate
from filmbot.db.repositories import SubscriptionRepository
from filmbot.db.session import create_sessionmaker, engine_for_url
from filmbot.domain.models import MediaType, TitleRef
from filmbot.exts._ui.titles import movie_embed
from filmbot.services.catalog import TitleSummary
from filmbot.services.notifications import NotificationMessage, SentMessage
from filmbot.services.subscriptions import SubscriptionService
from filmbot.services.updates import TMDBTitleSource, UpdateEngine
from filmbot.tmdb import LocalRateLimiter, MovieDetails, RetryPolicy, TMDBClient
from filmbot.tmdb.models import parse_payload

GUILD = 81_000_000_000_000_000
CYCLE_TITLES = 80
QUERIES = ["dune", "matrix", "inception", "arrival", "blade", "interstellar", "breaking", "saul"]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=200, help="operations timed per row")
    parser.add_argument("--api-latency", type=float, default=0.1, help="fake TMDB latency (s)")
    return parser.parse_args()


async def per_call(calls: int, call: Callable[[int], Awaitable[object]]) -> float:
    """Median seconds of `calls` sequential calls."""
    times = []
    for n in range(calls):
        start = time.perf_counter()
        await call(n)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def client_for(fake: FakeTMDB, rate: int = 30, period: float = 1.0) -> TMDBClient:
    policy = RetryPolicy(max_retries=2, deadline=60.0, timeout=10.0)
    limiter = LocalRateLimiter(rate, period)
    return TMDBClient.create(fake.base_url, api_key=fake.api_key, limiter=limiter, policy=policy)


async def search_rows(args: argparse.Namespace) -> list[tuple[str, float, str]]:
    async with FakeTMDB() as fake, client_for(fake) as tmdb:
        fake.faults.slow(args.api_latency)
        api = await per_call(len(QUERIES), lambda n: tmdb.search_multi(QUERIES[n]))
        cached = await per_call(args.repeat, lambda n: tmdb.search_multi(QUERIES[n % 8]))
    latency = f"fake TMDB answering in {args.api_latency * 1000:.0f} ms"
    return [
        ("search, cached", cached, "memory cache"),
        ("search via API", api, latency),
    ]


def summary(n: int) -> TitleSummary:
    ref = TitleRef(MediaType.MOVIE, 1_000 + n)
    return TitleSummary(ref, f"Film {n}", 2024, "", None, 7.0, 100)


async def database_rows(backend: str, args: argparse.Namespace) -> list[tuple[str, float, str]]:
    with tempfile.TemporaryDirectory() as workdir:
        async with throwaway_database(backend, Path(workdir)) as url:
            engine = engine_for_url(url)
            try:
                await migrate.upgrade(engine)
                sessions = create_sessionmaker(engine)
                service = SubscriptionService(sessions)
                await service.subscribe(GUILD, summary(-1), can_manage_server=True)
                insert = await per_call(
                    args.repeat,
                    lambda n: service.subscribe(GUILD, summary(n), can_manage_server=True),
                )

                async def select(n: int) -> None:
                    async with sessions() as session:
                        await SubscriptionRepository(session).get(GUILD, summary(n).ref)

                indexed = await per_call(args.repeat, select)
            finally:
                await engine.dispose()
    return [
        (f"database insert ({backend})", insert, "subscribe, one transaction each"),
        (f"indexed select ({backend})", indexed, "subscription by server and title"),
    ]


async def embed_row(args: argparse.Namespace) -> list[tuple[str, float, str]]:
    movie = parse_payload(MovieDetails, example_title("movie"), "/movie/550")

    async def build(_: int) -> None:
        movie_embed(movie, "https://image.tmdb.org/p/w500/a.jpg", None)

    return [("embed generation", await per_call(args.repeat, build), "film embed, real size")]


class AcceptingSender:
    """Accept every notification (Discord is not what this row measures)."""

    async def send(self, channel_id: int, message: NotificationMessage) -> SentMessage:
        return SentMessage(1)


def realistic_films() -> Catalogue:
    """The cycle's films, each answered at TMDB's real size with its own title and dates."""
    today = datetime.now(UTC).date()
    catalogue = Catalogue(today=today, realistic=True)
    for n in range(CYCLE_TITLES):
        tmdb_id = summary(n).ref.tmdb_id
        catalogue.set_movie(tmdb_id, title=f"Film {n}", status="Released")
        catalogue.set_release_date(tmdb_id, today - timedelta(days=400 + 7 * n), country="US")
    return catalogue


async def cycle_row(args: argparse.Namespace) -> list[tuple[str, float, str]]:
    with tempfile.TemporaryDirectory() as workdir:
        engine = engine_for_url(f"sqlite+aiosqlite:///{workdir}/cycle.db")
        await migrate.upgrade(engine)
        sessions = create_sessionmaker(engine)
        service = SubscriptionService(sessions)
        for n in range(CYCLE_TITLES):
            await service.subscribe(GUILD, summary(n), can_manage_server=True)
        async with FakeTMDB(catalogue=realistic_films()) as fake, client_for(fake) as tmdb:
            fake.faults.slow(args.api_latency)
            settings = load_settings(env_file=None, tmdb_api_key=fake.api_key)
            updates = UpdateEngine(sessions, TMDBTitleSource(tmdb), AcceptingSender(), settings)
            start, cpu = time.perf_counter(), time.process_time()
            await updates.run_cycle()
            seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        await engine.dispose()
    note = (
        f"cold, SQLite, 30/s, {args.api_latency * 1000:.0f} ms latency, real-size answers;"
        f" CPU {cpu:.2f} s (the fake TMDB's included)"
    )
    return [(f"update cycle, {CYCLE_TITLES} titles", seconds, note)]


DESIGN = {
    "search, cached": 0.015,
    "search via API": 0.250,
    "database insert": 0.008,
    "indexed select": 0.003,
    "embed generation": 0.002,
    "update cycle": 45.0,
}


def design_figure(name: str) -> float:
    return next(value for prefix, value in DESIGN.items() if name.startswith(prefix))


def show(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.2f} s"
    return f"{seconds * 1000:.2f} ms ({1 / seconds:,.0f}/s)"


def print_table(rows: list[tuple[str, float, str]]) -> None:
    print("| operation | design | FilmBot | design / FilmBot | how |")
    print("| --- | ---: | ---: | ---: | --- |")
    for name, seconds, how in rows:
        design = design_figure(name)
        print(f"| {name} | {show(design)} | {show(seconds)} | {design / seconds:,.1f}x | {how} |")


async def main() -> None:
    args = parse_args()
    rows = await search_rows(args)
    for backend in ("sqlite", "postgresql"):
        rows += await database_rows(backend, args)
    rows += await embed_row(args)
    rows += await cycle_row(args)
    print(f"Measured {datetime.now(UTC):%Y-%m-%d}, medians of {args.repeat} operations\n")
    print_table(rows)


if __name__ == "__main__":
    asyncio.run(main())
