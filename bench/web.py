"""The dashboard under load: p50/p95 of the overview and the charts' data, concurrent clients.

Seeds a SQLite file with one server holding --subscriptions subscriptions (default 10,000)
and --ratings rated, watched watchlist items (default 100,000; 500 members, a fifth with a
review, spread over a year, each title with two genres), starts `filmbot web` as its own
process against the fake Discord OAuth, logs --clients browsers in as an admin (Manage
Server, so the overview also reads delivery health) and has them request, concurrently, the
overview (`/servers/ID`) and the charts' data (`/servers/ID/charts.json`) --requests times each.
Targets: p95 under 150 ms (overview) and 300 ms (charts' data). The same
run first measures one client alone (--requests / 2 times each), the baseline the
concurrent figures are compared with.

Run: .venv/bin/python bench/web.py [--subscriptions 10000 --ratings 100000 --clients 8]
(--scale 0.1 seeds a tenth of both; --database FILE keeps the seeded SQLite file and reuses
it next time; --profile FILE writes the server's cProfile statistics).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert, select
from tests.e2e.web.conftest import free_port, web_env
from tests.fakes.discord_oauth import FakeDiscordOAuth, OAuthGuild

from filmbot.db import migrate
from filmbot.db.models import (
    GenreNameRow,
    GuildRow,
    RatingRow,
    SubscriptionRow,
    TitleGenreRow,
    WatchlistRow,
)
from filmbot.db.session import create_sessionmaker, engine_for_url
from filmbot.domain.models import MediaType

GUILD = 1_100_000_000_000_000_001
ADMIN = 1_300_000_000_000_000_501
START = datetime(2025, 1, 1, tzinfo=UTC)
BATCH = 5_000
GENRES = [28, 12, 16, 35, 80, 99, 18, 10751, 14, 36, 27, 10402, 9648, 10749, 878, 53, 10752, 37]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subscriptions", type=int, default=10_000)
    parser.add_argument("--ratings", type=int, default=100_000)
    parser.add_argument("--scale", type=float, default=1.0, help="multiply both counts")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients")
    parser.add_argument("--requests", type=int, default=200, help="requests per page")
    parser.add_argument("--database", type=Path, help="SQLite file to keep and reuse")
    parser.add_argument("--profile", type=Path, help="write the server's cProfile stats here")
    return parser.parse_args()


async def seed(url: str, subscriptions: int, ratings: int) -> None:
    engine = engine_for_url(url)
    await migrate.upgrade(engine)
    sessions = create_sessionmaker(engine)
    rng = random.Random(17)
    async with sessions.begin() as session:
        session.add(GuildRow(id=GUILD, name="Bench Club", timezone="Europe/Berlin"))
        session.add_all(
            GenreNameRow(language="en-US", genre_id=g, name=f"Genre {g}") for g in GENRES
        )
        await session.flush()
        subs = [
            {
                "guild_id": GUILD,
                "tmdb_id": i + 1,
                "media_type": MediaType.MOVIE,
                "title": f"Title {i}",
                "subscribed_at": START + timedelta(minutes=rng.randrange(10**6)),
            }
            for i in range(subscriptions)
        ]
        for start in range(0, len(subs), BATCH):
            await session.execute(insert(SubscriptionRow), subs[start : start + BATCH])
    for start in range(0, ratings, BATCH):
        async with sessions.begin() as session:
            items = []
            for i in range(start, min(start + BATCH, ratings)):
                when = START + timedelta(minutes=rng.randrange(525_600))
                items.append(
                    {
                        "guild_id": GUILD,
                        "user_id": 10_000 + i % 500,
                        "tmdb_id": i + 1,
                        "media_type": MediaType.MOVIE,
                        "title": f"Film {i}",
                        "watched": True,
                        "watched_at": when,
                        "added_at": when,
                    }
                )
            await session.execute(insert(WatchlistRow), items)
            query = (
                select(
                    WatchlistRow.id,
                    WatchlistRow.user_id,
                    WatchlistRow.tmdb_id,
                    WatchlistRow.watched_at,
                )
                .where(WatchlistRow.tmdb_id > start)
                .where(WatchlistRow.tmdb_id <= start + BATCH)
            )
            rows = list(await session.execute(query))
            await session.execute(
                insert(TitleGenreRow),
                [
                    {"media_type": MediaType.MOVIE, "tmdb_id": t, "genre_id": g}
                    for _, _, t, _ in rows
                    for g in rng.sample(GENRES, 2)
                ],
            )
            await session.execute(
                insert(RatingRow),
                [
                    {
                        "watchlist_id": i,
                        "user_id": u,
                        "tmdb_id": t,
                        "media_type": MediaType.MOVIE,
                        "score": rng.randint(1, 10),
                        "review": "Good" if rng.random() < 0.2 else None,
                        "created_at": w,
                        "updated_at": w,
                    }
                    for i, u, t, w in rows
                ],
            )
    await engine.dispose()


async def log_in(base_url: str, session: aiohttp.ClientSession) -> None:
    async with session.get(f"{base_url}/auth/login", allow_redirects=False) as r:
        authorize = r.headers["Location"]
    form = {**dict(aiohttp.client.URL(authorize).query), "user_id": str(ADMIN)}
    async with session.post(authorize.split("?")[0], data=form, allow_redirects=False) as r:
        callback = r.headers["Location"]
    async with session.get(callback, allow_redirects=False) as r:
        assert r.status == 303, r.status


async def measure(sessions: list[aiohttp.ClientSession], url: str, total: int) -> list[float]:
    times: list[float] = []
    queue = list(range(total))

    async def client(session: aiohttp.ClientSession) -> None:
        while queue:
            queue.pop()
            start = time.perf_counter()
            async with session.get(url) as r:
                await r.read()
                assert r.status == 200, r.status
            times.append(time.perf_counter() - start)

    await asyncio.gather(*(client(s) for s in sessions))
    return times


def p95(times: list[float]) -> float:
    ms = sorted(t * 1000 for t in times)
    return ms[int(0.95 * (len(ms) - 1))]


def ratio(times: list[float], baseline: list[float]) -> float:
    return p95(times) / p95(baseline)


def row(clients: int, name: str, times: list[float], target_ms: float) -> str:
    ms = sorted(t * 1000 for t in times)
    verdict = "ok" if p95(times) < target_ms else "over"
    figures = f"{statistics.median(ms):.1f} | {p95(times):.1f} | {ms[-1]:.1f}"
    return f"| {clients} | {name} | {len(ms)} | {figures} | {target_ms:.0f} ({verdict}) |"


async def run(args: argparse.Namespace) -> None:
    subscriptions = int(args.subscriptions * args.scale)
    ratings = int(args.ratings * args.scale)
    with tempfile.TemporaryDirectory() as tmp:
        database = args.database or Path(tmp) / "bench.db"
        url = f"sqlite+aiosqlite:///{database}"
        started = time.perf_counter()
        if database.exists():
            print(f"reusing {database}")
        else:
            await seed(url, subscriptions, ratings)
            print(
                f"seeded {subscriptions} subscriptions, {ratings} ratings in "
                f"{time.perf_counter() - started:.1f} s"
            )
        port = free_port()
        base_url = f"http://127.0.0.1:{port}"
        fake = FakeDiscordOAuth(
            "1200000000000000001", "fake-client-secret", f"{base_url}/auth/callback"
        )
        fake.add_user(ADMIN, "admin", OAuthGuild(GUILD, "Bench Club", 1 << 5))
        await fake.start()
        env = {
            **os.environ,
            **web_env(fake, base_url, url),
            "WEB_PORT": str(port),
            "LOG_DIR": str(Path(tmp) / "logs"),
            "LOG_LEVEL": "WARNING",
        }
        profile = ["-m", "cProfile", "-o", str(args.profile)] if args.profile else []
        server = await asyncio.create_subprocess_exec(
            sys.executable, *profile, "-m", "filmbot", "--env-file", "", "web", env=env
        )
        try:
            await wait_up(base_url)
            jar = [
                aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
                for _ in range(args.clients)
            ]
            for session in jar:
                await log_in(base_url, session)
            page = f"{base_url}/servers/{GUILD}"
            await measure(jar, page, args.clients)  # warm up
            await measure(jar, f"{page}/charts.json", args.clients)
            alone = await measure(jar[:1], page, args.requests // 2)
            alone_charts = await measure(jar[:1], f"{page}/charts.json", args.requests // 2)
            overview = await measure(jar, page, args.requests)
            charts = await measure(jar, f"{page}/charts.json", args.requests)
            for session in jar:
                await session.close()
        finally:
            server.send_signal(signal.SIGTERM)
            await server.wait()
            await fake.stop()
    print(f"\nSQLite, load average {os.getloadavg()[0]:.1f} at the end\n")
    print("| clients | request | n | p50 ms | p95 ms | max ms | p95 target ms |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    print(row(1, "overview", alone, 150))
    print(row(1, "charts data", alone_charts, 300))
    print(row(args.clients, "overview", overview, 150))
    print(row(args.clients, "charts data", charts, 300))
    over, over_charts = ratio(overview, alone), ratio(charts, alone_charts)
    print(
        f"\np95 at {args.clients} clients / alone: overview {over:.1f}x, charts {over_charts:.1f}x"
    )


async def wait_up(base_url: str) -> None:
    async with aiohttp.ClientSession() as session:
        for _ in range(300):
            try:
                async with session.get(f"{base_url}/login") as r:
                    if r.status == 200:
                        return
            except aiohttp.ClientConnectionError:
                await asyncio.sleep(0.1)
    raise SystemExit("filmbot web did not start")


if __name__ == "__main__":
    asyncio.run(run(parse_args()))
