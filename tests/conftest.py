"""Shared fixtures: a migrated throwaway database per backend."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from filmbot.db import migrate
from filmbot.db.session import create_sessionmaker, engine_for_url
from tests.databases import BACKENDS, throwaway_database

pytest_plugins = ["tests.fakes.plugin_discord", "tests.fakes.plugin_tmdb"]


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
