"""The filmbot command as an admin runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _run(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "TMDB_", "DATABASE_"))
    }
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-m", "filmbot", *args],
        cwd=cwd,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_run_without_token_prints_one_line_and_exits_2(tmp_path: Path) -> None:
    result = _run(["run"], tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "DISCORD_TOKEN" in result.stderr and "Traceback" not in result.stderr


def test_invalid_setting_stops_with_exit_2(tmp_path: Path) -> None:
    result = _run(["db", "current"], tmp_path, MAX_WATCHLIST_ITEMS="lots")
    assert result.returncode == 2
    assert result.stderr.startswith("filmbot: configuration error: MAX_WATCHLIST_ITEMS")


def test_db_commands_upgrade_report_and_downgrade(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    assert "base (empty)" in _run(["db", "current"], tmp_path, DATABASE_URL=url).stdout
    assert _run(["db", "upgrade"], tmp_path, DATABASE_URL=url).returncode == 0
    assert "up to date" in _run(["db", "current"], tmp_path, DATABASE_URL=url).stdout
    assert _run(["db", "downgrade", "base"], tmp_path, DATABASE_URL=url).returncode == 0
    assert "base (empty)" in _run(["db", "current"], tmp_path, DATABASE_URL=url).stdout


@pytest.mark.parametrize(
    "entry", [["-m", "filmbot", "run", "--dry-run"], [str(ROOT / "main.py"), "--dry-run"]]
)
def test_run_reads_dotenv_and_migrates_the_sqlite_default(tmp_path: Path, entry: list[str]) -> None:
    (tmp_path / ".env").write_text(
        "DISCORD_TOKEN=MTIz.placeholder-free\nTMDB_API_KEY=0123456789abcdef\n"
        "TMDB_BASE_URL=http://127.0.0.1:9/3\nDISCORD_API_BASE_URL=http://127.0.0.1:9/api/v10\n"
        "DISCORD_GATEWAY_URL=ws://127.0.0.1:9/\n"
    )
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "TMDB_", "DATABASE_"))
    }
    result = subprocess.run(
        [sys.executable, *entry], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert (tmp_path / "filmbot.db").exists()
    assert (tmp_path / "logs" / "filmbot.log").exists()
    check = _run(["db", "current"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert "up to date" in check.stdout


def test_main_in_process_runs_db_commands(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from filmbot.cli import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'inproc.db'}")
    monkeypatch.setenv("LOG_DIR", str(tmp_path / "logs"))
    assert main(["db", "upgrade"]) == 0
    assert main(["db", "current"]) == 0
    assert "up to date" in capsys.readouterr().out
    monkeypatch.setenv("DISCORD_TOKEN", "MTIz.not-a-placeholder")
    monkeypatch.setenv("TMDB_API_KEY", "0123456789abcdef")
    assert main(["run", "--dry-run"]) == 0
    assert main(["db", "downgrade", "base"]) == 0
    assert "database at base" in capsys.readouterr().out
