"""Run Alembic migrations from FilmBot's own CLI and start-up.

Reading where a database stands needs no Alembic: `current` reads Alembic's version table
with one query and `HEAD_REVISION` names the newest migration, so `filmbot db current`, the
dashboard and `doctor` start without importing Alembic or loading every migration script.
Alembic itself is imported only to upgrade or downgrade.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"

HEAD_REVISION = "0011_watched_genres"
"""The newest revision under migrations/versions; a test holds it to Alembic's own head."""

VERSION_TABLE = "alembic_version"
"""Where Alembic records a database's revision (its default name and schema)."""


def alembic_config(url: str | None = None) -> Config:
    """Build the Alembic configuration for FilmBot's migrations."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def head_revision() -> str:
    """Return the newest revision shipped with this version."""
    return HEAD_REVISION


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Upgrade the database to a revision."""
    async with engine.begin() as connection:
        await connection.run_sync(_run, "upgrade", revision)


async def downgrade(engine: AsyncEngine, revision: str) -> None:
    """Downgrade the database to a revision ('base' removes every table)."""
    async with engine.begin() as connection:
        await connection.run_sync(_run, "downgrade", revision)


async def current(engine: AsyncEngine) -> str | None:
    """Return the database's current revision, or None when unmigrated."""
    async with engine.connect() as connection:
        return await connection.run_sync(_current)


def _run(connection: Connection, action: str, revision: str) -> None:
    from alembic import command

    config = alembic_config()
    config.attributes["connection"] = connection
    if action == "upgrade":
        command.upgrade(config, revision)
    else:
        command.downgrade(config, revision)


def _current(connection: Connection) -> str | None:
    # What Alembic's MigrationContext.get_current_revision reads, in the same way: no version
    # table or an empty one is base, one row is the revision.
    if not inspect(connection).has_table(VERSION_TABLE):
        return None
    revisions = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars()
    found = list(revisions)
    if len(found) > 1:  # as Alembic refuses it: FilmBot's history is one line of revisions
        raise RuntimeError(f"{VERSION_TABLE} holds more than one revision: {found}")
    return found[0] if found else None
