"""TMDB client failures against the fake TMDB over HTTP: what is retried, how it gives up."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import pytest

from filmbot.domain.models import MediaType, TitleRef
from filmbot.tmdb import RetryPolicy, TMDBClient, TMDBNotFound, TMDBUnavailable
from tests.fakes.plugin_tmdb import FAST, make_client
from tests.fakes.tmdb_server import FakeTMDB

MATRIX = TitleRef(MediaType.MOVIE, 603)


@pytest.fixture
async def client(fake_tmdb: FakeTMDB) -> AsyncIterator[TMDBClient]:
    async with make_client(fake_tmdb) as tmdb:
        yield tmdb


async def test_not_found_is_raised_and_never_retried(
    client: TMDBClient, fake_tmdb: FakeTMDB
) -> None:
    with pytest.raises(TMDBNotFound, match="status_code 34"):
        await client.get_movie(424242)
    assert fake_tmdb.count() == 1 and client.stats.retries == 0


async def test_server_errors_are_retried_until_success(
    client: TMDBClient, fake_tmdb: FakeTMDB
) -> None:
    fake_tmdb.faults.fail_next(2, status=503)
    movie = await client.get_movie(603)
    assert movie.title == "The Matrix"
    assert fake_tmdb.count() == 3 and client.stats.retries == 2


async def test_server_errors_beyond_the_retry_budget_raise_unavailable(
    client: TMDBClient, fake_tmdb: FakeTMDB
) -> None:
    fake_tmdb.faults.fail_next(100)
    with pytest.raises(TMDBUnavailable, match=r"after 4 attempts: HTTP 500"):
        await client.get_movie(603)
    assert fake_tmdb.count() == FAST.max_retries + 1


async def test_429_waits_for_retry_after_then_succeeds(
    client: TMDBClient, fake_tmdb: FakeTMDB
) -> None:
    fake_tmdb.faults.rate_limit_next(2, retry_after=0.05)
    movie = await client.get_movie(27205)
    assert movie.title == "Inception"
    assert client.stats.rate_limited == 2 and fake_tmdb.count() == 3


async def test_429_storm_ends_in_a_clear_error_within_the_retry_budget(
    fake_tmdb: FakeTMDB,
) -> None:
    fake_tmdb.faults.rate_limit_next(10_000, retry_after=0.05)
    policy = RetryPolicy(max_retries=50, deadline=1.0, timeout=1.0, backoff_base=0.01)
    async with make_client(fake_tmdb, policy=policy) as tmdb:
        with pytest.raises(TMDBUnavailable, match="rate limited"):
            await tmdb.get_movie(603)
    # Retried, and ended by the deadline: 51 attempts would have been max_retries ending it.
    assert 1 < fake_tmdb.count() < 51


async def test_retry_after_beyond_the_deadline_fails_at_once(fake_tmdb: FakeTMDB) -> None:
    fake_tmdb.faults.rate_limit_next(1, retry_after=60)
    async with make_client(fake_tmdb) as tmdb:
        with pytest.raises(TMDBUnavailable, match="rate limited"):
            await tmdb.get_movie(603)
    assert fake_tmdb.count() == 1


async def test_slow_answers_time_out_and_are_retried(fake_tmdb: FakeTMDB) -> None:
    fake_tmdb.faults.slow(1.0)
    policy = RetryPolicy(max_retries=1, deadline=5.0, timeout=0.1, backoff_base=0.01)
    async with make_client(fake_tmdb, policy=policy) as tmdb:
        with pytest.raises(TMDBUnavailable, match="no answer within 0.1s"):
            await tmdb.get_movie(603)
    assert fake_tmdb.count() == 2


async def test_unreachable_tmdb_raises_unavailable() -> None:
    async with FakeTMDB() as fake:
        base_url, api_key = fake.base_url, fake.api_key
    async with TMDBClient.create(base_url, api_key=api_key, policy=FAST) as tmdb:
        with pytest.raises(TMDBUnavailable, match="connection failed"):
            await tmdb.get_movie(603)
    assert tmdb.stats.upstream_requests == FAST.max_retries + 1


# -- bodies that are not JSON ----------------------------------------------------------------


async def test_a_body_that_is_not_json_is_retried_until_success(
    client: TMDBClient, fake_tmdb: FakeTMDB
) -> None:
    fake_tmdb.faults.malformed_next(2)
    movie = await client.get_movie(603)
    assert movie.title == "The Matrix"
    assert fake_tmdb.count() == 3 and client.stats.retries == 2 and client.stats.errors == 0


async def test_bodies_that_are_not_json_beyond_the_retry_budget_warn_and_raise_unavailable(
    client: TMDBClient, fake_tmdb: FakeTMDB, caplog: pytest.LogCaptureFixture
) -> None:
    fake_tmdb.faults.malformed_next(100)
    expected = "after 4 attempts: the response was not JSON"
    with (
        caplog.at_level(logging.DEBUG, logger="filmbot.tmdb"),
        pytest.raises(TMDBUnavailable, match=expected),
    ):
        await client.get_movie(603)
    assert fake_tmdb.count() == FAST.max_retries + 1 and client.stats.errors == 1
    give_ups = [r for r in caplog.records if "Giving up" in r.getMessage()]
    assert [r.levelno for r in give_ups] == [logging.WARNING]
    assert "/movie/603" in give_ups[0].getMessage()
    fake_tmdb.faults.clear()
    assert (await client.get_movie(603)).id == 603  # the bad answers were not cached


async def test_bodies_that_are_not_json_stop_at_the_retry_deadline(fake_tmdb: FakeTMDB) -> None:
    fake_tmdb.faults.malformed_next(10_000)
    policy = RetryPolicy(max_retries=50, deadline=0.5, timeout=1.0, backoff_base=0.05)
    async with make_client(fake_tmdb, policy=policy) as tmdb:
        with pytest.raises(TMDBUnavailable, match="not JSON"):
            await tmdb.get_movie(603)
    assert 1 < fake_tmdb.count() < 20  # the deadline, not max_retries, ended it


async def test_fresh_details_retry_a_body_that_is_not_json(
    client: TMDBClient, fake_tmdb: FakeTMDB
) -> None:
    fake_tmdb.faults.malformed_next(1)
    payload = await client.fresh_details(MATRIX)
    assert payload["title"] == "The Matrix" and fake_tmdb.count("/movie/603") == 2
