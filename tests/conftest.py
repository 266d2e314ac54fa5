"""Shared fixtures: a migrated throwaway database per backend, Redis and TMDB's OpenAPI file."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from filmbot.db import migrate
from filmbot.db.session import create_sessionmaker, engine_for_url
from tests.databases import BACKENDS, in_ci, require_service, throwaway_database
from tests.fakes.tmdb_examples import openapi_file

REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
REDIS_URL = f"redis://{REDIS_HOST}:{REDIS_PORT}/15"
REDIS_KEY_PATTERNS = ("tmdb:*", "filmbot:*")

pytest_plugins = ["tests.fakes.plugin_discord", "tests.fakes.plugin_tmdb"]


@pytest.fixture(autouse=True)
def _restore_root_logging() -> Iterator[None]:
    """Remove handlers a test installed (setup_logging through main()) when it ends.

    A console handler bound to the test's captured stderr would otherwise outlive the capture
    and fail with "I/O operation on closed file" in every later test that logs.
    """
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in [h for h in root.handlers if h not in handlers]:
        root.removeHandler(handler)
        handler.close()
    root.setLevel(level)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """Each database backend in turn."""
    return str(request.param)


@pytest_asyncio.fixture
async def database_url(backend: str, tmp_path: Path) -> AsyncIterator[str]:
    """An empty throwaway database on the backend."""
    async with throwaway_database(backend, tmp_path) as url:
        yield url


@pytest_asyncio.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine on a freshly migrated database."""
    engine = engine_for_url(database_url)
    await migrate.upgrade(engine)
    yield engine
    await engine.dispose()


@pytest.fixture
def sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """The session factory on the migrated database."""
    return create_sessionmaker(engine)


@pytest.fixture(scope="session")
def openapi() -> dict[str, Any]:
    """TMDB's OpenAPI description, found next to the repository (required in CI)."""
    spec_file = openapi_file()
    if not spec_file.is_file():
        message = f"TMDB's OpenAPI description is not at {spec_file}"
        if in_ci():
            pytest.fail(f"{message}; CI=true requires it")
        pytest.skip(f"{message}; put it there or name it in FILMBOT_TEST_OPENAPI")
    spec: dict[str, Any] = json.loads(spec_file.read_text(encoding="utf-8"))
    return spec


@pytest.fixture
def redis_url() -> str:
    """The URL of Redis database 15 (skips, or fails in CI, when Redis is down)."""
    require_service("Redis", REDIS_HOST, REDIS_PORT)
    return REDIS_URL


@pytest_asyncio.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    """A client on Redis database 15 that deletes the FilmBot keys the test created."""
    client = Redis.from_url(redis_url, socket_connect_timeout=1, socket_timeout=5)
    existing = await _filmbot_keys(client)
    yield client
    created = await _filmbot_keys(client) - existing
    if created:
        await client.delete(*created)
    await client.aclose()


async def _filmbot_keys(client: Redis) -> set[bytes]:
    """Return the keys under FilmBot's prefixes."""
    return {key for pattern in REDIS_KEY_PATTERNS async for key in client.scan_iter(match=pattern)}
