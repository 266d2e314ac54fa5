"""Build the dashboard's Starlette application."""

from __future__ import annotations

import logging
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from filmbot.config import Settings
from filmbot.domain.errors import InvalidInputError, NotFoundError
from filmbot.services.dashboard import DashboardService
from filmbot.web import auth, graphql, pages
from filmbot.web.context import HERE, CsrfError, Web, templates, web_of
from filmbot.web.members import SESSION_LIFETIME_SECONDS, MemberStore
from filmbot.web.oauth import DiscordOAuth, OAuthEndpoints
from filmbot.web.permissions import AccessDenied

log = logging.getLogger(__name__)

SESSION_COOKIE = "filmbot_session"
SECURITY_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        b"frame-ancestors 'none'; form-action 'self'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
]


def endpoints_from(settings: Settings) -> OAuthEndpoints:
    """Discord's OAuth2 endpoints and this dashboard's registration, from the settings."""
    settings.require_web_settings()
    assert settings.web_base_url
    assert settings.discord_client_id
    assert settings.discord_client_secret is not None
    return OAuthEndpoints(
        authorize_url=settings.discord_oauth_authorize_url,
        api_base_url=settings.discord_api_base_url,
        client_id=settings.discord_client_id,
        client_secret=settings.discord_client_secret.get_secret_value(),
        redirect_uri=f"{settings.web_base_url}/auth/callback",
    )


def create_app(settings: Settings, dashboard: DashboardService) -> Starlette:
    """The dashboard as an ASGI app."""
    endpoints = endpoints_from(settings)
    assert settings.web_session_secret is not None
    assert settings.web_base_url
    oauth = DiscordOAuth(endpoints)
    secure = settings.web_base_url.startswith("https://")
    app = Starlette(
        routes=[
            *auth.ROUTES,
            *pages.ROUTES,
            *graphql.ROUTES,
            Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
        ],
        middleware=[
            Middleware(_SecurityHeaders),
            Middleware(
                SessionMiddleware,
                secret_key=settings.web_session_secret.get_secret_value(),
                session_cookie=SESSION_COOKIE,
                max_age=int(SESSION_LIFETIME_SECONDS),
                same_site="lax",
                https_only=secure,
            ),
        ],
        exception_handlers={
            AccessDenied: _denied,
            NotFoundError: _not_found,
            CsrfError: _csrf,
            InvalidInputError: _invalid,
        },
    )
    app.state.web = Web(dashboard, MemberStore(oauth), oauth, templates(), secure)
    return app


async def _denied(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, AccessDenied)
    if not exc.logged_in and request.method == "GET":
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
    return _page(request, 403 if exc.logged_in else 401, str(exc))


async def _not_found(request: Request, exc: Exception) -> Response:
    return _page(request, 404, str(exc))


async def _csrf(request: Request, exc: Exception) -> Response:
    return _page(request, 403, "The form had expired. Reload the page and try again.")


async def _invalid(request: Request, exc: Exception) -> Response:
    return _page(request, 400, str(exc))


def _page(request: Request, status: int, message: str) -> Response:
    if request.url.path == "/graphql" or request.url.path.endswith(".json"):
        from starlette.responses import JSONResponse

        return JSONResponse({"errors": [{"message": message}]}, status_code=status)
    return web_of(request).render(request, "error.html", status_code=status, message=message)


class _SecurityHeaders:
    """Add a strict Content-Security-Policy and friends to every response."""

    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers: list[Any] = list(message.get("headers", []))
                headers.extend(SECURITY_HEADERS)
                message["headers"] = headers
            await send(message)

        await self._app(scope, receive, send_with_headers)
