"""Benchmark the TMDB client against the fake TMDB: latency, rate limiter, coalescing, cache.

The limiter runs repeat a burst of `--count` distinct detail fetches `--runs` times against
a fake TMDB in its own process that enforces the same budget strictly (a sliding window
that also counts refused requests), and print the 429s and wall time x floor of each run.
Parse times use details of real size: the fake's realistic mode, built from TMDB's OpenAPI
examples (../shared/data), answering the client's own `append_to_response`.

Run: .venv/bin/python bench/tmdb_client.py [--rate 400 --period 1 --count 1000 --delay 0.02
     --runs 20 --payload small|realistic]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.payloads import ms, parse_times
from tests.fakes.tmdb_catalogue import Catalogue
from tests.fakes.tmdb_server import FakeTMDB

from filmbot.domain.models import MediaType, TitleRef
from filmbot.tmdb import (
    LocalRateLimiter,
    MemoryTier,
    MovieDetails,
    TMDBCache,
    TMDBClient,
    TVDetails,
)
from filmbot.tmdb.client import MOVIE_APPEND, TV_APPEND
from filmbot.tmdb.models import parse_payload

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
    parser.add_argument("--runs", type=int, default=20, help="limiter runs against the fake")
    parser.add_argument(
        "--payload",
        choices=("small", "realistic"),
        default="small",
        help="detail payloads in the limiter runs: ~0.5 KB, or real size (~150 KB)",
    )
    return parser.parse_args()


def client_for(fake: FakeTMDB, rate: int, period: float, ttl: float = 3600.0) -> TMDBClient:
    limiter = LocalRateLimiter(rate, period)
    return TMDBClient.create(fake.base_url, api_key=fake.api_key, limiter=limiter, ttl=ttl)


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
        *("--strict", "--payload", args.payload),
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


async def fake_control(base_url: str, action: str, period: float) -> dict[str, int]:
    """Read the fake's counters ('stats') or make it forget its requests ('forget')."""
    url = base_url.removesuffix("/3") + f"/_fake/{action}"
    method = "GET" if action == "stats" else "POST"
    async with (
        aiohttp.ClientSession() as session,
        session.request(method, url, params={"period": str(period)}) as response,
    ):
        stats: dict[str, int] = await response.json()
    return stats


async def limiter_run(
    base_url: str, key: str, args: argparse.Namespace, refs: list[TitleRef]
) -> tuple[float, int, int, int]:
    """One burst with a fresh client: (wall, 429s, most requests in a window, titles found)."""
    await asyncio.sleep(args.period * 1.1)  # let the previous run's window drain
    await fake_control(base_url, "forget", args.period)
    limiter = LocalRateLimiter(args.rate, args.period)
    cache = TMDBCache(memory=MemoryTier(max_entries=2 * args.count))
    async with TMDBClient.create(base_url, api_key=key, limiter=limiter, cache=cache) as tmdb:
        start = time.perf_counter()
        batch = await tmdb.get_many_details(refs)
        wall = time.perf_counter() - start
    server = await fake_control(base_url, "stats", args.period)
    return wall, server["rate_limited"], server["max_in_window"], len(batch.found)


async def bench_limiter(args: argparse.Namespace) -> list[tuple[str, str]]:
    """Bursts of distinct detail fetches under the limiter; the fake enforces the same limit."""
    refs = [TitleRef(MediaType.MOVIE, FIRST_ID + n) for n in range(args.count)]
    floor = args.count / (args.rate / args.period)
    rows: list[tuple[str, str]] = []
    ratios: list[float] = []
    refused = 0
    async with fake_in_subprocess(args) as (base_url, key):
        for run in range(1, args.runs + 1):
            wall, too_many, most, found = await limiter_run(base_url, key, args, refs)
            ratios.append(wall / floor)
            refused += too_many
            rows.append(
                (
                    f"run {run:2}: {args.count} details at {args.rate}/{args.period:g}s",
                    f"{wall:6.2f} s = {wall / floor:5.3f} x floor   429s {too_many}   "
                    f"max in a window {most}   found {found}",
                )
            )
    return [
        *rows,
        (f"limiter floor N/rate ({args.payload} payloads)", f"{floor:6.2f} s"),
        ("wall / floor over the runs (target <= 1.06)", f"{min(ratios):.3f}-{max(ratios):.3f}"),
        (f"429s in {args.runs} runs (target 0)", str(refused)),
    ]


def bench_parse() -> list[tuple[str, str]]:
    """Decode and validate one title of real size, as the client does with each answer."""
    rows: list[tuple[str, str]] = []
    catalogue = Catalogue(realistic=True)
    catalogue.set_movie(1)
    catalogue.set_tv(1)
    kinds = (("movie", MovieDetails, MOVIE_APPEND), ("tv", TVDetails, TV_APPEND))
    for media, model, append in kinds:
        body = catalogue.details_json(media, 1, "en-US", list(append))
        assert body is not None
        times = parse_times(body, partial(parse_payload, model, path=f"/{media}/1"))
        rows.append((f"parse one {media} of real size ({len(body) / 1024:.0f} KB)", ms(times)))
    return rows


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
    rows += bench_parse()
    rows += await bench_limiter(args)
    width = max(len(name) for name, _ in rows)
    print(f"{'measure':<{width}}  value")
    print(f"{'-' * width}  {'-' * 30}")
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


if __name__ == "__main__":
    asyncio.run(main())
