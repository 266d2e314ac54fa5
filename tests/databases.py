"""Throwaway databases on SQLite, PostgreSQL and MariaDB for the test suite."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

BACKENDS = ("sqlite", "postgresql", "mariadb")
PG_HOST, PG_PORT, PG_USER = "127.0.0.1", 5432, os.environ.get("FILMBOT_TEST_PG_USER", "postgres")
MY_HOST, MY_PORT, MY_USER = "127.0.0.1", 3306, "root"


def in_ci() -> bool:
    """Whether the suite runs in CI, where every backend must be there."""
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def reachable(host: str, port: int) -> bool:
    """Whether a TCP port answers."""
    try:
        with socket.create_connection((host, port), timeout=1.0):
            return True
    except OSError:
        return False


def require_service(name: str, host: str, port: int) -> None:
    """Skip (or, in CI, fail) when a service is not reachable."""
    if reachable(host, port):
        return
    message = f"{name} is not reachable at {host}:{port}"
    if in_ci():
        pytest.fail(f"{message}; CI=true requires it")
    pytest.skip(f"{message}; start it to run these tests")


@asynccontextmanager
async def throwaway_database(backend: str, tmp_path: Path) -> AsyncIterator[str]:
    """Create an empty database on the backend, yield its URL, then drop it."""
    name = f"filmbot_t_{uuid.uuid4().hex[:12]}"
    if backend == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / name}.db"
    elif backend == "postgresql":
        require_service("PostgreSQL", PG_HOST, PG_PORT)
        async with _postgres(name):
            yield f"postgresql+asyncpg://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}"
    elif backend == "mariadb":
        require_service("MariaDB", MY_HOST, MY_PORT)
        async with _mariadb(name):
            yield f"mysql+asyncmy://{MY_USER}@{MY_HOST}:{MY_PORT}/{name}?charset=utf8mb4"
    else:
        raise ValueError(backend)


@asynccontextmanager
async def _postgres(name: str) -> AsyncIterator[None]:
    import asyncpg

    admin = await asyncpg.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, database="test")
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        yield
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@asynccontextmanager
async def _mariadb(name: str) -> AsyncIterator[None]:
    import asyncmy

    admin = await asyncmy.connect(
        host=MY_HOST, port=MY_PORT, user=MY_USER, password="", autocommit=True
    )
    try:
        async with admin.cursor() as cursor:
            await cursor.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
        yield
    finally:
        async with admin.cursor() as cursor:
            await cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
        admin.close()
