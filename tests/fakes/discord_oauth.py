"""A fake of Discord's OAuth2 authorization-code flow and the endpoints a login token reads.

As Discord documents it (developers/topics/oauth2): the authorize page
(`/oauth2/authorize?response_type=code&client_id&scope&state&redirect_uri`) asks the user to
authorise and redirects to the registered redirect URI with `code` and `state` (or
`error=access_denied`); `POST /api/v10/oauth2/token` trades a code once (a reused, unknown or
expired code, or a different redirect_uri, is `invalid_grant`; wrong credentials are
`invalid_client`, 401); `GET /users/@me` and `/users/@me/guilds` (partial guilds with the
member's `permissions` as a string bitfield) need `Authorization: Bearer`, else 401.
"""

from __future__ import annotations

import base64
import html
import secrets
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

API_PREFIX = "/api/v10"
CODE_LIFETIME_SECONDS = 600.0
TOKEN_LIFETIME_SECONDS = 604_800
KNOWN_SCOPES = frozenset({"identify", "email", "guilds", "guilds.members.read", "connections"})


@dataclass
class OAuthGuild:
    """A server as /users/@me/guilds lists it for one user."""

    id: int
    name: str
    permissions: int = 0
    owner: bool = False

    def as_partial(self) -> dict[str, Any]:
        """The partial guild object."""
        return {
            "id": str(self.id),
            "name": self.name,
            "icon": None,
            "banner": None,
            "owner": self.owner,
            "permissions": str(self.permissions),
            "features": [],
        }


@dataclass
class OAuthUser:
    """A Discord user who can authorise the application."""

    id: int
    username: str
    guilds: list[OAuthGuild] = field(default_factory=list)

    def as_user(self) -> dict[str, Any]:
        """The user object /users/@me returns."""
        return {
            "id": str(self.id),
            "username": self.username,
            "global_name": self.username.title(),
            "discriminator": "0",
            "avatar": None,
        }


@dataclass
class _Grant:
    user_id: int
    scopes: frozenset[str]
    redirect_uri: str
    issued: float


class FakeDiscordOAuth:
    """The authorize page, the token endpoint and /users/@me(/guilds), on 127.0.0.1."""

    def __init__(self, client_id: str, client_secret: str, redirect_uri: str) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.redirect_uris = {redirect_uri}
        self.users: dict[int, OAuthUser] = {}
        self.codes: dict[str, _Grant] = {}
        self.tokens: dict[str, _Grant] = {}
        self.calls: list[str] = []
        self._runner: web.AppRunner | None = None
        self.url = ""

    def add_user(self, user_id: int, username: str, *guilds: OAuthGuild) -> OAuthUser:
        """Register a user who may log in."""
        user = OAuthUser(user_id, username, list(guilds))
        self.users[user_id] = user
        return user

    def revoke_all(self) -> None:
        """Invalidate every access token (as a user de-authorising the app does)."""
        self.tokens.clear()

    @property
    def authorize_url(self) -> str:
        """The authorize page's URL (DISCORD_OAUTH_AUTHORIZE_URL)."""
        return f"{self.url}/oauth2/authorize"

    @property
    def api_base_url(self) -> str:
        """The REST API base (DISCORD_API_BASE_URL)."""
        return f"{self.url}{API_PREFIX}"

    def routes(self) -> list[web.RouteDef]:
        """The fake's routes, to serve alone or beside the fake bot API."""
        return [
            web.get("/oauth2/authorize", self._authorize_page),
            web.post("/oauth2/authorize", self._authorize),
            web.post(f"{API_PREFIX}/oauth2/token", self._token),
            web.get(f"{API_PREFIX}/users/@me", self._me),
            web.get(f"{API_PREFIX}/users/@me/guilds", self._my_guilds),
        ]

    async def start(self) -> None:
        """Serve on a free port of 127.0.0.1."""
        app = web.Application()
        app.add_routes(self.routes())
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        """Stop serving."""
        if self._runner is not None:
            await self._runner.cleanup()

    # --- authorize ---------------------------------------------------------------------------

    def _check_request(self, params: Any) -> tuple[frozenset[str], str] | web.Response:
        if params.get("client_id") != self.client_id:
            return _page(400, "Unknown application")
        if params.get("redirect_uri") not in self.redirect_uris:
            return _page(400, "Invalid OAuth2 redirect_uri")
        if params.get("response_type") != "code":
            return _page(400, "Invalid response_type")
        scopes = frozenset(str(params.get("scope", "")).split())
        if not scopes or not scopes <= KNOWN_SCOPES:
            return _page(400, "Invalid scope")
        return scopes, str(params["redirect_uri"])

    async def _authorize_page(self, request: web.Request) -> web.Response:
        self.calls.append("authorize")
        checked = self._check_request(request.query)
        if isinstance(checked, web.Response):
            return checked
        hidden = "".join(
            f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
            for k, v in request.query.items()
        )
        buttons = "".join(
            f'<button name="user_id" value="{u.id}">Authorize as {html.escape(u.username)}</button>'
            for u in self.users.values()
        )
        body = (
            "<!doctype html><title>Discord</title><h1>An external application wants to access"
            f' your Discord account</h1><form method="post">{hidden}{buttons}'
            '<button name="cancel" value="1">Cancel</button></form>'
        )
        return web.Response(text=body, content_type="text/html")

    async def _authorize(self, request: web.Request) -> web.Response:
        form = await request.post()
        checked = self._check_request(form)
        if isinstance(checked, web.Response):
            return checked
        scopes, redirect_uri = checked
        state = str(form.get("state", ""))
        if form.get("cancel"):
            return _redirect(redirect_uri, error="access_denied", state=state)
        user_id = int(str(form.get("user_id", "0")))
        if user_id not in self.users:
            return _page(400, "Unknown user")
        code = secrets.token_urlsafe(24)
        self.codes[code] = _Grant(user_id, scopes, redirect_uri, time.monotonic())
        params = {"code": code, **({"state": state} if state else {})}
        return _redirect(redirect_uri, **params)

    # --- token -------------------------------------------------------------------------------

    async def _token(self, request: web.Request) -> web.Response:
        self.calls.append("token")
        form = await request.post()
        client_id, client_secret = _client_credentials(request, form)
        if client_id != self.client_id or client_secret != self.client_secret:
            return _oauth_error(401, "invalid_client")
        if form.get("grant_type") != "authorization_code":
            return _oauth_error(400, "unsupported_grant_type")
        grant = self.codes.pop(str(form.get("code", "")), None)
        if grant is None or time.monotonic() - grant.issued > CODE_LIFETIME_SECONDS:
            return _oauth_error(400, "invalid_grant", 'Invalid "code" in request.')
        if form.get("redirect_uri") != grant.redirect_uri:
            return _oauth_error(400, "invalid_grant", 'Invalid "redirect_uri" in request.')
        token = secrets.token_urlsafe(30)
        self.tokens[token] = grant
        return web.json_response(
            {
                "access_token": token,
                "token_type": "Bearer",
                "expires_in": TOKEN_LIFETIME_SECONDS,
                "refresh_token": secrets.token_urlsafe(30),
                "scope": " ".join(sorted(grant.scopes)),
            }
        )

    # --- token holders' API ------------------------------------------------------------------

    def _grant(self, request: web.Request) -> _Grant | None:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer "):
            return None
        return self.tokens.get(header.removeprefix("Bearer "))

    async def _me(self, request: web.Request) -> web.Response:
        self.calls.append("users/@me")
        grant = self._grant(request)
        if grant is None:
            return _unauthorized()
        return web.json_response(self.users[grant.user_id].as_user())

    async def _my_guilds(self, request: web.Request) -> web.Response:
        self.calls.append("users/@me/guilds")
        grant = self._grant(request)
        if grant is None:
            return _unauthorized()
        if "guilds" not in grant.scopes:
            return web.json_response({"message": "Missing Access", "code": 50001}, status=403)
        user = self.users[grant.user_id]
        return web.json_response([g.as_partial() for g in user.guilds])


def _client_credentials(request: web.Request, form: Any) -> tuple[str, str]:
    header = request.headers.get("Authorization", "")
    if header.startswith("Basic "):
        decoded = base64.b64decode(header.removeprefix("Basic ")).decode()
        client_id, _, secret = decoded.partition(":")
        return client_id, secret
    return str(form.get("client_id", "")), str(form.get("client_secret", ""))


def _redirect(uri: str, **params: str) -> web.Response:
    raise web.HTTPFound(f"{uri}?{urlencode(params)}")


def _oauth_error(status: int, error: str, description: str = "") -> web.Response:
    body = {"error": error, **({"error_description": description} if description else {})}
    return web.json_response(body, status=status)


def _unauthorized() -> web.Response:
    return web.json_response({"message": "401: Unauthorized", "code": 0}, status=401)


def _page(status: int, message: str) -> web.Response:
    return web.Response(
        status=status,
        text=f"<!doctype html><h1>{html.escape(message)}</h1>",
        content_type="text/html",
    )
