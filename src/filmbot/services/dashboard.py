"""The web dashboard's use cases: what a server looks like, read from the bot's database.

Read-only except for settings, which go through AdminService and the same validation as
/config. Who may see what is decided by the caller (filmbot.web.permissions).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from filmbot.db.repositories import GuildRepository, SubscriptionRepository
from filmbot.db.repositories.cycles import CycleRepository
from filmbot.db.repositories.dashboard import DashboardRepository, GuildSummary, LogEntry
from filmbot.db.repositories.snapshots import SnapshotRepository
from filmbot.db.session import Sessions
from filmbot.domain import charts
from filmbot.domain.clock import Clock, utcnow
from filmbot.domain.errors import NotFoundError
from filmbot.domain.guild_settings import Setting
from filmbot.domain.models import Guild
from filmbot.domain.templates import TemplateKind, parse_template
from filmbot.domain.updates import GuildPrefs
from filmbot.services.admin import AdminService
from filmbot.services.subscriptions import SubscriptionView
from filmbot.services.templates import TemplateService, TemplateView, view_of
from filmbot.services.updates.report import CycleReport
from filmbot.services.updates.status import UpdateStatus, checking
from filmbot.services.updates.stored import tracking

PAGE_SIZE = 50
CHARTS_TTL_SECONDS = 60.0
PRESENCE_TTL_SECONDS = 5.0
PRESENCE_CAPACITY = 10_000
_ServerCharts = tuple[dict[int, int], charts.Heatmap, list[charts.WeekPoint], list[charts.GenreBar]]
FALLBACK_LANGUAGE = "en-US"


@dataclass(frozen=True, slots=True)
class Overview:
    """A server at a glance: one page of its subscriptions with what each announces next."""

    guild: Guild
    subscriptions: list[SubscriptionView]
    total: int
    page: int
    pages: int
    health: Health | None = None


@dataclass(frozen=True, slots=True)
class Health:
    """Delivery health for admins: the stored problem, ledger counts and the last cycle."""

    problem: str | None
    counts: dict[str, int]
    last_cycle: CycleReport | None


@dataclass(frozen=True, slots=True)
class Charts:
    """The data behind the server's charts."""

    heatmap: charts.Heatmap
    trend: list[charts.WeekPoint]
    scores: list[charts.ScoreBar]
    genres: list[charts.GenreBar]


class DashboardService:
    """Read servers, overviews, charts, health and logs; change settings."""

    def __init__(
        self,
        sessions: Sessions,
        status: UpdateStatus,
        admin: AdminService,
        templates: TemplateService,
        *,
        now: Clock = utcnow,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._sessions = sessions
        self._status = status
        self._admin = admin
        self._templates = templates
        self._now = now
        self._monotonic = monotonic
        self._counts: dict[tuple[int, str, str], tuple[float, _ServerCharts]] = {}
        self._counting: dict[int, asyncio.Lock] = {}
        self._calendars: dict[int, tuple[float, list[charts.CalendarEntry]]] = {}
        self._presence: dict[frozenset[int], tuple[float, frozenset[int]]] = {}

    async def servers(self, guild_ids: Sequence[int]) -> list[GuildSummary]:
        """The given servers that the bot is in."""
        async with self._sessions() as session:
            return await DashboardRepository(session).present_guilds(guild_ids)

    async def bot_guild_ids(self, guild_ids: Sequence[int]) -> set[int]:
        """Which of the given servers the bot is in (asked on every request: kept a few seconds).

        A server the bot has just left stays visible for at most PRESENCE_TTL_SECONDS.
        """
        key = frozenset(guild_ids)
        now = self._monotonic()
        cached = self._presence.get(key)
        if cached is not None and now - cached[0] < PRESENCE_TTL_SECONDS:
            return set(cached[1])
        async with self._sessions() as session:
            present = await DashboardRepository(session).present_ids(guild_ids)
        if len(self._presence) >= PRESENCE_CAPACITY:
            self._presence = {
                k: v for k, v in self._presence.items() if now - v[0] < PRESENCE_TTL_SECONDS
            }
        self._presence[key] = (now, frozenset(present))
        return present

    async def last_cycle(self) -> CycleReport | None:
        """The newest finished update cycle of any scope (a sharded bot runs one per process)."""
        async with self._sessions() as session:
            return checking(await CycleRepository(session).every())

    async def guild(self, guild_id: int) -> Guild:
        """The server's settings; NotFoundError when FilmBot does not know it."""
        async with self._sessions() as session:
            return _present(await GuildRepository(session).get(guild_id))

    async def calendar(self, server: int | Guild) -> list[charts.CalendarEntry]:
        """The next 14 days of releases and episodes of the server's titles (kept 60 s)."""
        guild = await self._known(server)
        guild_id = guild.id
        cached = self._calendars.get(guild_id)
        if cached is not None and self._monotonic() - cached[0] < CHARTS_TTL_SECONDS:
            return cached[1]
        async with self._sessions() as session:
            stored = await DashboardRepository(session).subscribed_snapshots(guild_id)
        today = self._now().astimezone(ZoneInfo(guild.timezone)).date()
        days = charts.calendar(tracking(stored, guild.region).values(), guild.region, today)
        self._calendars[guild_id] = (self._monotonic(), days)
        return days

    async def _known(self, server: int | Guild) -> Guild:
        """The server as given (already checked), or looked up by id."""
        return server if isinstance(server, Guild) else await self.guild(server)

    async def overview(self, guild_id: int, page: int = 1, *, health: bool = False) -> Overview:
        """One page of the server's subscriptions, newest first, with their next notification.

        With `health`, also the delivery health (for admins). Everything is read in one
        session: the overview is the dashboard's busiest page.
        """
        async with self._sessions() as session:
            guild = _present(await GuildRepository(session).get(guild_id))
            repo = SubscriptionRepository(session)
            total = await repo.count(guild_id)
            pages = max(1, -(-total // PAGE_SIZE))
            page = min(max(1, page), pages)
            subs = await repo.list_for_guild(
                guild_id, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
            )
            # The dashboard serves every shard's servers: any process's copy may do.
            stored = await SnapshotRepository(session).across_scopes([s.ref for s in subs])
            states, counts = [], {}
            if health:
                counts = await DashboardRepository(session).delivery_counts(guild_id)
                states = await CycleRepository(session).every()
        hints = self._status.hints_across(GuildPrefs.for_guild(guild), stored)
        views = [SubscriptionView(s, hints.get(s.ref)) for s in subs]
        checked = None
        if health:
            checked = Health(guild.delivery_problem, counts, checking(states, guild_id))
        return Overview(guild, views, total, page, pages, checked)

    async def health(self, server: int | Guild) -> Health:
        """Delivery problems, pending/missed/delivered counts and the last cycle."""
        guild = await self._known(server)
        async with self._sessions() as session:
            counts = await DashboardRepository(session).delivery_counts(guild.id)
            states = await CycleRepository(session).every()
        return Health(guild.delivery_problem, counts, checking(states, guild.id))

    async def notification_log(self, guild_id: int) -> list[LogEntry]:
        """The server's latest notifications and their delivery state."""
        await self.guild(guild_id)
        async with self._sessions() as session:
            return await DashboardRepository(session).notification_log(guild_id)

    async def charts(self, guild_id: int, viewer_id: int | None) -> Charts:
        """Activity heatmap, weekly trend, rating distribution and most-watched genres.

        The server-wide figures scan every rating of the server, so they are kept for
        CHARTS_TTL_SECONDS; the viewer's own ratings are read on every call.
        """
        guild = await self.guild(guild_id)
        every, heat, trend, genres = await self._server_charts(guild)
        async with self._sessions() as session:
            mine = await DashboardRepository(session).own_scores(guild_id, viewer_id)
        scores = charts.score_bars(every, mine)
        return Charts(heatmap=heat, trend=trend, scores=scores, genres=genres)

    async def _server_charts(self, guild: Guild) -> _ServerCharts:
        key = (guild.id, guild.timezone, guild.language)
        cached = self._counts.get(key)
        if cached is not None and self._monotonic() - cached[0] < CHARTS_TTL_SECONDS:
            return cached[1]
        async with self._counting.setdefault(guild.id, asyncio.Lock()):
            cached = self._counts.get(key)
            if cached is not None and self._monotonic() - cached[0] < CHARTS_TTL_SECONDS:
                return cached[1]
            async with self._sessions() as session:
                repo = DashboardRepository(session)
                every = await repo.score_counts(guild.id)
                hours = await repo.activity_hours(guild.id)
                days = await repo.subscription_days(guild.id)
                watched = await repo.watched_genres(guild.id)
                names = await repo.genre_names(FALLBACK_LANGUAGE)
                if guild.language != FALLBACK_LANGUAGE:
                    names.update(await repo.genre_names(guild.language))
            today = self._now().astimezone(ZoneInfo(guild.timezone)).date()
            figures = (
                every,
                charts.heatmap(hours, guild.timezone),
                charts.weekly_trend(days, guild.timezone, today),
                charts.genre_bars(watched, names),
            )
            self._counts[key] = (self._monotonic(), figures)
            return figures

    async def change_settings(
        self,
        guild_id: int,
        values: dict[Setting, str | int | None],
        templates: dict[TemplateKind, str | None] | None = None,
    ) -> Guild:
        """Validate every value as /config and /notification-template do, then store them.

        A template of None goes back to the default. Nothing is stored when any value is bad.
        """
        await self.guild(guild_id)
        checked = {
            kind: None if text is None else parse_template(text)
            for kind, text in (templates or {}).items()
        }
        if values:
            await self._admin.apply(guild_id, values)
        for kind, text in checked.items():
            if text is None:
                await self._templates.reset(guild_id, kind)
            else:
                await self._templates.set(guild_id, kind, text)
        return await self.guild(guild_id)

    @staticmethod
    def template_views(guild: Guild) -> list[TemplateView]:
        """Each kind's template with its preview, as /notification-template shows them."""
        return [view_of(guild, kind) for kind in TemplateKind]


def _present(guild: Guild | None) -> Guild:
    """The server, unless FilmBot never saw it or has left it."""
    if guild is None or guild.left_at is not None:
        raise NotFoundError("FilmBot is not in that server.")
    return guild
