"""Server-side time of /recommend on MovieLens through the real service, database and TMDB client.

One server whose 671 members rated 9,066 films (MovieLens small: 100,004 ratings, as dated
in the data set) in SQLite. The fake TMDB serves every film with its MovieLens genres, its
mean rating as vote average, its rating count as popularity and ten similar films of the
same genre. Measured, in order:

1. the first /recommend after start (the similarity index is built from the database);
2. a first pass over every member with TMDB not yet cached (each member's rated titles
   and related lists are fetched once);
3. a warm pass over every member (p50 / p95 / max);
4. a request right after the member's new rating (the index is updated in place);
5. the first /recommend after a restart, TMDB answers still cached in the database.

    python bench/recommend_service.py [DATA_DIR] [--members 671] [--after-rating 50]

The index is always built from every rating; --members only limits whose requests are
timed (the first pass is slow: each member's titles go through the TMDB client's cache).
The one-off requests also print the process's CPU time (the fake TMDB runs in the same
process, so its share is included): on a loaded machine it shows what the wall time hides.

Skips (exit 0, with the reason) when the MovieLens data is absent, and always under CI=true.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import os
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402
from tests.fakes.tmdb_server import FakeTMDB  # noqa: E402

from filmbot.config import Settings, load_settings  # noqa: E402
from filmbot.db import migrate  # noqa: E402
from filmbot.db.models import GuildRow, RatingRow, WatchlistRow  # noqa: E402
from filmbot.db.session import Sessions, create_sessionmaker, engine_for_url  # noqa: E402
from filmbot.domain.models import MediaType, TitleRef  # noqa: E402
from filmbot.services.catalog import CatalogService, TitleSummary  # noqa: E402
from filmbot.services.container import build_tmdb  # noqa: E402
from filmbot.services.recommendations import RecommendationService  # noqa: E402
from filmbot.services.watchlist import WatchlistService  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "movielens-small"
GUILD = 1_100_000_000_000_000_001
MEMBER_BASE = 10_000
SIMILAR = 10


@dataclass
class MovieLens:
    """Ratings as (user, movie, score 1..10, timestamp) and each film's genres."""

    ratings: list[tuple[int, int, int, int]] = field(default_factory=list)
    titles: dict[int, str] = field(default_factory=dict)
    genres: dict[int, list[str]] = field(default_factory=dict)


def load(path: Path) -> MovieLens:
    """Read ratings.csv and movies.csv (stars doubled onto 1..10)."""
    data = MovieLens()
    with (path / "ratings.csv").open(newline="") as fh:
        for row in csv.DictReader(fh):
            score = max(1, round(float(row["rating"]) * 2))
            data.ratings.append(
                (int(row["userId"]), int(row["movieId"]), score, int(row["timestamp"]))
            )
    with (path / "movies.csv").open(newline="") as fh:
        for row in csv.DictReader(fh):
            movie = int(row["movieId"])
            data.titles[movie] = row["title"]
            data.genres[movie] = [g for g in row["genres"].split("|") if "(" not in g]
    return data


def populate_catalogue(fake: FakeTMDB, data: MovieLens) -> None:
    """Every film with genres, mean rating, rating count and similar films of its genre."""
    sums: Counter[int] = Counter()
    counts: Counter[int] = Counter()
    for _, movie, score, _ in data.ratings:
        sums[movie] += score
        counts[movie] += 1
    genre_ids = {name: n + 1 for n, name in enumerate(sorted(_all_genres(data)))}
    by_genre: dict[str, list[int]] = defaultdict(list)
    for movie in sorted(counts, key=lambda m: -counts[m]):
        for name in data.genres.get(movie, [])[:1]:
            by_genre[name].append(movie)
    for movie, title in data.titles.items():
        names = data.genres.get(movie, [])
        peers = by_genre.get(names[0], []) if names else []
        fake.catalogue.set_movie(
            movie,
            title=title,
            genres=[{"id": genre_ids[g], "name": g} for g in names],
            vote_average=round(sums[movie] / counts[movie], 1) if counts[movie] else 0.0,
            vote_count=counts[movie],
            popularity=float(counts[movie]),
            _similar=[m for m in peers[: SIMILAR + 1] if m != movie][:SIMILAR],
        )


def _all_genres(data: MovieLens) -> set[str]:
    """Every genre name in movies.csv."""
    return {g for names in data.genres.values() for g in names}


async def populate_ratings(url: str, data: MovieLens) -> None:
    """Insert the server's watchlists and ratings in bulk, dated as in MovieLens."""
    engine = engine_for_url(url)
    await migrate.upgrade(engine)
    items, ratings = [], []
    for item_id, (user, movie, score, ts) in enumerate(data.ratings, start=1):
        when = datetime.fromtimestamp(ts, UTC)
        member = MEMBER_BASE + user
        title = data.titles.get(movie, str(movie))[:255]
        items.append(
            {
                "id": item_id,
                "guild_id": GUILD,
                "user_id": member,
                "tmdb_id": movie,
                "media_type": MediaType.MOVIE,
                "title": title,
                "priority": 1,
                "watched": True,
                "added_at": when,
            }
        )
        ratings.append(
            {
                "watchlist_id": item_id,
                "user_id": member,
                "tmdb_id": movie,
                "media_type": MediaType.MOVIE,
                "score": score,
                "created_at": when,
                "updated_at": when,
            }
        )
    async with engine.begin() as connection:
        await connection.execute(insert(GuildRow), [{"id": GUILD, "name": "MovieLens"}])
        for table, rows in ((WatchlistRow, items), (RatingRow, ratings)):
            for chunk in range(0, len(rows), 5000):
                await connection.execute(insert(table), rows[chunk : chunk + 5000])
    await engine.dispose()


def progress(message: str) -> None:
    """Say on stderr which step is running (the table goes to stdout)."""
    print(f"... {message}", file=sys.stderr, flush=True)


def pct(values: list[float], q: float) -> float:
    """The q-quantile in milliseconds."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def spread(values: list[float]) -> str:
    """p50 / p95 / max in milliseconds."""
    return f"{pct(values, 0.5):.0f} / {pct(values, 0.95):.0f} / {max(values) * 1000:.0f} ms"


async def timed_pass(service: RecommendationService, members: list[int]) -> list[float]:
    """Time one /recommend per member, in order."""
    times = []
    for member in members:
        start = time.perf_counter()
        result = await service.recommend(GUILD, member)
        times.append(time.perf_counter() - start)
        assert result.items, f"no recommendations for member {member}"
    return times


async def after_rating(
    service: RecommendationService, sessions: Sessions, members: list[int], data: MovieLens
) -> list[float]:
    """Rate one more film per member, then time that member's /recommend."""
    watchlist = WatchlistService(sessions, 100_000)
    rated: dict[int, set[int]] = defaultdict(set)
    for user, movie, _, _ in data.ratings:
        rated[MEMBER_BASE + user].add(movie)
    films = sorted(data.titles)
    times = []
    for member in members:
        movie = next(m for m in films if m not in rated[member])
        summary = TitleSummary(
            TitleRef(MediaType.MOVIE, movie), data.titles[movie], None, "", None, 7.0, 10
        )
        await watchlist.rate(GUILD, member, summary, 9)
        start = time.perf_counter()
        await service.recommend(GUILD, member)
        times.append(time.perf_counter() - start)
    return times


async def measure(url: str, settings: Settings, data: MovieLens, args: argparse.Namespace) -> None:
    """Run the passes and print the table."""
    engine = engine_for_url(url)
    sessions = create_sessionmaker(engine)
    tmdb = build_tmdb(settings, sessions)
    service = RecommendationService(sessions, tmdb, CatalogService(tmdb), settings)
    counts = Counter(MEMBER_BASE + user for user, _, _, _ in data.ratings)
    members = sorted(counts)
    members = members[:: max(1, len(members) // args.members)][: args.members]
    first_member = members[0]
    start, cpu = time.perf_counter(), time.process_time()
    await service.recommend(GUILD, first_member)
    first, first_cpu = time.perf_counter() - start, time.process_time() - cpu
    progress(f"first request: {first * 1000:.0f} ms; first pass over {len(members)} members")
    cold = await timed_pass(service, members[1:])
    progress("warm pass")
    warm = await timed_pass(service, members)
    progress("requests right after a new rating")
    rerated = await after_rating(service, sessions, members[: args.after_rating], data)
    restarted = RecommendationService(sessions, tmdb, CatalogService(tmdb), settings)
    start, cpu = time.perf_counter(), time.process_time()
    await restarted.communities.for_guild(GUILD)
    build, build_cpu = time.perf_counter() - start, time.process_time() - cpu
    again = RecommendationService(sessions, tmdb, CatalogService(tmdb), settings)
    start, cpu = time.perf_counter(), time.process_time()
    await again.recommend(GUILD, first_member)
    restart, restart_cpu = time.perf_counter() - start, time.process_time() - cpu
    await tmdb.close()
    await engine.dispose()
    rows = [
        ("server", f"{len(counts)} members, {len(data.ratings):,} ratings, SQLite"),
        ("members timed", str(len(members))),
        (
            "first /recommend after start (cold TMDB)",
            f"{first * 1000:.0f} ms, CPU {first_cpu * 1000:.0f} ms"
            f" (member with {counts[first_member]} ratings)",
        ),
        ("first pass, TMDB not yet cached p50/p95/max", spread(cold)),
        ("warm /recommend p50/p95/max", spread(warm)),
        ("right after the member's new rating p50/p95/max", spread(rerated)),
        (
            "index build from the database alone",
            f"{build * 1000:.0f} ms, CPU {build_cpu * 1000:.0f} ms",
        ),
        (
            "first /recommend after a restart (TMDB cached)",
            f"{restart * 1000:.0f} ms, CPU {restart_cpu * 1000:.0f} ms",
        ),
    ]
    width = max(len(name) for name, _ in rows)
    print(f"| {'measure'.ljust(width)} | value |")
    print(f"| {'-' * width} | --- |")
    for name, value in rows:
        print(f"| {name.ljust(width)} | {value} |")


async def main(args: argparse.Namespace) -> None:
    """Seed the database and the fake TMDB, then measure."""
    data = load(args.data)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{tmp}/bench.db"
        started = time.perf_counter()
        await populate_ratings(url, data)
        print(f"seeded {len(data.ratings):,} ratings in {time.perf_counter() - started:.1f} s")
        async with FakeTMDB() as fake:
            populate_catalogue(fake, data)
            settings = load_settings(
                None,
                tmdb_base_url=fake.base_url,
                tmdb_api_key=fake.api_key,
                tmdb_rate_limit=5000,
                tmdb_rate_period=1.0,
                database_url=url,
            )
            await measure(url, settings, data, args)


def skip_reason(data: Path) -> str | None:
    """Why the bench cannot run here, if it cannot."""
    if os.environ.get("CI", "").lower() == "true":
        return "CI=true: this benchmark takes minutes and needs ../shared/data; not run in CI"
    if not (data / "ratings.csv").is_file() or not (data / "movies.csv").is_file():
        return f"MovieLens data not found at {data} (need ratings.csv and movies.csv)"
    return None


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?", type=Path, default=DEFAULT_DATA)
    parser.add_argument(
        "--members", type=int, default=671, help="members timed (spread over the server)"
    )
    parser.add_argument(
        "--after-rating", type=int, default=50, help="members timed right after a new rating"
    )
    arguments = parser.parse_args()
    reason = skip_reason(arguments.data)
    if reason is not None:
        print(f"skipped: {reason}")
        sys.exit(0)
    asyncio.run(main(arguments))
