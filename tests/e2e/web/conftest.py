"""Fixtures for the dashboard: a seeded database, the fake Discord OAuth, the app, a browser."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
import uvicorn
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from yarl import URL

from filmbot.config import Settings, load_settings
from filmbot.db import migrate
from filmbot.db.session import create_sessionmaker, engine_for_url
from filmbot.services.container import build_dashboard
from filmbot.web.app import create_app
from tests.databases import in_ci
from tests.e2e.web import seed
from tests.fakes.discord_oauth import FakeDiscordOAuth

CLIENT_ID = "1200000000000000001"
CLIENT_SECRET = "fake-client-secret"
SESSION_SECRET = "a-session-secret-for-the-dashboard-tests-only"
ARTIFACTS = Path(os.environ.get("FILMBOT_TEST_ARTIFACTS", Path(__file__).parents[2] / "artifacts"))


@dataclass
class Dashboard:
    """The running dashboard and what it reads."""

    base_url: str
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    oauth: FakeDiscordOAuth
    settings: Settings


def free_port() -> int:
    """A port nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def web_env(oauth: FakeDiscordOAuth, base_url: str, database_url: str) -> dict[str, str]:
    """The settings `filmbot web` needs, pointed at the fakes."""
    return {
        "DATABASE_URL": database_url,
        "WEB_BASE_URL": base_url,
        "DISCORD_CLIENT_ID": CLIENT_ID,
        "DISCORD_CLIENT_SECRET": CLIENT_SECRET,
        "WEB_SESSION_SECRET": SESSION_SECRET,
        "DISCORD_API_BASE_URL": oauth.api_base_url,
        "DISCORD_OAUTH_AUTHORIZE_URL": oauth.authorize_url,
    }


@pytest_asyncio.fixture
async def fake_oauth() -> AsyncIterator[FakeDiscordOAuth]:
    """Discord's OAuth2 pages and API, with the seeded users (redirect URI set by the app)."""
    fake = FakeDiscordOAuth(CLIENT_ID, CLIENT_SECRET, redirect_uri="")
    seed.add_users(fake)
    await fake.start()
    yield fake
    await fake.stop()


@pytest_asyncio.fixture
async def dashboard(tmp_path: Path, fake_oauth: FakeDiscordOAuth) -> AsyncIterator[Dashboard]:
    """The dashboard served on 127.0.0.1 over a migrated, seeded SQLite database."""
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    engine = engine_for_url(database_url)
    await migrate.upgrade(engine)
    sessions = create_sessionmaker(engine)
    await seed.seed(sessions)
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    fake_oauth.redirect_uris = {f"{base_url}/auth/callback"}
    env = {k.lower(): v for k, v in web_env(fake_oauth, base_url, database_url).items()}
    settings = load_settings(None, **env)
    app = create_app(settings, build_dashboard(engine))
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, lifespan="off")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.02)
    yield Dashboard(base_url, engine, sessions, fake_oauth, settings)
    server.should_exit = True
    await task
    await engine.dispose()


def chromium_path() -> str:
    """Debian's Chromium; a test that needs it fails under CI=true when it is missing."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        message = "Chromium is not installed (apt-get install -y chromium)"
        if in_ci():
            pytest.fail(f"{message}; CI=true requires it")
        pytest.skip(message)
    return found


@pytest_asyncio.fixture
async def browser() -> AsyncIterator[Any]:
    """Headless Chromium driven by Playwright."""
    executable = chromium_path()
    try:
        from playwright.async_api import async_playwright
    except ImportError:
        if in_ci():
            pytest.fail("Playwright is not installed; CI=true requires it")
        pytest.skip("Playwright is not installed")
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=executable, args=["--no-sandbox", "--disable-dev-shm-usage"]
        )
        yield launched
        await launched.close()


@pytest_asyncio.fixture
async def page(browser: Any) -> AsyncIterator[Any]:
    """A fresh browser tab (its own cookies) at a desktop size."""
    context = await browser.new_context(viewport={"width": 1200, "height": 900})
    tab = await context.new_page()
    yield tab
    await context.close()


async def log_in(page: Any, dashboard: Dashboard, username: str) -> None:
    """Log in through the dashboard's button and the fake's authorize page."""
    await page.goto(f"{dashboard.base_url}/")
    await page.get_by_role("link", name="Log in with Discord").click()
    await page.get_by_role("button", name=f"Authorize as {username}").click()
    await page.wait_for_url(f"{dashboard.base_url}/**")


async def screenshot(page: Any, name: str) -> Path:
    """Save the whole page under the test artefacts."""
    path = ARTIFACTS / "web" / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(path), full_page=True)
    return path


@pytest_asyncio.fixture
async def client(dashboard: Dashboard) -> AsyncIterator[aiohttp.ClientSession]:
    """An HTTP client with its own cookie jar (no redirects followed unless asked)."""
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
        yield session


async def start_login(client: aiohttp.ClientSession, dashboard: Dashboard) -> str:
    """Follow "Log in with Discord" to the authorize page; return its URL."""
    async with client.get(f"{dashboard.base_url}/auth/login", allow_redirects=False) as r:
        assert r.status == 303
        return r.headers["Location"]


async def authorize(client: aiohttp.ClientSession, authorize_url: str, user_id: int) -> str:
    """Press "Authorize" on the fake's page; return the callback URL Discord redirects to."""
    query = dict(URL(authorize_url).query)
    form = {**query, "user_id": str(user_id)}
    async with client.post(
        authorize_url.split("?", maxsplit=1)[0], data=form, allow_redirects=False
    ) as r:
        assert r.status == 302, await r.text()
        return r.headers["Location"]


async def http_log_in(client: aiohttp.ClientSession, dashboard: Dashboard, user_id: int) -> None:
    """Log the client in as the user, the way a browser would."""
    callback = await authorize(client, await start_login(client, dashboard), user_id)
    async with client.get(callback, allow_redirects=False) as r:
        assert r.status == 303, await r.text()


async def graphql(
    client: aiohttp.ClientSession, dashboard: Dashboard, query: str, **variables: Any
) -> tuple[int, dict[str, Any]]:
    """POST a query; return the status and the JSON answer."""
    body = {"query": query, "variables": variables}
    async with client.post(f"{dashboard.base_url}/graphql", json=body) as r:
        return r.status, await r.json()
