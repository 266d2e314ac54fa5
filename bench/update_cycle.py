"""Benchmark FilmBot's update cycle against the naive loop (one TMDB fetch per subscription).

For each size N (default 10,000): N/100 guilds following 100 titles each, over N/5 distinct
titles, on the fake TMDB running in a separate process so that its CPU does not compete
with the engine's. A cold cycle is followed by a warm one six hours later in which 5% of
the titles are in TMDB's change feed. The TMDB rate limit is raised to RATE requests/s
(default 1000/s, far above TMDB's real limit) so the run is short; the floor of a cycle's
wall time is its request count divided by that rate.

    python bench/update_cycle.py [--subscriptions 10000 100000] [--backend postgresql]
                                 [--rate 1000] [--workdir /tmp] [--skip-naive]
                                 [--personal-follows 10000 --members 2000]
                                 [--payloads realistic|small]

With --payloads realistic (the default) the fake answers each details request at TMDB's
real size (tests/fakes/tmdb_realistic.py: TMDB's example title and parts around the
catalogue's fields; about 77 KB a film and 34 KB a show with what the engine asks for),
with --payloads small with the catalogue's fields alone (about 0.5 KB). Below the table,
per row: the detail payloads the engine decoded, their mean size, and the mean time per
title of the transport's JSON decoding and of `snapshot_from_tmdb`, timed in this process
(bench/payloads.py).

With --personal-follows F, the smallest size runs again with F personal follows by
--members members over the same titles, and a second table compares the two: TMDB
requests (which must not grow with personal follows), Discord calls (server posts,
create-DM calls, DM posts) and wall time.

While each cycle runs, a probe task measures the longest event-loop stall (the largest
delay of a 2 ms sleep) and issues a catalog search through the same TMDB client every
100 ms, compared with the same searches outside a cycle. Peak RSS is the process's
high-water mark after the row; the longest garbage-collection pause comes from
`gc.callbacks`. After each cycle the same number of detail requests is fetched alone
through the same client ("floor measured alone"), so that on a loaded machine the cycle
can be compared with a floor taken under the same load in the same process; "CPU" is the
process's CPU time during the cycle (all threads), which load inflates far less than wall
time. PostgreSQL
runs use a throwaway database on 127.0.0.1:5432 (user from FILMBOT_BENCH_PG_USER, default
postgres). The naive loop runs at the smallest size only. Prints one table; database
statements are counted with a `before_cursor_execute` listener.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import gc
import json
import os
import random
import resource
import statistics
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.payloads import ParseCost, counting_parse
from bench.stalls import SlowCallbacks, StallSampler
from sqlalchemy import event, insert, select, update

from filmbot.config import load_settings
from filmbot.db import migrate
from filmbot.db.models import GuildRow, MemberNotifySettingsRow, PersonalFollowRow, SubscriptionRow
from filmbot.db.session import create_sessionmaker, engine_for_url
from filmbot.domain.models import MediaType, TitleRef
from filmbot.domain.updates import GuildPrefs, detect_events, snapshot_from_tmdb
from filmbot.services.catalog import CatalogService
from filmbot.services.notifications import NotificationMessage, SentMessage
from filmbot.services.updates import TMDBTitleSource, UpdateEngine
from filmbot.services.updates.sources import run_bounded
from filmbot.tmdb import LocalRateLimiter, RetryPolicy, TMDBClient

PER_GUILD = 100
TITLES_PER_SUBSCRIPTION = 0.2
MOVIE_SHARE = 0.7
EVENT_SHARE = 0.10
CHANGED_SHARE = 0.05
FIRST_GUILD = 1_100_000_000_000_000_001
FIRST_MEMBER = 1_500_000_000_000_000_001
SEED = 7
PROBE_SLEEP = 0.002
SEARCH_EVERY = 0.1
PG_HOST, PG_PORT = "127.0.0.1", 5432


# -- the fake TMDB, in its own process -------------------------------------------------------


def serve(titles: int, payloads: str) -> None:
    """Run the fake TMDB with a generated catalogue; answer 'count'/'change'/'quit' on stdin."""
    from tests.fakes.tmdb_catalogue import Catalogue
    from tests.fakes.tmdb_server import FakeTMDB

    async def main() -> None:
        today = datetime.now(UTC).date()
        catalogue = Catalogue(today=today, realistic=payloads == "realistic")
        catalogue.movies.clear()
        catalogue.tv.clear()
        refs = populate(catalogue, titles, today)
        async with FakeTMDB(catalogue=catalogue) as fake:
            print(json.dumps({"port": fake.port, "api_key": fake.api_key}), flush=True)
            loop = asyncio.get_running_loop()
            while True:
                line = (await loop.run_in_executor(None, sys.stdin.readline)).strip()
                if line in ("", "quit"):
                    return
                print(json.dumps(control(fake, refs, line)), flush=True)

    asyncio.run(main())


def populate(catalogue: Any, titles: int, today: date) -> list[TitleRef]:
    """Fill the catalogue; about EVENT_SHARE of titles have something due today."""
    rng = random.Random(SEED)
    refs = []
    for n in range(titles):
        due = rng.random() < EVENT_SHARE
        if n < titles * MOVIE_SHARE:
            ref = TitleRef(MediaType.MOVIE, 100_000 + n)
            catalogue.set_movie(ref.tmdb_id, title=f"Film {n}", status="Released")
            when = today if due else today - timedelta(days=400 + n % 300)
            catalogue.set_release_date(ref.tmdb_id, when, country="US")
        else:
            ref = TitleRef(MediaType.TV, 200_000 + n)
            catalogue.set_tv(ref.tmdb_id, name=f"Show {n}", status="Returning Series")
            when = today + timedelta(days=1 if due else 30 + n % 60)
            catalogue.set_next_episode(ref.tmdb_id, when, season=2, episode=3)
        refs.append(ref)
    return refs


def control(fake: Any, refs: list[TitleRef], line: str) -> dict[str, Any]:
    """Answer one command from the benchmark."""
    command, _, argument = line.partition(" ")
    if command == "change":
        share, at = argument.split(" ", 1)
        chosen = random.Random(SEED + 1).sample(refs, int(len(refs) * float(share)))
        for ref in chosen:
            fake.catalogue.mark_changed(
                ref.media_type.value, ref.tmdb_id, datetime.fromisoformat(at)
            )
        return {"changed": len(chosen)}
    counts = fake.counts_by_path()
    pages = sum(n for path, n in counts.items() if path.endswith("/changes"))
    searches = sum(n for path, n in counts.items() if path.startswith("/search"))
    return {"requests": len(fake.requests) - searches, "change_pages": pages}


class FakeProcess:
    """The fake TMDB subprocess and its control channel."""

    def __init__(self, titles: int, payloads: str) -> None:
        self.titles = titles
        self.payloads = payloads
        self.proc: asyncio.subprocess.Process | None = None
        self.port = 0
        self.api_key = ""

    async def __aenter__(self) -> FakeProcess:
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable,
            __file__,
            "--serve",
            str(self.titles),
            "--payloads",
            self.payloads,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        hello = await self._read()
        self.port, self.api_key = hello["port"], hello["api_key"]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.proc
        assert self.proc.stdin
        self.proc.stdin.write(b"quit\n")
        await self.proc.stdin.drain()
        await self.proc.wait()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/3"

    async def ask(self, line: str) -> dict[str, Any]:
        assert self.proc
        assert self.proc.stdin
        self.proc.stdin.write(line.encode() + b"\n")
        await self.proc.stdin.drain()
        return await self._read()

    async def _read(self) -> dict[str, Any]:
        assert self.proc
        assert self.proc.stdout
        return dict(json.loads(await self.proc.stdout.readline()))


# -- measuring ---------------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)

    def __call__(self) -> datetime:
        return self.now


class CountingSender:
    """Accept every message (Discord is not what this benchmark measures)."""

    def __init__(self) -> None:
        self.messages = 0
        self.embeds = 0
        self.dm_opens = 0

    async def send(self, channel_id: int, message: NotificationMessage) -> SentMessage:
        self.messages += 1
        self.embeds += len(message.embeds)
        return SentMessage(self.messages)

    async def open_dm(self, user_id: int) -> int:
        """Count one create-DM call (`POST /users/@me/channels`)."""
        self.dm_opens += 1
        return user_id


@dataclass
class Row:
    label: str
    subscriptions: int
    requests: int
    change_pages: int
    statements: int
    seconds: float
    floor: float
    events: int = 0
    messages: int = 0
    check_seconds: float | None = None
    check_statements: int | None = None
    effective_floor: float | None = None
    stall_ms: float | None = None
    search_ms: tuple[float, float] | None = None
    rss_mb: float = 0.0
    follows: int = 0
    members: int = 0
    dm_messages: int = 0
    dm_opens: int = 0
    gc_ms: float | None = None
    measured_floor: float | None = None
    cpu_seconds: float | None = None
    parsing: ParseCost | None = None


@contextmanager
def delivery_mark(statements: list[int]) -> Iterator[list[int]]:
    """Note the statement count when the delivery phase starts."""
    from filmbot.services.updates.delivery import Deliverer

    mark = [0]
    original = Deliverer.deliver

    async def deliver(self: Any, *args: Any, **kwargs: Any) -> Any:
        mark[0] = statements[0]
        return await original(self, *args, **kwargs)

    Deliverer.deliver = deliver  # type: ignore[method-assign]
    try:
        yield mark
    finally:
        Deliverer.deliver = original  # type: ignore[method-assign]


def effective_rate(client: TMDBClient, nominal: int) -> float:
    """The limiter's real throughput (it keeps a safety margin below the nominal rate)."""
    return float(getattr(client.transport.limiter, "rate", nominal))


@contextmanager
def counting(engine: Any) -> Iterator[list[int]]:
    count = [0]

    def record(*_: Any) -> None:
        count[0] += 1

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield count
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)


class Probe:
    """Measure the longest event-loop stall and search answer times while a cycle runs."""

    def __init__(self, catalog: CatalogService) -> None:
        self.catalog = catalog
        self.stall = 0.0
        self.searches: list[float] = []
        self._count = 0
        self.sampler: StallSampler | None = None

    async def search(self) -> float:
        """Run one catalog search with a query never asked before; return its seconds."""
        self._count += 1
        started = time.perf_counter()
        await self.catalog.search(f"Film {self._count} probe")
        return time.perf_counter() - started

    async def _ticks(self) -> None:
        while True:
            started = time.perf_counter()
            await asyncio.sleep(PROBE_SLEEP)
            self.stall = max(self.stall, time.perf_counter() - started - PROBE_SLEEP)
            if self.sampler is not None:
                self.sampler.beat()

    async def _search_loop(self) -> None:
        while True:
            await asyncio.sleep(SEARCH_EVERY)
            self.searches.append(await self.search())

    @asynccontextmanager
    async def running(self) -> AsyncIterator[Probe]:
        self.stall, self.searches = 0.0, []
        tasks = [asyncio.create_task(self._ticks()), asyncio.create_task(self._search_loop())]
        slow = SlowCallbacks(self.sampler.threshold) if self.sampler is not None else None
        if self.sampler is not None:
            self.sampler.start()
        try:
            with slow or contextlib.nullcontext():
                yield self
        finally:
            if self.sampler is not None and slow is not None:
                self.sampler.stop()
                print(self.sampler.report(), slow.report(), sep="\n", file=sys.stderr)
                self.sampler = StallSampler(self.sampler.threshold)
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)


class GCPauses:
    """Record the longest garbage-collection pause (via `gc.callbacks`) while active."""

    def __init__(self) -> None:
        self.longest = 0.0
        self._started = 0.0

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.longest = max(self.longest, time.perf_counter() - self._started)

    @contextmanager
    def watching(self) -> Iterator[GCPauses]:
        self.longest = 0.0
        gc.callbacks.append(self)
        try:
            yield self
        finally:
            gc.callbacks.remove(self)


async def measure_floor(client: TMDBClient, refs: list[TitleRef], requests: int) -> float:
    """Time `requests` detail fetches alone through the same client and limiter.

    Taken right after a cycle in the same process, so that the machine's load at that
    moment weighs on it as on the cycle: the cycle's wall time over this is what the
    engine adds to the rate-limited fetching.
    """
    source = TMDBTitleSource(client)
    chosen = [refs[n % len(refs)] for n in range(requests)]

    async def fetch(ref: TitleRef) -> None:
        await source.details(ref)

    started = time.perf_counter()
    await run_bounded(chosen, fetch)
    return time.perf_counter() - started


def peak_rss_mb() -> float:
    """The process's peak resident set size so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@asynccontextmanager
async def throwaway_database(args: argparse.Namespace, name: str) -> AsyncIterator[str]:
    """A fresh database URL on the chosen backend, dropped afterwards (PostgreSQL)."""
    if args.backend == "sqlite":
        yield database_url(args, name)
        return
    import asyncpg

    user = os.environ.get("FILMBOT_BENCH_PG_USER", "postgres")
    db = f"filmbot_bench_{name}_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(host=PG_HOST, port=PG_PORT, user=user, database="postgres")
    try:
        await admin.execute(f'CREATE DATABASE "{db}"')
        yield f"postgresql+asyncpg://{user}@{PG_HOST}:{PG_PORT}/{db}"
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        await admin.close()


# TMDB's countries with the most watch-provider data, given to the guilds in turn.
REGIONS = ("US", "GB", "DE", "FR", "BR", "JP", "IN", "CA")


async def seed(
    sessionmaker: Any, per_guild: int, refs: list[TitleRef], guilds: int, regions: int = 1
) -> None:
    """Create the guilds and `per_guild` subscriptions each, covering every title.

    Guild g covers the titles from g * per_guild on, so the guilds following one title are
    one per pass over the titles; the pass number picks the region, and a title is followed
    from min(regions, followers) regions.
    """
    async with sessionmaker.begin() as session:
        await session.execute(
            insert(GuildRow),
            [
                {
                    "id": FIRST_GUILD + (g << 22),
                    "name": f"Guild {g}",
                    "notification_channel_id": 10_000 + g,
                    "notification_role_id": 20_000 + g,
                    "region": REGIONS[(g * per_guild // len(refs)) % regions],
                }
                for g in range(guilds)
            ],
        )
        rows = []
        for g in range(guilds):
            for k in range(per_guild):
                ref = refs[(g * per_guild + k) % len(refs)]
                rows.append(
                    {
                        "guild_id": FIRST_GUILD + (g << 22),
                        "tmdb_id": ref.tmdb_id,
                        "media_type": ref.media_type,
                        "title": f"Title {ref}",
                    }
                )
        for start in range(0, len(rows), 10_000):
            await session.execute(insert(SubscriptionRow), rows[start : start + 10_000])


async def seed_follows(sessions: Any, refs: list[TitleRef], follows: int, members: int) -> None:
    """Create `members` members following `follows` titles in all, over the same titles."""
    now = datetime.now(UTC)
    async with sessions.begin() as session:
        await session.execute(
            insert(MemberNotifySettingsRow),
            [
                {
                    "user_id": FIRST_MEMBER + m,
                    "timezone": "UTC",
                    "region": "US",
                    "digest": "off",
                    "dm_block_told": False,
                    "updated_at": now,
                }
                for m in range(members)
            ],
        )
        rows = []
        for n in range(follows):
            member, k = n % members, n // members
            ref = refs[(member * 5 + k) % len(refs)]
            rows.append(
                {
                    "user_id": FIRST_MEMBER + member,
                    "media_type": ref.media_type,
                    "tmdb_id": ref.tmdb_id,
                    "title": f"Title {ref}",
                    "notify_release": True,
                    "notify_update": True,
                    "followed_at": now,
                }
            )
        for start in range(0, len(rows), 10_000):
            await session.execute(insert(PersonalFollowRow), rows[start : start + 10_000])


async def engine_cycles(
    args: argparse.Namespace, subscriptions: int, follows: int = 0
) -> list[Row]:
    """Run a cold and a warm cycle of the engine on a fresh database."""
    titles, guilds = sizes(subscriptions)
    refs = title_refs(titles)
    async with throwaway_database(args, f"engine{subscriptions}_{follows}") as url:
        database = engine_for_url(url)
        await migrate.upgrade(database)
        sessions = create_sessionmaker(database)
        await seed(sessions, PER_GUILD, refs, guilds, args.regions)
        if follows:
            await seed_follows(sessions, refs, follows, args.members)
        async with FakeProcess(titles, args.payloads) as fake:
            client = make_client(fake, args.rate)
            probe = Probe(CatalogService(client))
            if args.stall_stacks:
                probe.sampler = StallSampler(args.stall_stacks / 1000)
            rows = await _cycles(args, fake, client, sessions, database, probe, subscriptions, refs)
            await client.close()
        for row in rows:
            row.follows, row.members = follows, args.members if follows else 0
        await database.dispose()
    return rows


@contextmanager
def profiling(path: str | None, label: str) -> Iterator[None]:
    """Profile the warm cycle into `path` (cProfile's format) when asked."""
    if path is None or not label.startswith("warm"):
        yield
        return
    profile = cProfile.Profile()
    profile.enable()
    try:
        yield
    finally:
        profile.disable()
        profile.dump_stats(path)


async def _cycles(
    args: argparse.Namespace,
    fake: FakeProcess,
    client: TMDBClient,
    sessions: Any,
    database: Any,
    probe: Probe,
    subs: int,
    refs: list[TitleRef],
) -> list[Row]:
    rows = []
    interval = 1.0 / args.rate
    clock, sender = Clock(), CountingSender()
    settings = load_settings(env_file=None, tmdb_api_key=fake.api_key)
    engine = UpdateEngine(sessions, TMDBTitleSource(client), sender, settings, now=clock)
    quiet = [await probe.search() for _ in range(10)]
    pauses = GCPauses()
    for label in ("cold", "warm (5% changed)"):
        if label.startswith("warm"):
            clock.now += timedelta(hours=6)
            await fake.ask(f"change {CHANGED_SHARE} {clock.now.isoformat()}")
        before = await fake.ask("count")
        posts_before, opens_before = sender.messages, sender.dm_opens
        with (
            counting(database) as statements,
            delivery_mark(statements) as at_delivery,
            counting_parse() as parsing,
        ):
            async with probe.running():
                with pauses.watching(), profiling(args.profile, label):
                    started, cpu = time.perf_counter(), time.process_time()
                    report = await engine.run_cycle()
                    seconds = time.perf_counter() - started
                    cpu = time.process_time() - cpu
        after = await fake.ask("count")
        # Probe searches are left out by the fake's count (one may straddle the cycle's end).
        requests = after["requests"] - before["requests"]
        measured = await measure_floor(client, refs, requests) if args.measure_floor else None
        pages = after["change_pages"] - before["change_pages"]
        searched = max(probe.searches, default=0.0)
        rows.append(
            Row(
                f"engine, {label}",
                subs,
                requests,
                pages,
                statements[0],
                seconds,
                requests * interval,
                report.events_found,
                report.messages,
                report.check_seconds,
                at_delivery[0],
                requests / effective_rate(client, args.rate),
                probe.stall * 1000,
                (statistics.median(quiet) * 1000, searched * 1000),
                peak_rss_mb(),
                dm_messages=report.dm_messages,
                dm_opens=sender.dm_opens - opens_before,
                gc_ms=pauses.longest * 1000,
                measured_floor=measured,
                cpu_seconds=cpu,
                parsing=parsing,
            )
        )
        rows[-1].messages = sender.messages - posts_before - report.dm_messages
    return rows


async def naive_cycle(args: argparse.Namespace, subscriptions: int) -> Row:
    """The naive design: per guild, per subscription: fetch, detect, write a check stamp."""
    titles, guilds = sizes(subscriptions)
    refs = title_refs(titles)
    url = database_url(args, "naive")
    database = engine_for_url(url)
    await migrate.upgrade(database)
    sessions = create_sessionmaker(database)
    await seed(sessions, PER_GUILD, refs, guilds, args.regions)
    async with FakeProcess(titles, args.payloads) as fake:
        client = make_client(fake, args.rate)
        source = TMDBTitleSource(client)
        interval = 1.0 / args.rate
        now = Clock()()
        with counting(database) as statements, counting_parse() as parsing:
            started = time.perf_counter()
            events = await naive_loop(sessions, source, now)
            seconds = time.perf_counter() - started
        requests = (await fake.ask("count"))["requests"]
        effective = requests / effective_rate(client, args.rate)
        await client.close()
    await database.dispose()
    return Row(
        "naive loop, cold",
        subscriptions,
        requests,
        0,
        statements[0],
        seconds,
        requests * interval,
        events,
        effective_floor=effective,
        parsing=parsing,
    )


async def naive_loop(sessions: Any, source: TMDBTitleSource, now: datetime) -> int:
    found = 0
    async with sessions() as session:
        guild_ids = list(await session.scalars(select(GuildRow.id)))
    for guild_id in guild_ids:
        async with sessions.begin() as session:
            subs = list(
                await session.scalars(
                    select(SubscriptionRow).where(SubscriptionRow.guild_id == guild_id)
                )
            )
            for sub in subs:
                payload = await source.details(TitleRef(sub.media_type, sub.tmdb_id))
                snapshot = snapshot_from_tmdb(payload, sub.media_type, now)
                found += len(detect_events(snapshot, None, GuildPrefs(), now, True, True))
                await session.execute(
                    update(SubscriptionRow)
                    .where(SubscriptionRow.id == sub.id)
                    .values(title_missing=False)
                )
    return found


def make_client(fake: FakeProcess, rate: int) -> TMDBClient:
    policy = RetryPolicy(max_retries=2, deadline=30.0, timeout=10.0)
    return TMDBClient.create(
        fake.base_url, api_key=fake.api_key, limiter=LocalRateLimiter(rate, 1.0), policy=policy
    )


def database_url(args: argparse.Namespace, name: str) -> str:
    path = Path(args.workdir) / f"update_cycle_{name}.db"
    path.unlink(missing_ok=True)
    for suffix in ("-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    return f"sqlite+aiosqlite:///{path}"


def sizes(subscriptions: int) -> tuple[int, int]:
    """Return (distinct titles, guilds) for a subscription count."""
    return int(subscriptions * TITLES_PER_SUBSCRIPTION), subscriptions // PER_GUILD


def title_refs(titles: int) -> list[TitleRef]:
    movies = int(titles * MOVIE_SHARE)
    return [TitleRef(MediaType.MOVIE, 100_000 + n) for n in range(movies)] + [
        TitleRef(MediaType.TV, 200_000 + n) for n in range(movies, titles)
    ]


def print_table(rows: list[Row], args: argparse.Namespace) -> None:
    print(
        f"\nUpdate cycle on {args.backend}, {PER_GUILD} subscriptions per guild, "
        f"titles = subscriptions/5, TMDB limit {args.rate}/s\n"
    )
    header = (
        "| run | subscriptions | TMDB requests (change-feed pages) "
        "| DB statements (check + delivery) | events | messages | floor (s) "
        "| check phase (s) | whole cycle (s) | whole / floor (nominal, limiter) "
        "| longest loop stall (ms) | search outside / during cycle, max (ms) | peak RSS (MB) "
        "| longest GC pause (ms) | floor measured alone (s) | whole / max(floor, measured) "
        "| CPU (s) |"
    )
    print(header)
    print("|" + "---|" * 17)
    for r in rows:
        check = r.check_seconds if r.check_seconds is not None else r.seconds
        checked = r.check_statements if r.check_statements is not None else r.statements
        eff = r.effective_floor or r.floor
        stall = f"{r.stall_ms:.0f}" if r.stall_ms is not None else "-"
        search = f"{r.search_ms[0]:.0f} / {r.search_ms[1]:.0f}" if r.search_ms else "-"
        pause = f"{r.gc_ms:.0f}" if r.gc_ms is not None else "-"
        alone = f"{r.measured_floor:.2f}" if r.measured_floor else "-"
        # A short burst can beat the nominal floor (the limiter's window starts empty).
        under_load = max(r.measured_floor or 0.0, r.floor)
        ratio = f"{r.seconds / under_load:.2f}" if r.measured_floor else "-"
        cpu = f"{r.cpu_seconds:.2f}" if r.cpu_seconds is not None else "-"
        print(
            f"| {r.label} | {r.subscriptions:,} | {r.requests:,} ({r.change_pages}) "
            f"| {r.statements:,} ({checked} + {r.statements - checked}) | {r.events:,} "
            f"| {r.messages:,} | {r.floor:.2f} | {check:.2f} | {r.seconds:.2f} "
            f"| {r.seconds / r.floor:.2f}, {r.seconds / eff:.2f} | {stall} | {search} "
            f"| {r.rss_mb:.0f} | {pause} | {alone} | {ratio} | {cpu} |"
        )


def print_parsing(rows: list[Row], args: argparse.Namespace) -> None:
    """Per row: the detail payloads decoded, their mean size and the parse time per title."""
    print(f"\nDetail payloads ({args.payloads}), decoded and parsed in this process\n")
    print(
        "| run | subscriptions | detail payloads | mean payload (KB) | JSON decode per title (ms) "
        "| snapshot_from_tmdb per title (ms) | decode + parse, whole cycle (s) | CPU (s) |"
    )
    print("|" + "---|" * 8)
    for r in rows:
        if r.parsing is None:
            continue
        p = r.parsing
        cpu = f"{r.cpu_seconds:.2f}" if r.cpu_seconds is not None else "-"
        print(
            f"| {r.label} | {r.subscriptions:,} | {p.payloads:,} | {p.mean_kb():.1f} "
            f"| {p.decode_ms():.3f} | {p.parse_ms():.3f} "
            f"| {p.decode_seconds + p.parse_seconds:.2f} | {cpu} |"
        )


def print_personal(rows: list[Row]) -> None:
    """Compare cycles with and without personal follows (same subscriptions and titles)."""
    print("\nPersonal follows: the same subscriptions and titles, with and without them\n")
    print(
        "| run | subscriptions | personal follows (members) | TMDB requests "
        "| Discord calls (server posts + create-DM + DM posts) | whole cycle (s) |"
    )
    print("|" + "---|" * 6)
    for r in rows:
        calls = r.messages + r.dm_opens + r.dm_messages
        print(
            f"| {r.label} | {r.subscriptions:,} | {r.follows:,} ({r.members:,}) "
            f"| {r.requests:,} | {calls:,} ({r.messages:,} + {r.dm_opens:,} + "
            f"{r.dm_messages:,}) | {r.seconds:.2f} |"
        )


async def run(args: argparse.Namespace) -> None:
    rows = []
    for subscriptions in args.subscriptions:
        rows += await engine_cycles(args, subscriptions)
    personal: list[Row] = []
    if args.personal_follows:
        smallest = min(args.subscriptions)
        personal = [r for r in rows if r.subscriptions == smallest]
        personal += await engine_cycles(args, smallest, args.personal_follows)
    if not args.skip_naive:
        rows.append(await naive_cycle(args, min(args.subscriptions)))
    print_table(rows, args)
    print_parsing(rows, args)
    if personal:
        print_personal(personal)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--rate", type=int, default=1000, help="TMDB requests per second")
    parser.add_argument(
        "--subscriptions", type=int, nargs="+", default=[10_000], help="sizes to run"
    )
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--profile", metavar="FILE", help="cProfile the warm cycle into FILE")
    parser.add_argument(
        "--regions",
        type=int,
        choices=range(1, len(REGIONS) + 1),
        default=1,
        metavar=f"1..{len(REGIONS)}",
        help="how many regions the guilds are spread over (the first of US, GB, DE, ...)",
    )
    parser.add_argument("--workdir", default="/tmp", help="where the SQLite files go")
    parser.add_argument("--skip-naive", action="store_true", help="leave out the naive loop")
    parser.add_argument(
        "--stall-stacks",
        type=float,
        metavar="MS",
        help="print the stacks the event loop was in during stalls longer than MS (stderr)",
    )
    parser.add_argument(
        "--personal-follows", type=int, default=0, help="also run with this many personal follows"
    )
    parser.add_argument("--members", type=int, default=2000, help="members the follows belong to")
    parser.add_argument(
        "--payloads",
        choices=("realistic", "small"),
        default="realistic",
        help="details of TMDB's real size (the default) or the fake catalogue's fields alone",
    )
    parser.add_argument(
        "--measure-floor",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="after each cycle, time its request count fetched alone (the floor under load)",
    )
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.payloads)
        return
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
