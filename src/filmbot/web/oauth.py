"""Discord's OAuth2 authorization-code flow (scopes `identify guilds`) through Authlib.

The token, `/users/@me` and `/users/@me/guilds` endpoints hang off DISCORD_API_BASE_URL;
the authorize page is DISCORD_OAUTH_AUTHORIZE_URL, so tests can point both at a fake.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from authlib.integrations.base_client import OAuthError
from authlib.integrations.httpx_client import AsyncOAuth2Client

from filmbot.web.permissions import MemberGuild

log = logging.getLogger(__name__)

SCOPES = "identify guilds"
TIMEOUT_SECONDS = 10.0


class LoginFailed(Exception):
    """Discord refused the code or the token (expired, reused or revoked)."""


@dataclass(frozen=True, slots=True)
class DiscordUser:
    """The logged-in member as /users/@me describes them."""

    id: int
    username: str


@dataclass(frozen=True, slots=True)
class OAuthEndpoints:
    """Where Discord's OAuth2 pages and API live, and this dashboard's registration."""

    authorize_url: str
    api_base_url: str
    client_id: str
    client_secret: str
    redirect_uri: str

    @property
    def token_url(self) -> str:
        """The token endpoint."""
        return f"{self.api_base_url}/oauth2/token"


class DiscordOAuth:
    """Build the authorize redirect, trade a code for a token, and read the member's data."""

    def __init__(self, endpoints: OAuthEndpoints) -> None:
        self._endpoints = endpoints

    def authorize_url(self, state: str) -> str:
        """The Discord page that asks the member to let the dashboard see who they are."""
        client = self._client()
        url, _ = client.create_authorization_url(self._endpoints.authorize_url, state=state)
        return str(url)

    async def exchange(self, code: str) -> str:
        """Trade the authorization code for an access token."""
        async with self._client() as client:
            try:
                token = await client.fetch_token(
                    self._endpoints.token_url, code=code, grant_type="authorization_code"
                )
            except OAuthError as exc:
                raise LoginFailed(f"Discord refused the login: {exc.error}") from exc
        access = token.get("access_token")
        if not isinstance(access, str) or not access:
            raise LoginFailed("Discord sent no access token")
        return access

    async def user(self, access_token: str) -> DiscordUser:
        """The member the token belongs to."""
        data = await self._get(access_token, "/users/@me")
        return DiscordUser(int(data["id"]), str(data.get("global_name") or data["username"]))

    async def guilds(self, access_token: str) -> dict[int, MemberGuild]:
        """The member's servers with their permissions bitfield."""
        data = await self._get(access_token, "/users/@me/guilds")
        return {
            int(g["id"]): MemberGuild(
                int(g["id"]),
                str(g.get("name", "")),
                int(g.get("permissions", 0)),
                bool(g.get("owner", False)),
            )
            for g in data
        }

    async def _get(self, access_token: str, path: str) -> Any:
        token = {"access_token": access_token, "token_type": "Bearer"}
        async with AsyncOAuth2Client(token=token, timeout=TIMEOUT_SECONDS) as client:
            response = await client.get(f"{self._endpoints.api_base_url}{path}")
        if response.status_code == 401:
            raise LoginFailed("Discord no longer accepts the login")
        response.raise_for_status()
        return response.json()

    def _client(self) -> AsyncOAuth2Client:
        return AsyncOAuth2Client(
            client_id=self._endpoints.client_id,
            client_secret=self._endpoints.client_secret,
            token_endpoint_auth_method="client_secret_post",  # noqa: S106 - a method name
            scope=SCOPES,
            redirect_uri=self._endpoints.redirect_uri,
            timeout=TIMEOUT_SECONDS,
        )
