"""The dashboard's pages: servers, a server's overview, charts, deliveries and settings."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from filmbot.domain.charts import WEEKDAYS
from filmbot.domain.errors import InvalidInputError
from filmbot.domain.guild_settings import Setting
from filmbot.domain.models import SubscribePermission
from filmbot.domain.templates import DEFAULT_TEMPLATE, TemplateKind
from filmbot.services.dashboard import Charts
from filmbot.web import chartviews
from filmbot.web.context import checked_form, web_of
from filmbot.web.permissions import Access, AccessDenied, Viewer, require

_IDS = (
    Setting.NOTIFICATION_CHANNEL,
    Setting.NOTIFICATION_ROLE,
    Setting.MOVIE_CHANNEL,
    Setting.TV_CHANNEL,
)


async def _viewer(request: Request, needed: Access = Access.MEMBER) -> tuple[Viewer, int]:
    guild_id = int(request.path_params["guild_id"])
    viewer = require(await web_of(request).viewer(request), guild_id, needed)
    return viewer, guild_id


async def servers(request: Request) -> Response:
    """The servers the member shares with the bot."""
    web = web_of(request)
    viewer = await web.viewer(request)
    if viewer is None:
        raise AccessDenied(Access.MEMBER, logged_in=False)
    listed = await web.dashboard.servers(viewer.visible())
    cycle = await web.dashboard.last_cycle()
    return web.render(request, "servers.html", viewer=viewer, servers=listed, cycle=cycle)


async def overview(request: Request) -> Response:
    """Subscriptions with what each announces next; delivery health for admins."""
    viewer, guild_id = await _viewer(request)
    web = web_of(request)
    page = _int(request.query_params.get("page"), 1)
    admin = viewer.access(guild_id) is Access.ADMIN
    view = await web.dashboard.overview(guild_id, page, health=admin)
    health = view.health
    upcoming = await web.dashboard.calendar(view.guild)
    return web.render(
        request,
        "overview.html",
        viewer=viewer,
        view=view,
        guild=view.guild,
        admin=admin,
        health=health,
        upcoming=upcoming,
    )


async def charts(request: Request) -> Response:
    """The server's charts, each with a table of its numbers."""
    viewer, guild_id = await _viewer(request)
    web = web_of(request)
    guild = await web.dashboard.guild(guild_id)
    data = await web.dashboard.charts(guild_id, viewer.user_id)
    return web.render(
        request,
        "charts.html",
        viewer=viewer,
        guild=guild,
        admin=viewer.access(guild_id) is Access.ADMIN,
        data=data,
        weekdays=WEEKDAYS,
        scores=chartviews.score_marks(data.scores),
        heat=chartviews.heat_marks(data.heatmap),
        trend=chartviews.trend_marks(data.trend),
        genres=chartviews.genre_marks(data.genres),
    )


async def chart_data(request: Request) -> Response:
    """The charts' numbers as JSON."""
    viewer, guild_id = await _viewer(request)
    data = await web_of(request).dashboard.charts(guild_id, viewer.user_id)
    return JSONResponse(_chart_json(data))


async def deliveries(request: Request) -> Response:
    """Delivery problems and the notification log (Manage Server)."""
    viewer, guild_id = await _viewer(request, Access.ADMIN)
    web = web_of(request)
    health = await web.dashboard.health(guild_id)
    entries = await web.dashboard.notification_log(guild_id)
    guild = await web.dashboard.guild(guild_id)
    return web.render(
        request,
        "deliveries.html",
        viewer=viewer,
        guild=guild,
        admin=True,
        health=health,
        entries=entries,
    )


async def settings(request: Request) -> Response:
    """The /config settings as a form (Manage Server); POST validates and stores them."""
    viewer, guild_id = await _viewer(request, Access.ADMIN)
    web = web_of(request)
    guild = await web.dashboard.guild(guild_id)
    error, saved = None, False
    if request.method == "POST":
        form = await checked_form(request)
        try:
            values = _changed_settings(form, _current(guild))
            templates = _changed_templates(form, guild)
            if values or templates:
                guild = await web.dashboard.change_settings(guild_id, values, templates)
            saved = True
        except InvalidInputError as exc:
            error = str(exc)
    return web.render(
        request,
        "settings.html",
        status_code=400 if error else 200,
        viewer=viewer,
        guild=guild,
        admin=True,
        current=_current(guild),
        error=error,
        saved=saved,
        permissions=[p.value for p in SubscribePermission],
        templates=web.dashboard.template_views(guild),
    )


def _current(guild: Any) -> dict[Setting, str]:
    return {
        Setting.NOTIFICATION_CHANNEL: str(guild.notification_channel_id or ""),
        Setting.NOTIFICATION_ROLE: str(guild.notification_role_id or ""),
        Setting.MOVIE_CHANNEL: str(guild.movie_channel_id or ""),
        Setting.TV_CHANNEL: str(guild.tv_channel_id or ""),
        Setting.AUTO_UPDATE: "on" if guild.auto_update else "off",
        Setting.LANGUAGE: guild.language,
        Setting.REGION: guild.region,
        Setting.TIMEZONE: guild.timezone,
        Setting.SUBSCRIBE_PERMISSION: guild.subscribe_permission.value,
    }


def _changed_settings(
    form: dict[str, str], current: dict[Setting, str]
) -> dict[Setting, str | int | None]:
    """The settings whose posted value differs, validated by /config's rules."""
    changed: dict[Setting, str | int | None] = {}
    for setting, now in current.items():
        posted = form.get(setting.value)
        if posted is None or posted.strip() == now:
            continue
        if setting in _IDS:
            changed[setting] = _snowflake(posted, setting)
        else:
            changed[setting] = posted
    return changed


def _changed_templates(form: dict[str, str], guild: Any) -> dict[TemplateKind, str | None]:
    """Templates whose posted text differs; an empty one goes back to the default."""
    changed: dict[TemplateKind, str | None] = {}
    for kind in TemplateKind:
        posted = form.get(f"template_{kind.value}")
        if posted is None:
            continue
        posted = posted.replace("\r\n", "\n").strip()
        stored = guild.notification_templates.get(kind.value)
        if not posted or posted == DEFAULT_TEMPLATE:
            if stored is not None:
                changed[kind] = None
        elif posted != (stored or DEFAULT_TEMPLATE):
            changed[kind] = posted
    return changed


def _snowflake(text: str, setting: Setting) -> int | None:
    text = text.strip()
    if not text:
        return None
    if not text.isdigit() or not 15 <= len(text) <= 20:
        what = "role" if setting is Setting.NOTIFICATION_ROLE else "channel"
        raise InvalidInputError(f"A {what} id is the 17-20 digit number Discord shows.")
    return int(text)


def _int(text: str | None, default: int) -> int:
    return int(text) if text and text.isdigit() and len(text) < 7 else default


def _chart_json(data: Charts) -> dict[str, Any]:
    """The charts' numbers as plain JSON (written out: dataclasses.asdict deep-copies)."""
    heat = data.heatmap
    return {
        "heatmap": {"cells": [list(row) for row in heat.cells], "timezone": heat.timezone},
        "trend": [
            {"week": p.week.isoformat(), "added": p.added, "total": p.total} for p in data.trend
        ],
        "scores": [{"score": b.score, "count": b.count, "mine": b.mine} for b in data.scores],
        "genres": [{"genre_id": g.genre_id, "name": g.name, "count": g.count} for g in data.genres],
    }


ROUTES = [
    Route("/", servers),
    Route("/servers/{guild_id:int}", overview),
    Route("/servers/{guild_id:int}/charts", charts),
    Route("/servers/{guild_id:int}/charts.json", chart_data),
    Route("/servers/{guild_id:int}/deliveries", deliveries),
    Route("/servers/{guild_id:int}/settings", settings, methods=["GET", "POST"]),
]
