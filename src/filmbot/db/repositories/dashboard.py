"""Read-only aggregates for the web dashboard: per-server counts, activity and the ledger.

Timestamps are grouped by the UTC hour (or day) in the database, so a chart reads a few
thousand buckets however many rows there are; the caller moves buckets into the server's
timezone. Each backend spells "truncate to the hour" its own way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, func, literal_column, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import ColumnElement

from filmbot.db.models import (
    GenreNameRow,
    GuildRow,
    RatingRow,
    SubscriptionRow,
    TitleGenreRow,
    TitleSnapshotRow,
    UpdateDeliveryRow,
    WatchlistRow,
)
from filmbot.db.repositories.snapshots import newest_first
from filmbot.domain.models import TitleRef
from filmbot.domain.updates import StoredSnapshot

_HOUR_FORMATS = {
    "sqlite": "%Y-%m-%d %H",
    "postgresql": "YYYY-MM-DD HH24",
    "mysql": "%Y-%m-%d %H",
    "mariadb": "%Y-%m-%d %H",
}
_DAY_FORMATS = {
    "sqlite": "%Y-%m-%d",
    "postgresql": "YYYY-MM-DD",
    "mysql": "%Y-%m-%d",
    "mariadb": "%Y-%m-%d",
}


@dataclass(frozen=True, slots=True)
class GuildSummary:
    """A server the bot is in, as the dashboard lists it."""

    id: int
    name: str
    subscriptions: int


@dataclass(frozen=True, slots=True)
class LogEntry:
    """One row of the notification log."""

    created_at: datetime
    kind: str
    title: str
    headline: str
    status: str
    attempts: int
    delivered_at: datetime | None
    last_error: str | None


class DashboardRepository:
    """Aggregate queries over guilds, subscriptions, watchlists, ratings and deliveries."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._dialect = session.get_bind().dialect.name

    async def present_guilds(self, guild_ids: Sequence[int]) -> list[GuildSummary]:
        """The given servers the bot is in (not left), with their subscription counts."""
        if not guild_ids:
            return []
        counts = (
            select(SubscriptionRow.guild_id, func.count().label("n"))
            .where(SubscriptionRow.guild_id.in_(list(guild_ids)))
            .group_by(SubscriptionRow.guild_id)
            .subquery()
        )
        query = (
            select(GuildRow.id, GuildRow.name, func.coalesce(counts.c.n, 0))
            .outerjoin(counts, counts.c.guild_id == GuildRow.id)
            .where(GuildRow.id.in_(list(guild_ids)), GuildRow.left_at.is_(None))
            .order_by(GuildRow.name, GuildRow.id)
        )
        rows = await self._session.execute(query)
        return [GuildSummary(int(i), str(n), int(c)) for i, n, c in rows]

    async def present_ids(self, guild_ids: Sequence[int]) -> set[int]:
        """Which of the given servers the bot is in (not left)."""
        if not guild_ids:
            return set()
        query = select(GuildRow.id).where(
            GuildRow.id.in_(list(guild_ids)), GuildRow.left_at.is_(None)
        )
        return {int(i) for i in await self._session.scalars(query)}

    async def subscribed_snapshots(self, guild_id: int) -> dict[TitleRef, list[StoredSnapshot]]:
        """Every scope's stored snapshot of each title the server follows, newest first.

        A sharded bot stores a copy per process; the dashboard serves every shard's servers.
        """
        snap, sub = TitleSnapshotRow, SubscriptionRow
        query = (
            select(snap.media_type, snap.tmdb_id, snap.data, snap.fetched_at)
            .join(sub, (sub.tmdb_id == snap.tmdb_id) & (sub.media_type == snap.media_type))
            .where(sub.guild_id == guild_id)
        )
        return newest_first(await self._session.execute(query))

    async def score_counts(self, guild_id: int) -> dict[int, int]:
        """Count the server's ratings by score."""
        query = self._scores(guild_id)
        return {int(s): int(c) for s, c in await self._session.execute(query)}

    async def own_scores(self, guild_id: int, user_id: int | None) -> dict[int, int]:
        """Count one member's ratings in the server by score (none without a member)."""
        if user_id is None:
            return {}
        # The watchlist's own user_id lets the (guild, user) index find the member's few
        # items instead of every item of the server.
        query = self._scores(guild_id).where(
            WatchlistRow.user_id == user_id, RatingRow.user_id == user_id
        )
        return {int(s): int(c) for s, c in await self._session.execute(query)}

    @staticmethod
    def _scores(guild_id: int) -> Select[int, int]:
        return (
            select(RatingRow.score, func.count())
            .join(WatchlistRow, WatchlistRow.id == RatingRow.watchlist_id)
            .where(WatchlistRow.guild_id == guild_id)
            .group_by(RatingRow.score)
        )

    async def watched_genres(self, guild_id: int) -> dict[int, int]:
        """The server's watched items counted by genre (an item counts once per genre)."""
        item, genre = WatchlistRow, TitleGenreRow
        query = (
            select(genre.genre_id, func.count())
            .join(
                item,
                (item.tmdb_id == genre.tmdb_id) & (item.media_type == genre.media_type),
            )
            .where(item.guild_id == guild_id, item.watched.is_(True), genre.genre_id > 0)
            .group_by(genre.genre_id)
        )
        return {int(g): int(c) for g, c in await self._session.execute(query)}

    async def genre_names(self, language: str) -> dict[int, str]:
        """TMDB's genre names in a language, as the bot stored them."""
        query = select(GenreNameRow.genre_id, GenreNameRow.name).where(
            GenreNameRow.language == language
        )
        return {int(g): str(n) for g, n in await self._session.execute(query)}

    async def activity_hours(self, guild_id: int) -> list[tuple[datetime, int]]:
        """Ratings, reviews and watched marks in the server, counted per UTC hour."""
        rated = (
            select(self._hour(RatingRow.created_at).label("hour"))
            .join(WatchlistRow, WatchlistRow.id == RatingRow.watchlist_id)
            .where(WatchlistRow.guild_id == guild_id)
        )
        reviewed = rated.where(RatingRow.review.is_not(None), RatingRow.review != "")
        watched = select(self._hour(WatchlistRow.watched_at).label("hour")).where(
            WatchlistRow.guild_id == guild_id, WatchlistRow.watched_at.is_not(None)
        )
        events = union_all(rated, reviewed, watched).subquery()
        query = select(events.c.hour, func.count()).group_by(events.c.hour)
        rows = await self._session.execute(query)
        return [(_parse_bucket(h, "%Y-%m-%d %H"), int(c)) for h, c in rows if h]

    async def subscription_days(self, guild_id: int) -> list[tuple[datetime, int]]:
        """New subscriptions per UTC day."""
        day = self._day(SubscriptionRow.subscribed_at).label("day")
        query = select(day, func.count()).where(SubscriptionRow.guild_id == guild_id).group_by(day)
        rows = await self._session.execute(query)
        return sorted((_parse_bucket(d, "%Y-%m-%d"), int(c)) for d, c in rows if d)

    async def delivery_counts(self, guild_id: int) -> dict[str, int]:
        """The server's ledger rows counted by status (pending, delivered, missed, failed)."""
        row = UpdateDeliveryRow
        query = (
            select(row.status, func.count()).where(row.guild_id == guild_id).group_by(row.status)
        )
        return {str(s): int(c) for s, c in await self._session.execute(query)}

    async def notification_log(self, guild_id: int, limit: int = 50) -> list[LogEntry]:
        """The server's latest ledger rows, newest first."""
        row = UpdateDeliveryRow
        query = (
            select(row)
            .where(row.guild_id == guild_id)
            .order_by(row.created_at.desc(), row.id.desc())
            .limit(limit)
        )
        return [_log_entry(r) for r in await self._session.scalars(query)]

    def _hour(self, column: Any) -> ColumnElement[Any]:
        return self._format(column, _HOUR_FORMATS)

    def _day(self, column: Any) -> ColumnElement[Any]:
        return self._format(column, _DAY_FORMATS)

    def _format(self, column: Any, formats: dict[str, str]) -> ColumnElement[Any]:
        pattern = formats[self._dialect]
        if self._dialect == "sqlite":
            return func.strftime(pattern, column)
        if self._dialect == "postgresql":
            return func.to_char(func.timezone(literal_column("'UTC'"), column), pattern)
        return func.date_format(column, pattern)


def _parse_bucket(text: object, pattern: str) -> datetime:
    return datetime.strptime(str(text), pattern).replace(tzinfo=UTC)


def _log_entry(row: UpdateDeliveryRow) -> LogEntry:
    payload = row.payload or {}
    return LogEntry(
        created_at=row.created_at,
        kind=row.kind,
        title=str(payload.get("title", "")),
        headline=str(payload.get("headline", "")),
        status=row.status,
        attempts=row.attempts,
        delivered_at=row.delivered_at,
        last_error=row.last_error,
    )
