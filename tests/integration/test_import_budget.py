"""The imports' quarter of TMDB_RATE_LIMIT, in one process and shared through Redis."""

from __future__ import annotations

import asyncio

from redis.asyncio import Redis

from filmbot.config import Settings
from filmbot.services.container import build_imports
from filmbot.services.history import ImportBudget, import_share
from filmbot.tmdb import RedisRateLimiter, TMDBClient
from tests.fakes.plugin_tmdb import make_client
from tests.fakes.tmdb_server import FakeTMDB


def test_imports_get_a_quarter_of_the_rate_limit() -> None:
    assert [import_share(n) for n in (1, 4, 30, 40, 1000)] == [1, 1, 7, 10, 250]


async def searches(client: TMDBClient, budget: ImportBudget, label: str, count: int) -> int:
    """One import's title searches through `budget`; the requests it sent."""
    gate = budget.gate()
    for query in [f"{label} {n}" for n in range(count)]:
        await gate.call(lambda query=query: client.search_movie(query))
    return gate.requests


async def test_two_processes_share_one_import_quarter_through_redis(
    fake_tmdb: FakeTMDB, tmdb_settings: Settings, redis: Redis
) -> None:
    settings = tmdb_settings.model_copy(
        update={"tmdb_rate_limit": 16, "tmdb_rate_period": 1.0, "redis_enabled": True}
    )
    async with make_client(fake_tmdb) as first, make_client(fake_tmdb) as second:
        budgets = [build_imports(settings, None, c, redis).budget for c in (first, second)]  # type: ignore[arg-type]
        assert all(isinstance(b.limiter, RedisRateLimiter) for b in budgets)
        assert {b.limiter.key for b in budgets} == {"tmdb:imports"}  # type: ignore[attr-defined]
        sent = await asyncio.gather(
            searches(first, budgets[0], "first", 6), searches(second, budgets[1], "second", 6)
        )
    assert list(sent) == [6, 6]
    assert fake_tmdb.max_in_window(1.0, "/search/movie") <= import_share(16)
