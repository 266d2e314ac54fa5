"""One change feed failing is enough to refetch every title, and the other feed is dropped."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

from filmbot.domain.models import MediaType, TitleRef
from filmbot.tmdb import LocalRateLimiter, RetryPolicy, TMDBClient
from tests.fakes.tmdb_catalogue import Catalogue
from tests.fakes.tmdb_held import HeldTMDB
from tests.integration.test_update_support import (
    GUILD,
    TODAY,
    Clock,
    RecordingSender,
    Sessions,
    World,
    settings_for,
)

FILMS = [TitleRef(MediaType.MOVIE, 9_000_700 + n) for n in range(3)]
SHOWS = [TitleRef(MediaType.TV, 9_100_700 + n) for n in range(3)]
PLAN_LOG = "filmbot.services.updates.plan"


@asynccontextmanager
async def held_world(sessionmaker: Sessions) -> AsyncIterator[tuple[World, HeldTMDB]]:
    """A world on a fake TMDB that can fail or hold paths, with a client that waits a minute.

    A held request is dropped within the test only if the client gives it up: its own
    timeout would take a minute.
    """
    async with HeldTMDB(catalogue=Catalogue(today=TODAY)) as fake:
        policy = RetryPolicy(max_retries=2, deadline=120.0, timeout=60.0, backoff_base=0.01)
        client = TMDBClient.create(
            fake.base_url, api_key=fake.api_key, limiter=LocalRateLimiter(1000, 1.0), policy=policy
        )
        try:
            world = World(
                sessionmaker, fake, client, Clock(), RecordingSender(), settings_for(fake)
            )
            yield world, fake
        finally:
            await client.close()


@pytest.mark.parametrize(("failing", "held"), [("movie", "tv"), ("tv", "movie")])
async def test_one_failed_change_feed_refetches_every_title_and_drops_the_other_feed(
    sessionmaker: Sessions, caplog: pytest.LogCaptureFixture, failing: str, held: str
) -> None:
    async with held_world(sessionmaker) as (w, fake):
        await w.guild(GUILD)
        for ref in FILMS:
            w.film(ref, title=f"Film {ref.tmdb_id}", status="Released", release_date="2020-01-01")
            await w.subscribe(ref)
        for ref in SHOWS:
            w.show(ref, name=f"Show {ref.tmdb_id}", status="Returning Series")
            await w.subscribe(ref)
        engine = w.engine()
        await engine.run_cycle()  # cold: no change feed is read yet
        w.clock.advance(hours=6)
        fake.fail(f"/{failing}/changes")
        other = fake.hold(f"/{held}/changes")
        caplog.set_level(logging.WARNING, logger=PLAN_LOG)
        warm = await engine.run_cycle()
        await asyncio.wait_for(other.dropped.wait(), 10)  # a guard against hanging only

    assert (warm.titles_fetched, warm.change_feed_used) == (6, False)
    assert fake.count(f"/{failing}/changes") == 3  # the first try and both retries
    assert fake.count(f"/{held}/changes") == 1
    warnings = [r for r in caplog.records if r.name == PLAN_LOG and r.levelno >= logging.WARNING]
    assert len(warnings) == 1, [r.getMessage() for r in warnings]
