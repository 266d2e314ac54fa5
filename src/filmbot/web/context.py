"""What every request handler shares: the services, the members, the templates, CSRF."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.templating import Jinja2Templates

from filmbot.services.dashboard import DashboardService
from filmbot.web.members import MemberStore
from filmbot.web.oauth import DiscordOAuth
from filmbot.web.permissions import Viewer

HERE = Path(__file__).parent
SESSION_ID = "sid"
CSRF = "csrf"


class CsrfError(Exception):
    """A form arrived without this session's CSRF token."""


@dataclass(slots=True)
class Web:
    """The dashboard's shared state, kept on the Starlette app."""

    dashboard: DashboardService
    members: MemberStore
    oauth: DiscordOAuth
    templates: Jinja2Templates
    secure_cookies: bool

    async def viewer(self, request: Request, *, refresh: bool = False) -> Viewer | None:
        """The logged-in member with the servers they share with the bot, or None."""
        member = await self.members.member(request.session.get(SESSION_ID), refresh=refresh)
        if member is None:
            request.session.pop(SESSION_ID, None)
            return None
        bot_guilds = await self.dashboard.bot_guild_ids(list(member.guilds))
        return Viewer(member.user_id, member.username, member.guilds, frozenset(bot_guilds))

    def render(
        self, request: Request, name: str, status_code: int = 200, **context: Any
    ) -> Response:
        """Render a template with the CSRF token and the viewer at hand."""
        context.setdefault("viewer", None)
        context["csrf_token"] = csrf_token(request)
        return self.templates.TemplateResponse(request, name, context, status_code=status_code)


def web_of(request: Request) -> Web:
    """The Web state of the app serving the request."""
    web: Web = request.app.state.web
    return web


def csrf_token(request: Request) -> str:
    """This session's CSRF token (created on first use)."""
    token = request.session.get(CSRF)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session[CSRF] = token
    return token


async def checked_form(request: Request) -> dict[str, str]:
    """The posted form, after checking its CSRF token against the session's."""
    form = await request.form()
    sent = form.get(CSRF)
    expected = request.session.get(CSRF)
    if not isinstance(sent, str) or not isinstance(expected, str):
        raise CsrfError
    if not secrets.compare_digest(sent, expected):
        raise CsrfError
    return {k: v for k, v in form.items() if isinstance(v, str)}


def templates() -> Jinja2Templates:
    """The dashboard's Jinja2 templates (autoescaped)."""
    return Jinja2Templates(directory=HERE / "templates")
