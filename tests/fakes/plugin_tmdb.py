"""Pytest plugin with the fake TMDB fixtures: `fake_tmdb` and `tmdb_settings`.

Enable with `pytest_plugins = ["tests.fakes.plugin_tmdb"]` in tests/conftest.py
(or `-p tests.fakes.plugin_tmdb` on the command line).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from filmbot.config import Settings, load_settings
from tests.fakes.tmdb_server import FakeTMDB


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
