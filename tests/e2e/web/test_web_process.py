"""`filmbot web` as an admin starts it: one clear line for a missing setting, else it serves."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import aiohttp
import pytest

from filmbot.db import migrate
from filmbot.db.session import engine_for_url
from tests.e2e.web.conftest import free_port, web_env
from tests.fakes.discord_oauth import FakeDiscordOAuth


def _clean_env(tmp_path: Path, **settings: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DISCORD_", "WEB_", "DATABASE_", "TMDB_"))
    }
    env.update(LOG_DIR=str(tmp_path / "logs"), **settings)
    return env


async def _web(env: dict[str, str], cwd: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "filmbot",
        "--env-file",
        "",
        "web",
        cwd=cwd,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


@pytest.mark.parametrize(
    "missing",
    ["WEB_BASE_URL", "DISCORD_CLIENT_ID", "DISCORD_CLIENT_SECRET", "WEB_SESSION_SECRET"],
)
async def test_a_missing_setting_exits_2_with_one_line_naming_it(
    fake_oauth: FakeDiscordOAuth, tmp_path: Path, missing: str
) -> None:
    settings = web_env(fake_oauth, "http://127.0.0.1:1", f"sqlite+aiosqlite:///{tmp_path}/b.db")
    del settings[missing]
    process = await _web(_clean_env(tmp_path, **settings), tmp_path)
    _out, err = await asyncio.wait_for(process.communicate(), 60)
    lines = err.decode().splitlines()
    assert process.returncode == 2
    assert len(lines) == 1
    assert lines[0].startswith(f"filmbot: configuration error: {missing}: required")


async def test_web_serves_the_login_page_and_stops_on_sigterm(
    fake_oauth: FakeDiscordOAuth, tmp_path: Path
) -> None:
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    engine = engine_for_url(database_url)
    await migrate.upgrade(engine)
    await engine.dispose()
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    settings = web_env(fake_oauth, base_url, database_url)
    process = await _web(_clean_env(tmp_path, WEB_PORT=str(port), **settings), tmp_path)
    try:
        async with aiohttp.ClientSession() as client:
            for _ in range(200):
                try:
                    async with client.get(f"{base_url}/login") as r:
                        assert r.status == 200
                        assert "Log in with Discord" in await r.text()
                        break
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.1)
            else:
                pytest.fail("filmbot web did not start")
            async with client.get(f"{base_url}/auth/login", allow_redirects=False) as r:
                location = r.headers["Location"]
        assert location.startswith(fake_oauth.authorize_url)
        assert "redirect_uri=http%3A%2F%2F127.0.0.1" in location
        assert "scope=identify+guilds" in location
    finally:
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0


async def test_an_unmigrated_database_is_one_line_and_exit_1(
    fake_oauth: FakeDiscordOAuth, tmp_path: Path
) -> None:
    settings = web_env(fake_oauth, "http://127.0.0.1:1", f"sqlite+aiosqlite:///{tmp_path}/b.db")
    process = await _web(_clean_env(tmp_path, **settings), tmp_path)
    _out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 1
    assert err.decode().splitlines() == [
        f"filmbot: the database is at base (empty), not {migrate.head_revision()}: "
        "start the bot or run `filmbot db upgrade` first"
    ]


def test_https_base_url_makes_the_session_cookie_secure(tmp_path: Path) -> None:
    from starlette.testclient import TestClient

    from filmbot.config import load_settings
    from filmbot.services.container import build_dashboard
    from filmbot.web.app import create_app

    oauth = FakeDiscordOAuth("1", "secret", "")
    oauth.url = "http://127.0.0.1:1"
    env = web_env(oauth, "https://films.example.org", f"sqlite+aiosqlite:///{tmp_path}/b.db")
    settings = load_settings(None, **{k.lower(): v for k, v in env.items()})
    app = create_app(settings, build_dashboard(engine_for_url(settings.database_url)))
    with TestClient(app, base_url="https://films.example.org") as client:
        response = client.get("/auth/login", follow_redirects=False)
    cookie = response.headers["set-cookie"].lower()
    assert "; secure" in cookie
    assert "httponly" in cookie
    assert "redirect_uri=https%3a%2f%2ffilms.example.org%2fauth%2fcallback" in (
        response.headers["location"].lower()
    )
