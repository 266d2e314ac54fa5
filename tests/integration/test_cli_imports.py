"""`filmbot healthcheck` (Docker runs it every minute) loads none of the bot's heavy parts."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

HEAVY = ("discord", "sqlalchemy", "alembic", "aiohttp", "numpy", "scipy", "redis")


def _modules_after(args: list[str], tmp_path: Path) -> tuple[int, set[str]]:
    """Run the CLI in a fresh interpreter and return its exit code and the modules it loaded."""
    script = textwrap.dedent(
        f"""
        import sys
        from filmbot.cli import main
        code = main({args!r})
        print("\\n".join(sorted(sys.modules)))
        sys.exit(code)
        """
    )
    heartbeat = tmp_path / "heartbeat"
    heartbeat.touch()
    env = {
        **os.environ,
        "HEALTH_FILE": str(heartbeat),
        "LOG_DIR": str(tmp_path / "logs"),
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
    }
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, cwd=tmp_path, capture_output=True, text=True
    )
    return result.returncode, set(result.stdout.split())


def test_healthcheck_answers_without_importing_discord_the_database_or_http(
    tmp_path: Path,
) -> None:
    code, modules = _modules_after(["healthcheck"], tmp_path)
    assert code == 0
    loaded = {name.split(".")[0] for name in modules}
    assert loaded.isdisjoint(HEAVY), sorted(loaded & set(HEAVY))


def test_db_current_loads_the_database_but_neither_alembic_nor_discord(tmp_path: Path) -> None:
    code, modules = _modules_after(["db", "current"], tmp_path)
    assert code == 0
    loaded = {name.split(".")[0] for name in modules}
    assert "sqlalchemy" in loaded  # the guard above can fail: this command does load it
    assert loaded.isdisjoint({"alembic", "discord", "aiohttp", "numpy", "scipy"})
    assert not {name for name in modules if name.startswith("filmbot.db.models")}
