"""A community's ratings in bulk, for the similarity index: raw columns and change counters.

A community is one server, or every server (guild None). Every write of a rating bumps a
per-server change counter in the same transaction, and every deletion of ratings also a
per-server deletion counter, so a reader that finds both unchanged knows its copy is
current without touching the ratings table, whichever process made the change.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVarTuple

import numpy as np
import numpy.typing as npt
from sqlalchemy import Select, case, func, select
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncSession

from filmbot.db.models import ChangeCounterRow, RatingRow, WatchlistRow
from filmbot.db.repositories.changes import ChangeCounters
from filmbot.db.session import READ_ONLY
from filmbot.domain.models import MediaType, TitleRef

Ints = npt.NDArray[np.int64]
Row = TypeVarTuple("Row")

RATING_CHANGES = "ratings:"
RATING_DELETIONS = "rating-deletions:"
MEDIA_TYPES: tuple[MediaType, ...] = tuple(MediaType)


@dataclass(frozen=True, slots=True)
class RatingColumns:
    """Ratings as parallel columns; `media` indexes MEDIA_TYPES. Oldest change first."""

    user_ids: Ints
    media: Ints
    tmdb_ids: Ints
    scores: Ints

    def __len__(self) -> int:
        return len(self.user_ids)


@dataclass(frozen=True, slots=True)
class MemberTitle:
    """A title on a member's watchlist, with the member's rating of it if any."""

    ref: TitleRef
    title: str
    score: int | None
    rated_at: datetime | None


@dataclass(frozen=True, slots=True)
class CommunityVersion:
    """How many times a community's ratings were written, and deleted."""

    changes: int
    deletions: int


async def ratings_changed(
    session: AsyncSession, guild_ids: Iterable[int], *, deleted: bool = False
) -> None:
    """Record that ratings of these servers were written (or deleted) in this transaction."""
    counters = ChangeCounters(session)
    for guild_id in sorted(set(guild_ids)):
        await counters.bump(f"{RATING_CHANGES}{guild_id}")
        if deleted:
            await counters.bump(f"{RATING_DELETIONS}{guild_id}")


class CommunityRatings:
    """Read a community's ratings in bulk, and whether they changed."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    @classmethod
    async def reading(cls, session: AsyncSession) -> CommunityRatings:
        """Reads in a transaction that takes no write lock (it must not write)."""
        await session.connection(execution_options={READ_ONLY: True})
        return cls(session)

    async def version(self, guild_id: int | None) -> CommunityVersion:
        """The community's change and deletion counters, in one small query.

        Across servers the per-server counters are summed: they only ever grow, so the
        sum changes whenever one of them does.
        """
        row = ChangeCounterRow
        if guild_id is None:
            changes = row.name.startswith(RATING_CHANGES, autoescape=True)
            deletions = row.name.startswith(RATING_DELETIONS, autoescape=True)
        else:
            changes = row.name == f"{RATING_CHANGES}{guild_id}"
            deletions = row.name == f"{RATING_DELETIONS}{guild_id}"
        query = select(
            func.coalesce(func.sum(case((changes, row.value), else_=0)), 0),
            func.coalesce(func.sum(case((deletions, row.value), else_=0)), 0),
        ).where(changes | deletions)
        found = (await self._session.execute(query)).one()
        return CommunityVersion(int(found[0]), int(found[1]))

    async def member_titles(self, guild_id: int, user_id: int) -> list[MemberTitle]:
        """The member's watchlist with ratings, in the watchlist's order, without ORM objects."""
        watchlist, rating = WatchlistRow, RatingRow
        query = (
            select(
                watchlist.media_type,
                watchlist.tmdb_id,
                watchlist.title,
                rating.score,
                rating.updated_at,
            )
            .outerjoin(rating, rating.watchlist_id == watchlist.id)
            .where(watchlist.guild_id == guild_id, watchlist.user_id == user_id)
            .order_by(
                watchlist.watched,
                watchlist.priority.desc(),
                watchlist.added_at.desc(),
                watchlist.id.desc(),
            )
        )
        rows = await self._session.execute(query)
        return [
            MemberTitle(TitleRef(media, int(tmdb_id)), title, score, rated_at)
            for media, tmdb_id, title, score, rated_at in rows
        ]

    async def last_change(self, guild_id: int | None) -> datetime | None:
        """When the community's ratings last changed, read from the end of the index."""
        query = select(RatingRow.updated_at).order_by(RatingRow.updated_at.desc()).limit(1)
        if guild_id is not None:
            query = query.where(_in_guild(guild_id).exists())
        latest: datetime | None = await self._session.scalar(query)
        return latest

    async def latest(
        self, guild_id: int | None, since: datetime | None = None
    ) -> tuple[int, datetime | None]:
        """How many ratings changed at or after `since` (all: None), and the latest change."""
        query = _scoped(select(func.count(), func.max(RatingRow.updated_at)), guild_id, since)
        count, latest = (await self._session.execute(query)).one()
        return int(count), latest

    async def columns(self, guild_id: int | None, since: datetime | None = None) -> RatingColumns:
        """Ratings changed at or after `since` (all: None), oldest first, as raw columns.

        No ORM objects, enums or datetimes per row: 100,000 ratings load in a fraction of
        the time the typed rows took.
        """
        code = case(*((RatingRow.media_type == m, n) for n, m in enumerate(MEDIA_TYPES)), else_=-1)
        query = _scoped(
            select(RatingRow.user_id, code, RatingRow.tmdb_id, RatingRow.score),
            guild_id,
            since,
        ).order_by(RatingRow.updated_at, RatingRow.id)
        connection = await self._session.connection()
        table = np.array(await connection.run_sync(_driver_rows, query), np.int64)
        table = table.reshape(len(table), 4)
        return RatingColumns(*(np.ascontiguousarray(table[:, n]) for n in range(4)))


def _driver_rows(connection: Connection, query: Select[*Row]) -> list[Any]:
    """The driver's own rows of a query of plain integers, without building a Row for each.

    A Row per rating and a pass to split them into columns cost more than the query
    itself at 100,000 ratings; the driver's tuples go to numpy in one call.
    """
    result = connection.execute(query)
    try:
        return list(result.cursor.fetchall())
    finally:
        result.close()


def _scoped(query: Select[*Row], guild_id: int | None, since: datetime | None) -> Select[*Row]:
    """Restrict a ratings query to one server and to changes at or after `since`.

    With `since`, the server is tested per rating (a correlated EXISTS) so that the plan
    starts from the range on `updated_at` and reads only the new rows: as a join, SQLite
    prefers the equality on `watchlists.guild_id` and reads the whole server.
    """
    if since is not None:
        query = query.where(RatingRow.updated_at >= since)
    if guild_id is None:
        return query
    if since is not None:
        return query.where(_in_guild(guild_id).exists())
    return query.join(
        WatchlistRow,
        (WatchlistRow.id == RatingRow.watchlist_id) & (WatchlistRow.guild_id == guild_id),
    )


def _in_guild(guild_id: int) -> Select[int]:
    """The rating's watchlist item, when it is in this server (for a correlated EXISTS)."""
    return select(WatchlistRow.id).where(
        WatchlistRow.id == RatingRow.watchlist_id, WatchlistRow.guild_id == guild_id
    )
