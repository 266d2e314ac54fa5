"""Start-up failures a self-hoster meets: one line naming the setting, a documented exit code."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from filmbot.db import migrate
from tests.databases import MY_HOST, MY_PORT, MY_USER, require_service

SECRETS = {
    "DISCORD_TOKEN": "MTIz.placeholder-free",
    "TMDB_API_KEY": "0123456789abcdef",
    "TMDB_BASE_URL": "http://127.0.0.1:9/3",
    "DISCORD_API_BASE_URL": "http://127.0.0.1:9/api/v10",
    "DISCORD_GATEWAY_URL": "ws://127.0.0.1:9/",
}
COMMANDS = [
    ["run"],
    ["run", "--dry-run"],
    ["db", "upgrade"],
    ["db", "current"],
    ["check-updates", "--once"],
]


def filmbot(
    args: list[str], cwd: Path, *, wrapper: tuple[str, ...] = (), **env: str
) -> subprocess.CompletedProcess[str]:
    """Run `python -m filmbot` as an admin would, with only the given settings."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DISCORD_", "TMDB_", "DATABASE_", "LOG_"))
    }
    clean.update(SECRETS, **env)
    return subprocess.run(
        [*wrapper, sys.executable, "-m", "filmbot", *args],
        cwd=cwd,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _unreachable_url(kind: str, tmp_path: Path) -> str:
    if kind == "sqlite-missing-dir":
        return "sqlite+aiosqlite:////nonexistent/dir/bot.db"
    if kind == "postgresql-closed-port":
        return "postgresql+asyncpg://filmbot:s3cret-pw@127.0.0.1:1/filmbot"
    require_service("MariaDB", MY_HOST, MY_PORT)
    return f"mysql+asyncmy://{MY_USER}@{MY_HOST}:{MY_PORT}/filmbot_no_such_database"


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        ("sqlite-missing-dir", "unable to open database file"),
        ("postgresql-closed-port", "Connect call failed"),
        ("mariadb-unknown-database", "Unknown database 'filmbot_no_such_database'"),
    ],
)
def test_unreachable_database_is_one_line_naming_database_url_and_exit_1(
    tmp_path: Path, command: list[str], kind: str, reason: str
) -> None:
    url = _unreachable_url(kind, tmp_path)
    result = filmbot(command, tmp_path, DATABASE_URL=url)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("filmbot: cannot connect to DATABASE_URL ")
    assert reason in lines[0]
    assert "s3cret-pw" not in result.stderr
    assert result.stdout == ""


def test_password_is_shown_as_stars(tmp_path: Path) -> None:
    url = "postgresql+asyncpg://filmbot:s3cret-pw@127.0.0.1:1/filmbot"
    result = filmbot(["db", "current"], tmp_path, DATABASE_URL=url)
    assert "postgresql+asyncpg://filmbot:***@127.0.0.1:1/filmbot" in result.stderr


def _migrated(tmp_path: Path) -> Path:
    path = tmp_path / "bot.db"
    assert (
        filmbot(["db", "upgrade"], tmp_path, DATABASE_URL=f"sqlite+aiosqlite:///{path}").returncode
        == 0
    )
    return path


@pytest.mark.parametrize("command", [["run"], ["run", "--dry-run"]], ids=" ".join)
def test_read_only_database_stops_start_up_with_one_line(
    tmp_path: Path, command: list[str]
) -> None:
    # SQLite's mode=ro refuses writes even to root (a chmod 444 file would not stop root).
    path = _migrated(tmp_path)
    result = filmbot(
        command, tmp_path, DATABASE_URL=f"sqlite+aiosqlite:///file:{path}?mode=ro&uri=true"
    )
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"filmbot: DATABASE_URL sqlite+aiosqlite:///file%3A{path}?mode=ro&uri=true "
        "does not accept writes: attempt to write a readonly database"
    ]


def test_dry_run_says_migrated_from_base_then_already_at_head(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    first = filmbot(["run", "--dry-run"], tmp_path, DATABASE_URL=url)
    second = filmbot(["run", "--dry-run"], tmp_path, DATABASE_URL=url)
    head = migrate.head_revision()
    assert first.returncode == second.returncode == 0
    assert f"Database migrated from base to {head}" in first.stderr
    assert f"Database already at {head}" in second.stderr
    assert "Database migrated" not in second.stderr


@pytest.mark.parametrize(
    "command", [["run"], ["run", "--dry-run"], ["db", "current"]], ids=" ".join
)
def test_log_dir_below_a_regular_file_is_one_line_and_exit_2(
    tmp_path: Path, command: list[str]
) -> None:
    (tmp_path / "some-file").write_text("not a directory")
    result = filmbot(command, tmp_path, LOG_DIR="some-file/logs")
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "filmbot: LOG_DIR some-file/logs: cannot create it (Not a directory)"
    ]
    assert not (tmp_path / "filmbot.db").exists()


def test_log_file_that_cannot_be_opened_is_one_line_and_exit_2(tmp_path: Path) -> None:
    (tmp_path / "logs" / "filmbot.log").mkdir(parents=True)
    result = filmbot(["run", "--dry-run"], tmp_path, LOG_DIR="logs")
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "filmbot: LOG_DIR logs: cannot write filmbot.log (Is a directory)"
    ]


def _without_root_overrides() -> tuple[str, ...]:
    """A command prefix under which file permissions bind, as for an ordinary user.

    Root bypasses them through CAP_DAC_OVERRIDE; setpriv drops it for the child process.
    """
    if os.geteuid() != 0:
        return ()
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.fail("running as root needs setpriv (util-linux) to drop CAP_DAC_OVERRIDE")
    return (setpriv, "--bounding-set=-dac_override,-dac_read_search", "--")


def test_read_only_log_dir_is_one_line_and_exit_2(tmp_path: Path) -> None:
    wrapper = _without_root_overrides()
    logs = tmp_path / "logs"
    logs.mkdir()
    logs.chmod(0o555)
    try:
        result = filmbot(["run", "--dry-run"], tmp_path, wrapper=wrapper, LOG_DIR="logs")
    finally:
        logs.chmod(0o755)
    assert result.returncode == 2
    assert result.stderr.splitlines() == ["filmbot: LOG_DIR logs: this user may not write in it"]


def test_doctor_reports_a_bad_log_dir_and_still_checks_the_rest(tmp_path: Path) -> None:
    (tmp_path / "some-file").write_text("not a directory")
    result = filmbot(
        ["doctor"],
        tmp_path,
        LOG_DIR="some-file/logs",
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
    )
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert "[FAIL] logs: LOG_DIR some-file/logs: cannot create it (Not a directory)" in lines
    assert "[ OK ] settings: DISCORD_TOKEN and a TMDB credential are set" in lines
    assert any(line.startswith("[ OK ] redis:") for line in lines)
    assert "Traceback" not in result.stderr
