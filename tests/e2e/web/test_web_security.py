"""The dashboard refuses what it must: no session, forged state, other servers, no CSRF."""

from __future__ import annotations

import aiohttp
from sqlalchemy import select
from yarl import URL

from filmbot.db.models import GuildRow
from tests.e2e.web import seed
from tests.e2e.web.conftest import (
    Dashboard,
    authorize,
    http_log_in,
    start_login,
)


async def _timezone(dashboard: Dashboard) -> str:
    async with dashboard.sessions() as session:
        return str(
            await session.scalar(select(GuildRow.timezone).where(GuildRow.id == seed.FILM_CLUB))
        )


async def _csrf(client: aiohttp.ClientSession, url: str) -> str:
    async with client.get(url) as r:
        text = await r.text()
    marker = 'name="csrf" value="'
    return text.split(marker, 1)[1].split('"', 1)[0]


async def test_without_a_session_every_page_redirects_to_login(
    dashboard: Dashboard, client: aiohttp.ClientSession
) -> None:
    for path in (
        "/",
        f"/servers/{seed.FILM_CLUB}",
        f"/servers/{seed.FILM_CLUB}/charts",
        f"/servers/{seed.FILM_CLUB}/settings",
        f"/servers/{seed.FILM_CLUB}/deliveries",
    ):
        async with client.get(f"{dashboard.base_url}{path}", allow_redirects=False) as r:
            assert r.status == 303, path
            assert r.headers["Location"].startswith("/login"), path


async def test_session_cookie_is_signed_httponly_and_lax(
    dashboard: Dashboard, client: aiohttp.ClientSession
) -> None:
    async with client.get(f"{dashboard.base_url}/auth/login", allow_redirects=False) as r:
        cookie = r.headers["Set-Cookie"]
    assert cookie.startswith("filmbot_session=")
    assert "httponly" in cookie.lower()
    assert "samesite=lax" in cookie.lower()
    assert "secure" not in cookie.lower()  # http:// base URL; https:// adds Secure


async def test_forged_state_is_refused(dashboard: Dashboard, client: aiohttp.ClientSession) -> None:
    callback = await authorize(client, await start_login(client, dashboard), seed.MEMBER)
    forged = callback.replace("state=", "state=forged")
    async with client.get(forged, allow_redirects=False) as r:
        assert r.status == 400
        assert "stale or forged" in await r.text()
    async with client.get(f"{dashboard.base_url}/", allow_redirects=False) as r:
        assert r.status == 303


async def test_replayed_state_and_code_are_refused(
    dashboard: Dashboard, client: aiohttp.ClientSession
) -> None:
    callback = await authorize(client, await start_login(client, dashboard), seed.MEMBER)
    async with client.get(callback, allow_redirects=False) as r:
        assert r.status == 303
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as other:
        # Another browser replays the callback with a state of its own login: the code is spent.
        await start_login(other, dashboard)
        async with other.get(callback, allow_redirects=False) as r:
            assert r.status == 400
    async with client.get(callback, allow_redirects=False) as r:  # same browser: state is spent
        assert r.status == 400


async def test_reused_code_gets_invalid_grant_from_discord(dashboard: Dashboard) -> None:
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as first:
        authorize_url = await start_login(first, dashboard)
        callback = await authorize(first, authorize_url, seed.MEMBER)
        code = URL(callback).query["code"]
        async with first.get(callback, allow_redirects=False) as r:
            assert r.status == 303
    token_url = f"{dashboard.oauth.api_base_url}/oauth2/token"
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "client_id": dashboard.settings.discord_client_id,
        "client_secret": "fake-client-secret",
        "redirect_uri": f"{dashboard.base_url}/auth/callback",
    }
    async with aiohttp.ClientSession() as raw, raw.post(token_url, data=form) as r:
        assert r.status == 400
        assert (await r.json())["error"] == "invalid_grant"


async def test_another_servers_id_is_refused(
    dashboard: Dashboard, client: aiohttp.ClientSession
) -> None:
    await http_log_in(client, dashboard, seed.MEMBER)
    for guild in (seed.OTHER_CLUB, seed.NO_BOT_CLUB):
        for path in ("", "/charts", "/charts.json"):
            async with client.get(f"{dashboard.base_url}/servers/{guild}{path}") as r:
                assert r.status == 403, (guild, path)
                assert seed.SECRET_TITLE not in await r.text()


async def test_member_without_manage_server_cannot_post_settings(
    dashboard: Dashboard, client: aiohttp.ClientSession
) -> None:
    await http_log_in(client, dashboard, seed.MEMBER)
    csrf = await _csrf(client, f"{dashboard.base_url}/")
    url = f"{dashboard.base_url}/servers/{seed.FILM_CLUB}/settings"
    async with client.post(url, data={"csrf": csrf, "timezone": "Asia/Tokyo"}) as r:
        assert r.status == 403
    async with client.get(url) as r:
        assert r.status == 403
    assert await _timezone(dashboard) == "Europe/Berlin"


async def test_settings_without_csrf_token_change_nothing(
    dashboard: Dashboard, client: aiohttp.ClientSession
) -> None:
    await http_log_in(client, dashboard, seed.ADMIN)
    url = f"{dashboard.base_url}/servers/{seed.FILM_CLUB}/settings"
    async with client.post(url, data={"timezone": "Asia/Tokyo"}) as r:
        assert r.status == 403
    async with client.post(url, data={"csrf": "wrong", "timezone": "Asia/Tokyo"}) as r:
        assert r.status == 403
    assert await _timezone(dashboard) == "Europe/Berlin"
    csrf = await _csrf(client, url)
    async with client.post(url, data={"csrf": csrf, "timezone": "Asia/Tokyo"}) as r:
        assert r.status == 200
    assert await _timezone(dashboard) == "Asia/Tokyo"


async def test_a_revoked_login_ends_the_session_on_refresh(
    dashboard: Dashboard, client: aiohttp.ClientSession
) -> None:
    await http_log_in(client, dashboard, seed.MEMBER)
    async with client.get(f"{dashboard.base_url}/", allow_redirects=False) as r:
        assert r.status == 200
    dashboard.oauth.revoke_all()  # /users/@me/guilds now answers 401
    csrf = await _csrf(client, f"{dashboard.base_url}/")
    async with client.post(
        f"{dashboard.base_url}/auth/refresh", data={"csrf": csrf}, allow_redirects=False
    ) as r:
        assert r.status == 303
    async with client.get(f"{dashboard.base_url}/", allow_redirects=False) as r:
        assert r.status == 303
        assert r.headers["Location"].startswith("/login")


async def test_permissions_come_from_discord_at_most_every_few_minutes_or_on_demand(
    dashboard: Dashboard, client: aiohttp.ClientSession
) -> None:
    await http_log_in(client, dashboard, seed.ADMIN)
    url = f"{dashboard.base_url}/servers/{seed.FILM_CLUB}/settings"
    reads = dashboard.oauth.calls.count("users/@me/guilds")
    for _ in range(3):
        async with client.get(url) as r:
            assert r.status == 200
    assert dashboard.oauth.calls.count("users/@me/guilds") == reads  # the list is kept
    film_club = dashboard.oauth.users[seed.ADMIN].guilds[0]
    film_club.permissions = seed.SEND_MESSAGES  # Manage Server taken away in Discord
    csrf = await _csrf(client, url)
    async with client.post(
        f"{dashboard.base_url}/auth/refresh", data={"csrf": csrf}, allow_redirects=False
    ) as r:
        assert r.status == 303
    assert dashboard.oauth.calls.count("users/@me/guilds") == reads + 1
    async with client.get(url) as r:
        assert r.status == 403
    async with client.post(url, data={"csrf": csrf, "timezone": "Asia/Tokyo"}) as r:
        assert r.status == 403
    assert await _timezone(dashboard) == "Europe/Berlin"
