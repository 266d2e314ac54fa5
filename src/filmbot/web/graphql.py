"""The GraphQL API (Strawberry): the same data and the same rules as the pages.

Every resolver that reads a server checks the viewer's access to it itself, so a field
reached through any path is guarded. Depth, tokens and aliases are limited; introspection
stays on. Only POSTed JSON is accepted (no queries by GET), at most MAX_BODY_BYTES.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import strawberry
from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from strawberry.extensions import MaxAliasesLimiter, MaxTokensLimiter, QueryDepthLimiter
from strawberry.types import Info

from filmbot.services.dashboard import Charts, DashboardService
from filmbot.web.context import web_of
from filmbot.web.permissions import Access, AccessDenied, Viewer, require

MAX_BODY_BYTES = 16 * 1024
MAX_DEPTH = 4
MAX_TOKENS = 2000
MAX_ALIASES = 20


@dataclass(slots=True)
class Context:
    """What resolvers see: the viewer (None without a session) and the dashboard."""

    viewer: Viewer | None
    dashboard: DashboardService
    charts: dict[int, Charts] = field(default_factory=dict)

    def require(self, guild_id: int, needed: Access) -> Viewer:
        """The viewer, when they have `needed` in the server."""
        return require(self.viewer, guild_id, needed)

    async def charts_of(self, guild_id: int) -> Charts:
        """The server's chart data, read once per query."""
        viewer = self.require(guild_id, Access.MEMBER)
        if guild_id not in self.charts:
            self.charts[guild_id] = await self.dashboard.charts(guild_id, viewer.user_id)
        return self.charts[guild_id]


@strawberry.type
class Me:
    """The logged-in member."""

    id: strawberry.ID
    username: str


@strawberry.type
class SubscriptionNode:
    """A subscription and what it announces next."""

    tmdb_id: int
    media_type: str
    title: str
    subscribed_at: datetime | None
    next_notification: str | None


@strawberry.type
class ScoreCount:
    """Ratings with one score; `mine` counts the viewer's own."""

    score: int
    count: int
    mine: int


@strawberry.type
class HeatCell:
    """Activity on one weekday (0 = Monday) and hour, in the server's timezone."""

    weekday: int
    hour: int
    count: int


@strawberry.type
class WeekCount:
    """Subscriptions in force at the end of a week."""

    week: date
    added: int
    total: int


@strawberry.type
class GenreCount:
    """Watched items of one genre (name in the server's language when TMDB has it)."""

    genre_id: int
    name: str
    count: int


@strawberry.type
class CalendarItem:
    """A release or an episode in the next 14 days."""

    day: date
    title: str
    label: str


@strawberry.type
class ServerSettings:
    """The /config settings."""

    notification_channel_id: strawberry.ID | None
    notification_role_id: strawberry.ID | None
    movie_channel_id: strawberry.ID | None
    tv_channel_id: strawberry.ID | None
    auto_update: bool
    language: str
    region: str
    timezone: str
    subscribe_permission: str


@strawberry.type
class DeliveryHealth:
    """Delivery problems and ledger counts."""

    problem: str | None
    pending: int
    delivered: int
    missed: int
    failed: int


@strawberry.type
class LogEntryNode:
    """One notification and its delivery state."""

    created_at: datetime
    kind: str
    title: str
    status: str
    attempts: int
    delivered_at: datetime | None
    last_error: str | None


Ctx = Info[Context, None]


@strawberry.type
class Server:
    """A server both the viewer and the bot are in."""

    id: strawberry.ID
    name: str
    subscription_count: int

    @property
    def guild_id(self) -> int:
        """The server's id as a number."""
        return int(self.id)

    @strawberry.field
    async def subscriptions(self, info: Ctx, page: int = 1) -> list[SubscriptionNode]:
        """One page (50) of subscriptions, newest first."""
        info.context.require(self.guild_id, Access.MEMBER)
        view = await info.context.dashboard.overview(self.guild_id, page)
        return [
            SubscriptionNode(
                tmdb_id=v.subscription.tmdb_id,
                media_type=v.subscription.media_type.value,
                title=v.subscription.title,
                subscribed_at=v.subscription.subscribed_at,
                next_notification=v.next_hint,
            )
            for v in view.subscriptions
        ]

    @strawberry.field
    async def upcoming(self, info: Ctx) -> list[CalendarItem]:
        """Releases and episodes of the server's titles in the next 14 days."""
        info.context.require(self.guild_id, Access.MEMBER)
        entries = await info.context.dashboard.calendar(self.guild_id)
        return [CalendarItem(day=e.day, title=e.title, label=e.label) for e in entries]

    @strawberry.field
    async def rating_distribution(self, info: Ctx) -> list[ScoreCount]:
        """Ratings 1..10."""
        data = await info.context.charts_of(self.guild_id)
        return [ScoreCount(score=b.score, count=b.count, mine=b.mine) for b in data.scores]

    @strawberry.field
    async def activity(self, info: Ctx) -> list[HeatCell]:
        """Ratings, reviews and watched marks by weekday and hour."""
        data = await info.context.charts_of(self.guild_id)
        return [
            HeatCell(weekday=d, hour=h, count=c)
            for d, row in enumerate(data.heatmap.cells)
            for h, c in enumerate(row)
        ]

    @strawberry.field
    async def subscription_trend(self, info: Ctx) -> list[WeekCount]:
        """Subscriptions over time, weekly."""
        data = await info.context.charts_of(self.guild_id)
        return [WeekCount(week=p.week, added=p.added, total=p.total) for p in data.trend]

    @strawberry.field
    async def watched_genres(self, info: Ctx) -> list[GenreCount]:
        """Members' watched items by genre, most first."""
        data = await info.context.charts_of(self.guild_id)
        return [GenreCount(genre_id=g.genre_id, name=g.name, count=g.count) for g in data.genres]

    @strawberry.field
    async def settings(self, info: Ctx) -> ServerSettings:
        """The server's settings (Manage Server)."""
        info.context.require(self.guild_id, Access.ADMIN)
        g = await info.context.dashboard.guild(self.guild_id)
        return ServerSettings(
            notification_channel_id=_id(g.notification_channel_id),
            notification_role_id=_id(g.notification_role_id),
            movie_channel_id=_id(g.movie_channel_id),
            tv_channel_id=_id(g.tv_channel_id),
            auto_update=g.auto_update,
            language=g.language,
            region=g.region,
            timezone=g.timezone,
            subscribe_permission=g.subscribe_permission.value,
        )

    @strawberry.field
    async def delivery_health(self, info: Ctx) -> DeliveryHealth:
        """Delivery problems and counts (Manage Server)."""
        info.context.require(self.guild_id, Access.ADMIN)
        health = await info.context.dashboard.health(self.guild_id)
        c = health.counts
        return DeliveryHealth(
            problem=health.problem,
            pending=c.get("pending", 0),
            delivered=c.get("delivered", 0),
            missed=c.get("missed", 0),
            failed=c.get("failed", 0),
        )

    @strawberry.field
    async def notification_log(self, info: Ctx) -> list[LogEntryNode]:
        """The latest 50 notifications (Manage Server)."""
        info.context.require(self.guild_id, Access.ADMIN)
        entries = await info.context.dashboard.notification_log(self.guild_id)
        return [
            LogEntryNode(
                created_at=e.created_at,
                kind=e.kind,
                title=e.title,
                status=e.status,
                attempts=e.attempts,
                delivered_at=e.delivered_at,
                last_error=e.last_error,
            )
            for e in entries
        ]


@strawberry.type
class Query:
    """The dashboard's data."""

    @strawberry.field
    def me(self, info: Ctx) -> Me | None:
        """The logged-in member, or null without a session."""
        viewer = info.context.viewer
        return (
            Me(id=strawberry.ID(str(viewer.user_id)), username=viewer.username) if viewer else None
        )

    @strawberry.field
    async def servers(self, info: Ctx) -> list[Server]:
        """The servers both the viewer and the bot are in."""
        viewer = info.context.viewer
        if viewer is None:
            raise AccessDenied(Access.MEMBER, logged_in=False)
        listed = await info.context.dashboard.servers(viewer.visible())
        return [_server(s.id, s.name, s.subscriptions) for s in listed]

    @strawberry.field
    async def server(self, info: Ctx, id: strawberry.ID) -> Server:
        """One server, when the viewer is a member of it."""
        guild_id = int(id) if str(id).isdigit() else 0
        info.context.require(guild_id, Access.MEMBER)
        listed = await info.context.dashboard.servers([guild_id])
        if not listed:
            raise AccessDenied(Access.MEMBER, logged_in=True)
        return _server(listed[0].id, listed[0].name, listed[0].subscriptions)


def _server(guild_id: int, name: str, subscriptions: int) -> Server:
    return Server(id=strawberry.ID(str(guild_id)), name=name, subscription_count=subscriptions)


def _id(value: int | None) -> strawberry.ID | None:
    return strawberry.ID(str(value)) if value else None


class _Schema(strawberry.Schema):
    """The schema; a refused access is an answer, not an error worth a traceback in the log."""

    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        """Log unexpected errors only."""
        unexpected = [e for e in errors if not isinstance(e.original_error, AccessDenied)]
        if unexpected:
            super().process_errors(unexpected, execution_context)


schema = _Schema(
    query=Query,
    extensions=[
        functools.partial(QueryDepthLimiter, max_depth=MAX_DEPTH),
        functools.partial(MaxTokensLimiter, max_token_count=MAX_TOKENS),
        functools.partial(MaxAliasesLimiter, max_alias_count=MAX_ALIASES),
    ],
)


async def endpoint(request: Request) -> Response:
    """Execute one POSTed GraphQL query for the session's viewer."""
    if int(request.headers.get("content-length") or 0) > MAX_BODY_BYTES:
        return _error("The query is too large.", 413)
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        return _error("The query is too large.", 413)
    if "application/json" not in request.headers.get("content-type", ""):
        return _error("Send the query as application/json.", 415)
    try:
        payload = json.loads(body)
        query = payload["query"]
        variables = payload.get("variables")
    except (ValueError, KeyError, TypeError, AttributeError):
        return _error('Send {"query": ..., "variables": {...}}.', 400)
    if not isinstance(query, str) or not isinstance(variables, dict | None):
        return _error('Send {"query": ..., "variables": {...}}.', 400)
    web = web_of(request)
    context = Context(await web.viewer(request), web.dashboard)
    result = await schema.execute(
        query,
        variable_values=variables,
        context_value=context,
        operation_name=payload.get("operationName"),
    )
    out: dict[str, Any] = {"data": result.data}
    if result.errors:
        out["errors"] = [e.formatted for e in result.errors]
    return JSONResponse(out)


def _error(message: str, status: int) -> Response:
    return JSONResponse({"errors": [{"message": message}]}, status_code=status)


ROUTES = [Route("/graphql", endpoint, methods=["POST"])]
