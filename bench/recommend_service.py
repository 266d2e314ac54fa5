"""Server-side time of one /recommend through the real service, database and TMDB client.

A server of 1,000 members with 100 ratings each (100,000 ratings in SQLite) over 4,000
titles served by the fake TMDB. TMDB responses are cached after each member's first
request, as in a running bot. Compares the warm path (similarity index kept and updated
incrementally) with the naive path that rebuilds the index for every request.

    python bench/recommend_service.py [--members 1000] [--ratings 100] [--titles 4000]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402
from tests.fakes.tmdb_server import FakeTMDB  # noqa: E402

from filmbot.config import load_settings  # noqa: E402
from filmbot.db import migrate  # noqa: E402
from filmbot.db.models import GuildRow, RatingRow, WatchlistRow  # noqa: E402
from filmbot.db.session import create_sessionmaker, engine_for_url  # noqa: E402
from filmbot.domain.models import MediaType, TitleRef  # noqa: E402
from filmbot.services.catalog import CatalogService, TitleSummary  # noqa: E402
from filmbot.services.container import build_tmdb  # noqa: E402
from filmbot.services.recommendations import CommunityIndexes, RecommendationService  # noqa: E402
from filmbot.services.watchlist import WatchlistService  # noqa: E402

GUILD = 1_100_000_000_000_000_001
FIRST_ID = 5_000_000
GENRES = [28, 12, 16, 35, 80, 18, 14, 27, 9648, 10749, 878, 53]


def populate_catalogue(fake: FakeTMDB, titles: int, rng: random.Random) -> None:
    """Films with genres, votes and a Zipf-like popularity."""
    for n in range(titles):
        fake.catalogue.set_movie(
            FIRST_ID + n,
            title=f"Film {n}",
            genres=[{"id": g, "name": str(g)} for g in rng.sample(GENRES, 2)],
            vote_average=round(rng.uniform(4, 9), 1),
            vote_count=1000,
            popularity=1000 / (n + 1),
        )


async def populate_ratings(
    url: str, members: int, per_member: int, titles: int, rng: random.Random
) -> None:
    """Insert the server's watchlists and ratings in bulk."""
    engine = engine_for_url(url)
    await migrate.upgrade(engine)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    weights = [1 / (n + 1) ** 0.8 for n in range(titles)]
    items, ratings, item_id = [], [], 0
    for member in range(members):
        picked = set()
        while len(picked) < per_member:
            picked.update(rng.choices(range(titles), weights=weights, k=per_member))
        for n in list(picked)[:per_member]:
            item_id += 1
            when = start + timedelta(minutes=item_id)
            items.append(
                {
                    "id": item_id,
                    "guild_id": GUILD,
                    "user_id": 10_000 + member,
                    "tmdb_id": FIRST_ID + n,
                    "media_type": MediaType.MOVIE,
                    "title": f"Film {n}",
                    "priority": 1,
                    "watched": True,
                    "added_at": when,
                }
            )
            ratings.append(
                {
                    "watchlist_id": item_id,
                    "user_id": 10_000 + member,
                    "tmdb_id": FIRST_ID + n,
                    "media_type": MediaType.MOVIE,
                    "score": rng.randint(3, 10),
                    "created_at": when,
                    "updated_at": when,
                }
            )
    async with engine.begin() as connection:
        await connection.execute(insert(GuildRow), [{"id": GUILD, "name": "Bench"}])
        for table, rows in ((WatchlistRow, items), (RatingRow, ratings)):
            for chunk in range(0, len(rows), 5000):
                await connection.execute(insert(table), rows[chunk : chunk + 5000])
    await engine.dispose()


def pct(values: list[float], q: float) -> float:
    """The q-quantile in milliseconds."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


async def main(args: argparse.Namespace) -> None:
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{tmp}/bench.db"
        t0 = time.perf_counter()
        await populate_ratings(url, args.members, args.ratings, args.titles, rng)
        seeded = time.perf_counter() - t0
        async with FakeTMDB() as fake:
            populate_catalogue(fake, args.titles, rng)
            settings = load_settings(
                None,
                tmdb_base_url=fake.base_url,
                tmdb_api_key=fake.api_key,
                tmdb_rate_limit=5000,
                tmdb_rate_period=1.0,
                database_url=url,
            )
            engine = engine_for_url(url)
            sessions = create_sessionmaker(engine)
            tmdb = build_tmdb(settings, sessions)
            service = RecommendationService(sessions, tmdb, CatalogService(tmdb), settings)
            users = [10_000 + n for n in range(args.users)]

            start = time.perf_counter()
            await service.recommend(GUILD, users[0])
            cold = time.perf_counter() - start
            for user in users:
                await service.recommend(GUILD, user)
            warm = []
            for user in users:
                start = time.perf_counter()
                result = await service.recommend(GUILD, user)
                warm.append(time.perf_counter() - start)
                assert result.items, "no recommendations"
            watchlist = WatchlistService(sessions, 1000)
            after_rating = []
            for n, user in enumerate(users):
                summary = TitleSummary(
                    TitleRef(MediaType.MOVIE, FIRST_ID + args.titles - 1 - n),
                    f"Film {n}",
                    None,
                    "",
                    None,
                    7.0,
                    10,
                )
                await watchlist.rate(GUILD, user, summary, 9)
                start = time.perf_counter()
                await service.recommend(GUILD, user)
                after_rating.append(time.perf_counter() - start)
            naive = []
            for user in users[:5]:
                service.communities = CommunityIndexes(sessions, cross_guild=False)
                start = time.perf_counter()
                await service.recommend(GUILD, user)
                naive.append(time.perf_counter() - start)
            await tmdb.close()
            await engine.dispose()

    warm_p50 = pct(warm, 0.5)
    rows = [
        (
            "members x ratings",
            f"{args.members} x {args.ratings} ({args.members * args.ratings:,} ratings)",
        ),
        ("seeding the database", f"{seeded:.1f} s"),
        ("first /recommend (builds the index)", f"{cold * 1000:.0f} ms"),
        (
            "warm /recommend p50 / p95",
            f"{warm_p50:.0f} ms / {pct(warm, 0.95):.0f} ms (target < 1000 ms)",
        ),
        (
            "after the member's new rating p50",
            f"{pct(after_rating, 0.5):.0f} ms (index updated in place)",
        ),
        ("naive: rebuild index per request p50", f"{statistics.median(naive) * 1000:.0f} ms"),
        ("naive / warm", f"{statistics.median(naive) * 1000 / warm_p50:.1f}x"),
    ]
    width = max(len(name) for name, _ in rows)
    print(f"{'measure'.ljust(width)}  value")
    print(f"{'-' * width}  {'-' * 40}")
    for name, value in rows:
        print(f"{name.ljust(width)}  {value}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--ratings", type=int, default=100)
    parser.add_argument("--titles", type=int, default=4000)
    parser.add_argument("--users", type=int, default=20, help="members whose requests are timed")
    asyncio.run(main(parser.parse_args()))
