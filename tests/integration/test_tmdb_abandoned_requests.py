"""A TMDB request its callers stopped waiting for: dropped unless its answer is cached.

While one caller waits, a shared request goes on for it. Once none is left, a request for
a cached answer goes on and fills the cache (an autocomplete out of time, then the command
that follows); an uncached one (a change feed page) is dropped: nobody would read it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import date

import pytest
import pytest_asyncio

from filmbot.domain.models import MediaType
from filmbot.tmdb import LocalRateLimiter, RetryPolicy, TMDBClient
from tests.fakes.tmdb_held import HeldTMDB

FILM = 9_000_900
FEED = "/movie/changes"
START, END = date(2026, 3, 1), date(2026, 3, 10)


@pytest_asyncio.fixture
async def fake() -> AsyncIterator[HeldTMDB]:
    async with HeldTMDB() as fake:
        fake.catalogue.set_movie(FILM, title="Held Film")
        yield fake


@pytest_asyncio.fixture
async def tmdb(fake: HeldTMDB) -> AsyncIterator[TMDBClient]:
    """A client whose own timeout (a minute) never ends a request within a test."""
    policy = RetryPolicy(max_retries=0, deadline=120.0, timeout=60.0)
    limiter = LocalRateLimiter(1000, 1.0)
    async with TMDBClient.create(
        fake.base_url, api_key=fake.api_key, limiter=limiter, policy=policy
    ) as client:
        yield client


async def _cancelled(caller: asyncio.Task[object]) -> None:
    caller.cancel()
    with pytest.raises(asyncio.CancelledError):
        await caller


async def test_an_uncached_request_whose_only_caller_stops_waiting_is_dropped(
    fake: HeldTMDB, tmdb: TMDBClient
) -> None:
    hold = fake.hold(FEED)
    caller = asyncio.create_task(tmdb.changes(MediaType.MOVIE, START, END))
    await hold.arrived.wait()
    await _cancelled(caller)

    await asyncio.wait_for(hold.dropped.wait(), 10)  # a guard against hanging only
    assert fake.count(FEED) == 1


async def test_a_shared_request_goes_on_for_the_callers_still_waiting(
    fake: HeldTMDB, tmdb: TMDBClient
) -> None:
    hold = fake.hold(FEED)
    leaving, staying = (
        asyncio.create_task(tmdb.changes(MediaType.MOVIE, START, END)) for _ in range(2)
    )
    await hold.arrived.wait()
    await _cancelled(leaving)
    hold.release.set()

    assert (await staying).page == 1
    assert not hold.dropped.is_set() and fake.count(FEED) == 1
    assert tmdb.stats.coalesced == 1


async def test_a_cached_request_goes_on_without_callers_and_serves_the_next_one(
    fake: HeldTMDB, tmdb: TMDBClient
) -> None:
    hold = fake.hold(f"/movie/{FILM}")
    caller = asyncio.create_task(tmdb.get_movie(FILM))
    await hold.arrived.wait()
    await _cancelled(caller)
    hold.release.set()

    assert (await tmdb.get_movie(FILM)).title == "Held Film"
    assert not hold.dropped.is_set() and fake.count(f"/movie/{FILM}") == 1


async def test_a_caller_right_after_a_dropped_request_gets_a_request_of_its_own(
    fake: HeldTMDB, tmdb: TMDBClient
) -> None:
    hold = fake.hold(FEED)
    caller = asyncio.create_task(tmdb.changes(MediaType.MOVIE, START, END))
    await hold.arrived.wait()
    await _cancelled(caller)
    hold.release.set()

    # Asked again before the dropped request has wound down: a new request answers it,
    # not the cancelled one (which would raise CancelledError into a caller nobody cancelled).
    assert (await tmdb.changes(MediaType.MOVIE, START, END)).page == 1
    assert fake.count(FEED) == 2
