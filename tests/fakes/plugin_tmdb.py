"""Pytest plugin with the fake TMDB fixtures (`fake_tmdb`, `tmdb_settings`) and `make_client`.

Enable with `pytest_plugins = ["tests.fakes.plugin_tmdb"]` in tests/conftest.py
(or `-p tests.fakes.plugin_tmdb` on the command line).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from filmbot.config import Settings, load_settings
from filmbot.tmdb import LocalRateLimiter, RetryPolicy, TMDBClient
from tests.fakes.tmdb_server import FakeTMDB

FAST = RetryPolicy(max_retries=3, deadline=5.0, timeout=2.0, backoff_base=0.01, backoff_cap=0.05)


def make_client(
    fake: FakeTMDB, *, policy: RetryPolicy = FAST, ttl: float = 3600.0, **kw: str
) -> TMDBClient:
    """A client of the fake with quick retries and a generous rate limit."""
    credentials = kw or {"api_key": fake.api_key}
    return TMDBClient.create(
        fake.base_url, limiter=LocalRateLimiter(1000, 1.0), policy=policy, ttl=ttl, **credentials
    )


@pytest.fixture
async def fake_tmdb() -> AsyncIterator[FakeTMDB]:
    """A running fake TMDB on 127.0.0.1 with the fixture catalogue."""
    async with FakeTMDB() as fake:
        yield fake


@pytest.fixture
def tmdb_settings(fake_tmdb: FakeTMDB) -> Settings:
    """Settings pointed at the fake TMDB, with its API key and quick retries."""
    return load_settings(
        env_file=None,
        tmdb_base_url=fake_tmdb.base_url,
        tmdb_api_key=fake_tmdb.api_key,
        tmdb_read_access_token=None,
        tmdb_rate_limit=1000,
        tmdb_rate_period=1.0,
        tmdb_timeout_seconds=5.0,
        tmdb_max_retries=3,
        tmdb_retry_deadline_seconds=10.0,
        redis_enabled=False,
    )
