"""The TMDB rate limiters keep every window within budget, as the fake TMDB measures it."""

from __future__ import annotations

import asyncio
import logging
import socket
import uuid

import pytest
from redis.asyncio import Redis

from filmbot.domain.models import MediaType, TitleRef
from filmbot.services.container import redis_from_url
from filmbot.tmdb import LocalRateLimiter, RedisRateLimiter, RetryPolicy, TMDBClient
from filmbot.tmdb.limiter import RateLimiter
from tests.fakes.tmdb_server import FakeTMDB

LIMIT, PERIOD = 5, 0.5
POLICY = RetryPolicy(max_retries=0, deadline=10.0, timeout=5.0)
RETRYING = RetryPolicy(max_retries=6, deadline=20.0, timeout=5.0)


def closed_port() -> int:
    """A port on 127.0.0.1 nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def fetch_distinct(
    fake: FakeTMDB,
    limiter: RateLimiter,
    count: int,
    first_id: int,
    policy: RetryPolicy = POLICY,
) -> None:
    for tmdb_id in range(first_id, first_id + count):
        fake.catalogue.set_movie(tmdb_id)
    async with TMDBClient.create(
        fake.base_url, api_key=fake.api_key, limiter=limiter, policy=policy, ttl=0
    ) as tmdb:
        batch = await tmdb.get_many_details(
            [TitleRef(MediaType.MOVIE, tmdb_id) for tmdb_id in range(first_id, first_id + count)]
        )
    assert len(batch.found) == count


async def test_local_limiter_never_exceeds_budget_in_any_window(fake_tmdb: FakeTMDB) -> None:
    fake_tmdb.faults.enforce_rate_limit(LIMIT, PERIOD)
    await fetch_distinct(fake_tmdb, LocalRateLimiter(LIMIT, PERIOD), 16, 10_000)
    assert fake_tmdb.count() == 16
    assert fake_tmdb.max_in_window(PERIOD) <= LIMIT
    assert fake_tmdb.rate_limited_responses == 0


async def test_local_limiter_stays_within_a_strict_window_when_requests_bunch_on_the_way(
    fake_tmdb: FakeTMDB,
) -> None:
    fake_tmdb.faults.enforce_rate_limit(10, PERIOD, strict=True)
    fake_tmdb.faults.bunch(0.1)  # a fifth of the period: no margin would absorb it
    await fetch_distinct(fake_tmdb, LocalRateLimiter(10, PERIOD), 40, 50_000)
    assert fake_tmdb.rate_limited_responses == 0
    assert fake_tmdb.max_in_window(PERIOD) <= 10


async def test_a_lower_real_limit_costs_a_few_429s_not_a_storm(fake_tmdb: FakeTMDB) -> None:
    fake_tmdb.faults.enforce_rate_limit(8, PERIOD, strict=True)
    limiter = LocalRateLimiter(20, PERIOD)
    await fetch_distinct(fake_tmdb, limiter, 30, 60_000, RETRYING)
    assert fake_tmdb.count() == 30 + fake_tmdb.rate_limited_responses
    assert 1 <= fake_tmdb.rate_limited_responses <= 6
    assert limiter.current_limit() < 10


async def test_fake_tmdb_counts_429s_when_a_client_ignores_the_limit(fake_tmdb: FakeTMDB) -> None:
    fake_tmdb.faults.enforce_rate_limit(LIMIT, PERIOD)
    async with TMDBClient.create(
        fake_tmdb.base_url,
        api_key=fake_tmdb.api_key,
        limiter=LocalRateLimiter(1000, 1.0),
        policy=RetryPolicy(max_retries=0),
        ttl=0,
    ) as tmdb:
        results = await asyncio.gather(
            *(tmdb.get_movie(i) for i in (603, 27205, 157336, 329865, 335984, 438631, 693134)),
            return_exceptions=True,
        )
    # 7 requests at once against 5 per window: 2 refused (fewer only if the machine is so
    # slow that the window passes while they are being sent).
    assert 1 <= fake_tmdb.rate_limited_responses <= 2
    assert sum(isinstance(r, Exception) for r in results) == fake_tmdb.rate_limited_responses


async def test_redis_limiter_shares_one_budget_between_processes(
    fake_tmdb: FakeTMDB, redis: Redis
) -> None:
    key = f"tmdb:ratelimit:test:{uuid.uuid4().hex}"
    fake_tmdb.faults.enforce_rate_limit(LIMIT, PERIOD)
    try:
        first = RedisRateLimiter(redis, LIMIT, PERIOD, key=key)
        second = RedisRateLimiter(redis, LIMIT, PERIOD, key=key)  # as if in another process
        await asyncio.gather(
            fetch_distinct(fake_tmdb, first, 8, 20_000),
            fetch_distinct(fake_tmdb, second, 8, 30_000),
        )
    finally:
        await redis.delete(key)
    assert fake_tmdb.count() == 16
    assert fake_tmdb.max_in_window(PERIOD) <= LIMIT
    assert fake_tmdb.rate_limited_responses == 0
    assert first.health.failures == second.health.failures == 0


async def test_redis_limiter_falls_back_to_local_limit_when_redis_is_down(
    fake_tmdb: FakeTMDB, caplog: pytest.LogCaptureFixture
) -> None:
    dead = redis_from_url(f"redis://127.0.0.1:{closed_port()}/15")
    limiter = RedisRateLimiter(dead, LIMIT, PERIOD)
    with caplog.at_level(logging.WARNING, logger="filmbot.tmdb"):
        await fetch_distinct(fake_tmdb, limiter, 8, 40_000)
    await dead.aclose()
    warnings = [r for r in caplog.records if "Redis is unavailable" in r.getMessage()]
    assert len(warnings) == 1 and limiter.health.failures >= 1
    assert fake_tmdb.max_in_window(PERIOD) <= LIMIT


async def test_a_429_lowers_the_allowance_of_every_process_sharing_redis(redis: Redis) -> None:
    key = f"tmdb:ratelimit:test:{uuid.uuid4().hex}"
    first = RedisRateLimiter(redis, 40, 10.0, key=key)
    second = RedisRateLimiter(redis, 40, 10.0, key=key)  # as if in another process
    try:
        assert await second.current_limit() == 40
        await first.rate_limited()
        await second.rate_limited()  # the same overload seen by another process: one cut
        lowered = await second.current_limit()
    finally:
        await redis.delete(f"{key}:requests", f"{key}:state")
    assert lowered == pytest.approx(20, abs=0.5)  # halved once, then recovering 0.04/s


async def test_processes_sharing_redis_meet_a_lower_real_limit_with_a_few_429s(
    fake_tmdb: FakeTMDB, redis: Redis
) -> None:
    key = f"tmdb:ratelimit:test:{uuid.uuid4().hex}"
    fake_tmdb.faults.enforce_rate_limit(8, PERIOD, strict=True)
    first = RedisRateLimiter(redis, 20, PERIOD, key=key)
    second = RedisRateLimiter(redis, 20, PERIOD, key=key)
    try:
        await asyncio.gather(
            fetch_distinct(fake_tmdb, first, 15, 70_000, RETRYING),
            fetch_distinct(fake_tmdb, second, 15, 80_000, RETRYING),
        )
    finally:
        await redis.delete(f"{key}:requests", f"{key}:state")
    assert fake_tmdb.count() == 30 + fake_tmdb.rate_limited_responses
    assert 1 <= fake_tmdb.rate_limited_responses <= 6
    assert first.health.failures == second.health.failures == 0
