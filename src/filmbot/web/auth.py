"""Log in with Discord, the OAuth2 callback, and log out."""

from __future__ import annotations

import logging
import secrets

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from filmbot.web.context import SESSION_ID, checked_form, web_of
from filmbot.web.oauth import LoginFailed

log = logging.getLogger(__name__)

STATE = "oauth_state"
NEXT = "next"


async def login_page(request: Request) -> Response:
    """The page with the "Log in with Discord" button."""
    web = web_of(request)
    if await web.viewer(request) is not None:
        return RedirectResponse("/", status_code=303)
    return web.render(request, "login.html", next=_safe_next(request.query_params.get(NEXT)))


async def start(request: Request) -> Response:
    """Send the member to Discord's authorize page with a fresh, single-use state."""
    state = secrets.token_urlsafe(32)
    request.session[STATE] = state
    request.session[NEXT] = _safe_next(request.query_params.get(NEXT))
    return RedirectResponse(web_of(request).oauth.authorize_url(state), status_code=303)


async def callback(request: Request) -> Response:
    """Check `state`, trade the code for a token and start the session."""
    web = web_of(request)
    expected = request.session.pop(STATE, None)
    given = request.query_params.get("state", "")
    if not isinstance(expected, str) or not secrets.compare_digest(given, expected):
        return _failed(request, "The login link was stale or forged. Please log in again.")
    if request.query_params.get("error"):
        return _failed(request, "Discord did not authorise the login.")
    code = request.query_params.get("code", "")
    if not code:
        return _failed(request, "Discord sent no authorisation code.")
    try:
        session_id = await web.members.log_in(code)
    except LoginFailed as exc:
        log.info("Dashboard login refused: %s", exc)
        return _failed(request, "Discord refused the login. Please try again.")
    web.members.log_out(request.session.get(SESSION_ID))
    request.session.clear()
    request.session[SESSION_ID] = session_id
    return RedirectResponse(_safe_next(request.session.pop(NEXT, None)), status_code=303)


async def logout(request: Request) -> Response:
    """End the session (POST with the CSRF token)."""
    await checked_form(request)
    web_of(request).members.log_out(request.session.get(SESSION_ID))
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


async def refresh(request: Request) -> Response:
    """Re-read the member's servers and permissions from Discord now."""
    await checked_form(request)
    await web_of(request).viewer(request, refresh=True)
    return RedirectResponse("/", status_code=303)


def _failed(request: Request, message: str) -> Response:
    return web_of(request).render(request, "login.html", status_code=400, error=message, next="/")


def _safe_next(value: object) -> str:
    """Only a path on this site (no scheme, no //host) may be a post-login target."""
    if isinstance(value, str) and value.startswith("/") and not value.startswith(("//", "/\\")):
        return value
    return "/"


ROUTES = [
    Route("/login", login_page),
    Route("/auth/login", start),
    Route("/auth/callback", callback),
    Route("/auth/logout", logout, methods=["POST"]),
    Route("/auth/refresh", refresh, methods=["POST"]),
]
