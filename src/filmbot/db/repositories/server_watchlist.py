"""A server's shared watchlist, with its members' average ratings."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from filmbot.db.models import RatingRow, ServerWatchlistRow, WatchlistRow
from filmbot.db.repositories._integrity import guarded
from filmbot.domain.errors import LimitReachedError
from filmbot.domain.models import MediaType, TitleRef
from filmbot.domain.server_watchlist import ServerWatchlistEntry, list_order

RatingKey = tuple[MediaType, int]


def to_entry(
    row: ServerWatchlistRow, ratings: dict[RatingKey, tuple[float, int]] | None = None
) -> ServerWatchlistEntry:
    """Convert a row (and the server's ratings of its title) to the domain object."""
    average, count = (ratings or {}).get((row.media_type, row.tmdb_id), (None, 0))
    return ServerWatchlistEntry(
        id=row.id,
        guild_id=row.guild_id,
        ref=TitleRef(row.media_type, row.tmdb_id),
        title=row.title,
        poster_path=row.poster_path,
        note=row.note,
        added_by=row.added_by,
        added_at=row.added_at,
        picked_at=row.picked_at,
        average_rating=average,
        ratings=count,
    )


class ServerWatchlistRepository:
    """The titles one server plans to watch together."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(
        self,
        guild_id: int,
        ref: TitleRef,
        title: str,
        poster_path: str | None,
        *,
        added_by: int,
        note: str | None,
        limit: int,
    ) -> ServerWatchlistEntry:
        """Add a title; AlreadyExistsError if present, LimitReachedError past the limit."""
        if await self.count(guild_id) >= limit:
            raise LimitReachedError(
                f"The server watchlist is full ({limit} titles). Remove one first."
            )
        row = ServerWatchlistRow(
            guild_id=guild_id,
            tmdb_id=ref.tmdb_id,
            media_type=ref.media_type,
            title=title[:255],
            poster_path=poster_path,
            note=note,
            added_by=added_by,
        )
        message = f"{title} is already on the server watchlist."
        async with guarded(self._session, duplicate_message=message):
            self._session.add(row)
        return to_entry(row)

    async def count(self, guild_id: int) -> int:
        """How many titles the server's list holds."""
        query = select(func.count()).where(ServerWatchlistRow.guild_id == guild_id)
        return int(await self._session.scalar(query) or 0)

    async def entries(self, guild_id: int) -> list[ServerWatchlistEntry]:
        """The server's list in its own order (first added first), with average ratings."""
        rows = await self._session.scalars(
            select(ServerWatchlistRow).where(ServerWatchlistRow.guild_id == guild_id)
        )
        ratings = await self._ratings(guild_id)
        return list_order([to_entry(row, ratings) for row in rows])

    async def get(self, guild_id: int, ref: TitleRef) -> ServerWatchlistEntry | None:
        """The entry for a title, if the server's list has it."""
        row = await self._row(guild_id, ref)
        return to_entry(row, await self._ratings(guild_id)) if row else None

    async def remove(self, guild_id: int, ref: TitleRef) -> bool:
        """Remove a title; False when it was not there."""
        row = await self._row(guild_id, ref)
        if row is None:
            return False
        await self._session.delete(row)
        await self._session.flush()
        return True

    async def mark_picked(self, guild_id: int, ref: TitleRef, when: datetime) -> bool:
        """Record that a movie night picked the title; False when it is not on the list."""
        result = await self._session.execute(
            update(ServerWatchlistRow)
            .where(
                ServerWatchlistRow.guild_id == guild_id,
                ServerWatchlistRow.tmdb_id == ref.tmdb_id,
                ServerWatchlistRow.media_type == ref.media_type,
            )
            .values(picked_at=when)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def added_by(self, user_id: int) -> list[ServerWatchlistEntry]:
        """Every entry the member added, in every server (for a privacy export)."""
        rows = await self._session.scalars(
            select(ServerWatchlistRow)
            .where(ServerWatchlistRow.added_by == user_id)
            .order_by(ServerWatchlistRow.guild_id, ServerWatchlistRow.added_at)
        )
        return [to_entry(row) for row in rows]

    async def anonymise(self, user_id: int) -> int:
        """Forget who added the member's entries (the titles stay); count them."""
        result = await self._session.execute(
            update(ServerWatchlistRow)
            .where(ServerWatchlistRow.added_by == user_id)
            .values(added_by=None, note=None)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def _row(self, guild_id: int, ref: TitleRef) -> ServerWatchlistRow | None:
        return await self._session.scalar(
            select(ServerWatchlistRow).where(
                ServerWatchlistRow.guild_id == guild_id,
                ServerWatchlistRow.tmdb_id == ref.tmdb_id,
                ServerWatchlistRow.media_type == ref.media_type,
            )
        )

    async def _ratings(self, guild_id: int) -> dict[RatingKey, tuple[float, int]]:
        """Average score and count of each title the server's members rated."""
        query = (
            select(
                RatingRow.media_type,
                RatingRow.tmdb_id,
                func.avg(RatingRow.score),
                func.count(RatingRow.id),
            )
            .join(WatchlistRow, WatchlistRow.id == RatingRow.watchlist_id)
            .join(
                ServerWatchlistRow,
                (ServerWatchlistRow.guild_id == WatchlistRow.guild_id)
                & (ServerWatchlistRow.tmdb_id == RatingRow.tmdb_id)
                & (ServerWatchlistRow.media_type == RatingRow.media_type),
            )
            .where(WatchlistRow.guild_id == guild_id)
            .group_by(RatingRow.media_type, RatingRow.tmdb_id)
        )
        rows = await self._session.execute(query)
        return {(MediaType(m), int(t)): (float(a), int(c)) for m, t, a, c in rows}
