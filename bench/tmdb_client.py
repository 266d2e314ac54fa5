"""Benchmark the TMDB client against the fake TMDB: latency, rate limiter, coalescing, cache.

Run: .venv/bin/python bench/tmdb_client.py [--rate 400 --period 1 --count 1000 --delay 0.02]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.fakes.tmdb_server import FakeTMDB

from filmbot.domain.models import MediaType, TitleRef
from filmbot.tmdb import LocalRateLimiter, MemoryTier, TMDBCache, TMDBClient

ROOT = Path(__file__).resolve().parents[1]
QUERIES = ["dune", "matrix", "inception", "arrival", "blade", "interstellar", "breaking", "saul"]
FIRST_ID = 5_000_000


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rate", type=int, default=400, help="requests allowed per period")
    parser.add_argument("--period", type=float, default=1.0, help="limiter period in seconds")
    parser.add_argument("--count", type=int, default=1000, help="distinct detail fetches")
    parser.add_argument("--delay", type=float, default=0.02, help="fake network delay (s)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of the search queries")
    return parser.parse_args()


def client_for(fake: FakeTMDB, rate: int, period: float, ttl: float = 3600.0) -> TMDBClient:
    limiter = LocalRateLimiter(rate, period)
    return TMDBClient.create(fake.base_url, api_key=fake.api_key, limiter=limiter, ttl=ttl)


def ms(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    return f"p50 {statistics.median(ordered) * 1000:7.2f} ms   p95 {p95 * 1000:7.2f} ms"


async def timed(coro: object) -> float:
    start = time.perf_counter()
    await coro  # type: ignore[misc]
    return time.perf_counter() - start


async def bench_search(fake: FakeTMDB, args: argparse.Namespace) -> list[tuple[str, str]]:
    """Search latency: the first call of each query goes to TMDB, later ones hit the cache."""
    uncached: list[float] = []
    cached: list[float] = []
    async with client_for(fake, args.rate, args.period) as tmdb:
        for round_number in range(args.rounds):
            for query in QUERIES:
                elapsed = await timed(tmdb.search_multi(query))
                (uncached if round_number == 0 else cached).append(elapsed)
        stats = tmdb.stats
    return [
        (
            f"search uncached ({len(uncached)} calls, {args.delay * 1000:.0f} ms delay)",
            ms(uncached),
        ),
        (f"search cached ({len(cached)} calls)", ms(cached)),
        ("search cache hit ratio", f"{stats.hit_ratio:.1%}"),
    ]


@asynccontextmanager
async def fake_in_subprocess(args: argparse.Namespace) -> AsyncIterator[tuple[str, str]]:
    """Run the fake TMDB in its own process, as TMDB would be: yield (base URL, API key)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        *("-m", "tests.fakes.tmdb_server", "--delay", str(args.delay)),
        *("--limit", str(args.rate), "--period", str(args.period)),
        *("--titles", str(args.count), "--first-id", str(FIRST_ID)),
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        line = (await asyncio.wait_for(process.stdout.readline(), 30)).decode()
        base_url, key = line.split()[-2:]
        yield base_url, key.removeprefix("api_key=")
    finally:
        process.terminate()
        await process.wait()


async def server_stats(base_url: str, period: float) -> dict[str, int]:
    url = base_url.removesuffix("/3") + "/_fake/stats"
    async with (
        aiohttp.ClientSession() as session,
        session.get(url, params={"period": str(period)}) as response,
    ):
        stats: dict[str, int] = await response.json()
    return stats


async def bench_limiter(args: argparse.Namespace) -> list[tuple[str, str]]:
    """Distinct detail fetches under the limiter while the fake enforces the same limit."""
    refs = [TitleRef(MediaType.MOVIE, FIRST_ID + n) for n in range(args.count)]
    async with fake_in_subprocess(args) as (base_url, key):
        limiter = LocalRateLimiter(args.rate, args.period)
        cache = TMDBCache(memory=MemoryTier(max_entries=2 * args.count))
        async with TMDBClient.create(base_url, api_key=key, limiter=limiter, cache=cache) as tmdb:
            wall = await timed(tmdb.get_many_details(refs))
            server = await server_stats(base_url, args.period)
            upstream = tmdb.stats.upstream_requests
            found = len((await tmdb.get_many_details(refs)).found)
            cached_wall = await timed(tmdb.get_many_details(refs))
            stats = tmdb.stats
    floor = args.count / (args.rate / args.period)
    own_floor = args.count / limiter.rate
    return [
        (f"{args.count} distinct details at {args.rate}/{args.period:g}s", f"{wall:7.2f} s"),
        ("limiter floor N/rate", f"{floor:7.2f} s"),
        ("wall / floor (target <= 1.05)", f"{wall / floor:7.3f}"),
        (
            "floor at the limiter's own rate",
            f"{own_floor:7.2f} s ({limiter.rate:.0f}/s, 2% margin)",
        ),
        ("wall / limiter's own floor", f"{wall / own_floor:7.3f}"),
        ("429s from the fake (target 0)", str(server["rate_limited"])),
        ("max requests in any window", f"{server['max_in_window']} (limit {args.rate})"),
        ("upstream requests", str(upstream)),
        ("titles found", f"{found} of {args.count}"),
        (f"{args.count} details again, all cached", f"{cached_wall * 1000:7.1f} ms"),
        ("cache hits / misses after both repeats", f"{stats.hits} / {stats.misses}"),
    ]


async def bench_coalescing(fake: FakeTMDB, args: argparse.Namespace) -> list[tuple[str, str]]:
    """200 concurrent identical calls with the cache off: coalescing alone saves the calls."""
    fake.reset()
    fake.faults.slow(args.delay)
    async with client_for(fake, args.rate, args.period, ttl=0) as tmdb:
        wall = await timed(asyncio.gather(*(tmdb.get_movie(603) for _ in range(200))))
        coalesced = tmdb.stats.coalesced
    return [
        ("200 concurrent identical calls", f"{wall * 1000:7.1f} ms"),
        ("upstream requests (target 1)", str(fake.count("/movie/603"))),
        ("callers served by the shared call", str(coalesced)),
    ]


async def main() -> None:
    args = parse_args()
    rows: list[tuple[str, str]] = []
    async with FakeTMDB() as fake:
        fake.faults.slow(args.delay)
        rows += await bench_search(fake, args)
        rows += await bench_coalescing(fake, args)
    rows += await bench_limiter(args)
    width = max(len(name) for name, _ in rows)
    print(f"{'measure':<{width}}  value")
    print(f"{'-' * width}  {'-' * 30}")
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


if __name__ == "__main__":
    asyncio.run(main())
