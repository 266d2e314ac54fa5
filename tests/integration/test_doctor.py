"""`filmbot doctor` tells an admin exactly which dependency is broken."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr

from filmbot.config import Settings
from filmbot.db import migrate
from filmbot.db.session import engine_for_url
from filmbot.doctor import run_doctor
from tests.databases import (
    MY_HOST,
    MY_PORT,
    MY_USER,
    PG_HOST,
    PG_PORT,
    PG_USER,
    throwaway_database,
)
from tests.fakes.discord_server import FakeDiscord


@pytest.fixture
async def healthy(tmdb_settings: Settings, fake_discord: FakeDiscord, tmp_path: Path) -> Settings:
    url = f"sqlite+aiosqlite:///{tmp_path / 'doctor.db'}"
    engine = engine_for_url(url)
    await migrate.upgrade(engine)
    await engine.dispose()
    return tmdb_settings.model_copy(
        update={
            "database_url": url,
            "discord_token": SecretStr(fake_discord.token),
            "discord_api_base_url": fake_discord.api_base_url,
            "log_dir": tmp_path / "logs",
        }
    )


def _report(capsys: pytest.CaptureFixture[str]) -> dict[str, str]:
    out = capsys.readouterr().out
    lines = [line for line in out.splitlines() if line.startswith("[")]
    return {line[7:].split(":", 1)[0]: line for line in lines}


async def test_healthy_setup_passes_every_check(
    healthy: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await run_doctor(healthy) == 0
    report = _report(capsys)
    assert set(report) == {"settings", "logs", "database", "tmdb", "discord", "redis"}
    assert all(line.startswith("[ OK ]") for line in report.values()), report


async def test_wrong_database_url_fails_with_a_hint(
    healthy: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = healthy.model_copy(
        update={"database_url": "postgresql+asyncpg://nobody@127.0.0.1:1/none"}
    )
    assert await run_doctor(broken) == 1
    report = _report(capsys)
    assert report["database"].startswith(
        "[FAIL] database: cannot connect to DATABASE_URL postgresql+asyncpg://nobody@127.0.0.1:1/none"
    )
    assert report["tmdb"].startswith("[ OK ]")


async def test_log_dir_below_a_file_fails_and_the_other_checks_still_run(
    healthy: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "some-file").write_text("")
    logs = tmp_path / "some-file" / "logs"
    assert await run_doctor(healthy.model_copy(update={"log_dir": logs})) == 1
    report = _report(capsys)
    assert report["logs"] == f"[FAIL] logs: LOG_DIR {logs}: cannot create it (Not a directory)"
    assert [name for name, line in report.items() if not line.startswith("[ OK ]")] == ["logs"]


async def _read_only_url(backend: str, url: str) -> str:
    """Make the migrated database refuse writes to FilmBot's connection; return the URL to use.

    Root ignores file modes, so SQLite is opened with mode=ro, which SQLite itself enforces.
    PostgreSQL gets default_transaction_read_only; MariaDB a user that may only SELECT.
    """
    if backend == "sqlite":
        return f"sqlite+aiosqlite:///file:{url.split(':///', 1)[1]}?mode=ro&uri=true"
    name = url.rsplit("/", 1)[1].split("?", 1)[0]
    if backend == "postgresql":
        import asyncpg

        admin = await asyncpg.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, database=name)
        await admin.execute(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
        await admin.close()
        return url
    import asyncmy

    admin = await asyncmy.connect(host=MY_HOST, port=MY_PORT, user=MY_USER, autocommit=True)
    async with admin.cursor() as cursor:
        await cursor.execute(f"CREATE USER IF NOT EXISTS '{name}'@'%'")
        await cursor.execute(f"GRANT SELECT ON `{name}`.* TO '{name}'@'%'")
    admin.close()
    return url.replace(f"{MY_USER}@", f"{name}@", 1)


async def _drop_mariadb_user(name: str) -> None:
    import asyncmy

    admin = await asyncmy.connect(host=MY_HOST, port=MY_PORT, user=MY_USER, autocommit=True)
    async with admin.cursor() as cursor:
        await cursor.execute(f"DROP USER IF EXISTS '{name}'@'%'")
    admin.close()


async def test_database_that_refuses_writes_fails(
    healthy: Settings, backend: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    async with throwaway_database(backend, tmp_path) as url:
        engine = engine_for_url(url)
        await migrate.upgrade(engine)
        await engine.dispose()
        try:
            read_only = await _read_only_url(backend, url)
            assert await run_doctor(healthy.model_copy(update={"database_url": read_only})) == 1
        finally:
            if backend == "mariadb":
                await _drop_mariadb_user(url.rsplit("/", 1)[1].split("?", 1)[0])
    line = _report(capsys)["database"]
    assert line.startswith("[FAIL] database: DATABASE_URL "), line
    assert "does not accept writes: " in line


async def test_unmigrated_database_is_reported(
    healthy: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = healthy.model_copy(
        update={"database_url": f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"}
    )
    assert await run_doctor(empty) == 1
    assert "filmbot db upgrade" in capsys.readouterr().out


async def test_bad_tmdb_key_fails(healthy: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    bad = healthy.model_copy(update={"tmdb_api_key": SecretStr("definitely-wrong-key")})
    assert await run_doctor(bad) == 1
    report = _report(capsys)
    assert report["tmdb"].startswith("[FAIL] tmdb: TMDB rejected the credentials")
    assert "definitely-wrong-key" not in "".join(report.values())


async def test_bad_discord_token_fails(
    healthy: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = healthy.model_copy(update={"discord_token": SecretStr("not-the-token")})
    assert await run_doctor(bad) == 1
    assert _report(capsys)["discord"].startswith("[FAIL] discord: Discord rejected DISCORD_TOKEN")


async def test_redis_down_fails_and_redis_up_passes(
    healthy: Settings, capsys: pytest.CaptureFixture[str], request: pytest.FixtureRequest
) -> None:
    down = healthy.model_copy(update={"redis_enabled": True, "redis_url": "redis://127.0.0.1:1/0"})
    assert await run_doctor(down) == 1
    assert _report(capsys)["redis"].startswith("[FAIL] redis: no answer")
    redis_url = request.getfixturevalue("redis_url")  # skips (fails in CI) without Redis
    up = healthy.model_copy(update={"redis_enabled": True, "redis_url": redis_url})
    assert await run_doctor(up) == 0
    assert _report(capsys)["redis"].startswith("[ OK ] redis: PONG")
