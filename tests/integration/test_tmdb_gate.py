"""A RequestGate counts exactly its caller's upstream requests and paces only those."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from filmbot.tmdb import LocalRateLimiter, RequestGate, TMDBClient
from tests.fakes.plugin_tmdb import make_client
from tests.fakes.tmdb_server import FakeTMDB


@pytest.fixture
async def client(fake_tmdb: FakeTMDB) -> AsyncIterator[TMDBClient]:
    async with make_client(fake_tmdb) as client:
        yield client


async def test_a_gate_counts_its_own_requests_and_retries_not_others_or_cache_hits(
    client: TMDBClient, fake_tmdb: FakeTMDB
) -> None:
    gate = RequestGate()

    async def gated() -> None:
        with gate.applied():
            for n in range(6):
                await client.search_movie(f"gated {n}")
            await client.search_movie("gated 0")  # from the cache: no request

    async def others() -> None:
        for n in range(20):
            await client.search_multi(f"other {n}")

    fake_tmdb.faults.fail_next(1, status=503)  # one of the two sides retries once
    await asyncio.gather(gated(), others())
    gated_requests = fake_tmdb.count("/search/movie")
    assert gate.requests == gated_requests
    assert gated_requests in (6, 7)
    assert fake_tmdb.count("/search/multi") + gated_requests == client.stats.upstream_requests


async def test_a_gate_paces_its_requests_and_others_do_not_wait_for_it(
    client: TMDBClient, fake_tmdb: FakeTMDB
) -> None:
    gate = RequestGate(LocalRateLimiter(4, 1.0))

    async def gated() -> None:
        with gate.applied():
            for n in range(9):
                await client.search_movie(f"gated {n}")

    async def others() -> None:
        await asyncio.sleep(0.2)
        for n in range(10):
            await client.search_multi(f"other {n}")

    paced = asyncio.create_task(gated())
    await others()
    assert not paced.done()  # the member's searches finished while the gated ones waited
    await paced
    assert gate.requests == 9
    assert fake_tmdb.max_in_window(1.0, "/search/movie") <= 4
    assert fake_tmdb.count("/search/multi") == 10
