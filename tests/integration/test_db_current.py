"""`filmbot db current` answers without Alembic, and says what Alembic itself would say."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from filmbot.db import migrate
from filmbot.db.session import engine_for_url

OLDER = "0005_personal_follows"


def _alembic_head() -> str | None:
    return ScriptDirectory.from_config(migrate.alembic_config()).get_current_head()


def _alembic_current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def _db_current(url: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "TMDB_", "DATABASE_"))
    }
    env.update(DATABASE_URL=url, LOG_DIR=str(tmp_path / "logs"))
    return subprocess.run(
        [sys.executable, "-m", "filmbot", "db", "current"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_head_revision_is_the_single_head_of_the_migration_scripts() -> None:
    scripts = ScriptDirectory.from_config(migrate.alembic_config())
    assert scripts.get_heads() == [migrate.HEAD_REVISION], (
        "a migration was added: set HEAD_REVISION in filmbot/db/migrate.py to its revision"
    )
    assert migrate.head_revision() == _alembic_head()


@pytest.mark.parametrize("state", ["never migrated", "older", "head", "downgraded to base"])
async def test_db_current_prints_the_revision_alembic_reads(
    database_url: str, tmp_path: Path, state: str
) -> None:
    engine = engine_for_url(database_url)
    try:
        if state == "older":
            await migrate.upgrade(engine, OLDER)
        elif state == "head":
            await migrate.upgrade(engine)
        elif state == "downgraded to base":
            await migrate.upgrade(engine)
            await migrate.downgrade(engine, "base")
        async with engine.connect() as connection:
            by_alembic = await connection.run_sync(_alembic_current)
        assert await migrate.current(engine) == by_alembic
    finally:
        await engine.dispose()
    expected = {"never migrated": None, "older": OLDER, "head": _alembic_head()}
    assert by_alembic == expected.get(state)
    head = _alembic_head()
    shown = "up to date" if by_alembic == head else f"head is {head}"
    result = _db_current(database_url, tmp_path)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == f"{by_alembic or 'base (empty)'} ({shown})\n"
