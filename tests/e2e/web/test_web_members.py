"""Logins kept by the dashboard: the guild list is re-read after GUILDS_TTL, sessions expire."""

from __future__ import annotations

import aiohttp
import pytest

from filmbot.web.members import GUILDS_TTL_SECONDS, SESSION_LIFETIME_SECONDS, MemberStore
from filmbot.web.oauth import DiscordOAuth, LoginFailed, OAuthEndpoints
from tests.e2e.web import seed
from tests.e2e.web.conftest import CLIENT_ID, CLIENT_SECRET
from tests.fakes.discord_oauth import FakeDiscordOAuth

REDIRECT = "http://127.0.0.1:1/auth/callback"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def _code(fake: FakeDiscordOAuth, user_id: int) -> str:
    params = {
        "client_id": CLIENT_ID,
        "redirect_uri": REDIRECT,
        "response_type": "code",
        "scope": "identify guilds",
        "state": "s",
        "user_id": str(user_id),
    }
    async with (
        aiohttp.ClientSession() as client,
        client.post(fake.authorize_url, data=params, allow_redirects=False) as r,
    ):
        return str(r.headers["Location"]).split("code=")[1].split("&")[0]


def _store(fake: FakeDiscordOAuth, clock: Clock) -> MemberStore:
    fake.redirect_uris = {REDIRECT}
    endpoints = OAuthEndpoints(
        fake.authorize_url, fake.api_base_url, CLIENT_ID, CLIENT_SECRET, REDIRECT
    )
    return MemberStore(DiscordOAuth(endpoints), clock)


async def test_guilds_are_reread_only_after_the_ttl(fake_oauth: FakeDiscordOAuth) -> None:
    clock = Clock()
    store = _store(fake_oauth, clock)
    sid = await store.log_in(await _code(fake_oauth, seed.MEMBER))
    member = await store.member(sid)
    assert member is not None
    assert set(member.guilds) == {seed.FILM_CLUB, seed.NO_BOT_CLUB}
    reads = fake_oauth.calls.count("users/@me/guilds")
    fake_oauth.users[seed.MEMBER].guilds.pop()
    clock.now += GUILDS_TTL_SECONDS - 1
    assert set((await store.member(sid)).guilds) == {seed.FILM_CLUB, seed.NO_BOT_CLUB}
    clock.now += 2
    assert set((await store.member(sid)).guilds) == {seed.FILM_CLUB}
    assert fake_oauth.calls.count("users/@me/guilds") == reads + 1


async def test_sessions_end_with_their_lifetime_or_a_revoked_token(
    fake_oauth: FakeDiscordOAuth,
) -> None:
    clock = Clock()
    store = _store(fake_oauth, clock)
    sid = await store.log_in(await _code(fake_oauth, seed.MEMBER))
    clock.now += SESSION_LIFETIME_SECONDS + 1
    assert await store.member(sid) is None
    sid = await store.log_in(await _code(fake_oauth, seed.MEMBER))
    fake_oauth.revoke_all()
    assert await store.member(sid) is not None  # still within the TTL: no call to Discord
    assert await store.member(sid, refresh=True) is None
    assert await store.member(None) is None


async def test_a_spent_code_is_refused(fake_oauth: FakeDiscordOAuth) -> None:
    store = _store(fake_oauth, Clock())
    code = await _code(fake_oauth, seed.MEMBER)
    await store.log_in(code)
    with pytest.raises(LoginFailed, match="invalid_grant"):
        await store.log_in(code)
