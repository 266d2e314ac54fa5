"""Per-user watchlists and ratings."""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from filmbot.db.models import RatingRow, WatchlistRow
from filmbot.db.repositories._integrity import guarded
from filmbot.db.repositories.community import ratings_changed
from filmbot.domain.clock import utcnow
from filmbot.domain.errors import LimitReachedError, NotFoundError
from filmbot.domain.models import MediaType, Priority, Rating, TitleRef, WatchlistItem


def to_rating(row: RatingRow) -> Rating:
    """Convert a row to the domain object."""
    return Rating(
        id=row.id,
        watchlist_id=row.watchlist_id,
        user_id=row.user_id,
        tmdb_id=row.tmdb_id,
        media_type=row.media_type,
        score=row.score,
        review=row.review,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def to_item(row: WatchlistRow) -> WatchlistItem:
    """Convert a row (with its rating loaded) to the domain object."""
    return WatchlistItem(
        id=row.id,
        guild_id=row.guild_id,
        user_id=row.user_id,
        tmdb_id=row.tmdb_id,
        media_type=row.media_type,
        title=row.title,
        poster_path=row.poster_path,
        priority=Priority(row.priority),
        watched=row.watched,
        added_at=row.added_at,
        watched_at=row.watched_at,
        notes=row.notes,
        rating=to_rating(row.rating) if row.rating else None,
    )


class WatchlistRepository:
    """A user's watchlist in one server."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(
        self,
        guild_id: int,
        user_id: int,
        ref: TitleRef,
        title: str,
        poster_path: str | None = None,
        *,
        limit: int,
        priority: Priority = Priority.NORMAL,
    ) -> WatchlistItem:
        """Add a title; AlreadyExistsError if present, LimitReachedError past the limit."""
        if await self.count(guild_id, user_id) >= limit:
            raise LimitReachedError(f"Your watchlist is full ({limit} titles). Remove one first.")
        row = WatchlistRow(
            guild_id=guild_id,
            user_id=user_id,
            tmdb_id=ref.tmdb_id,
            media_type=ref.media_type,
            title=title[:255],
            poster_path=poster_path,
            priority=int(priority),
        )
        async with guarded(
            self._session, duplicate_message=f"{title} is already on your watchlist."
        ):
            self._session.add(row)
        await self._session.refresh(row, ["rating"])
        return to_item(row)

    async def get(self, guild_id: int, user_id: int, ref: TitleRef) -> WatchlistItem | None:
        """Return the user's item for the title, if any."""
        row = await self._row(guild_id, user_id, ref)
        return to_item(row) if row else None

    async def remove(self, guild_id: int, user_id: int, ref: TitleRef) -> bool:
        """Remove an item (and its rating); False when absent."""
        identity = self._identity(guild_id, user_id, ref)
        rated = await self._session.scalar(select(RatingRow.id).join(WatchlistRow).where(*identity))
        result = await self._session.execute(delete(WatchlistRow).where(*identity))
        if rated is not None:
            await ratings_changed(self._session, [guild_id], deleted=True)
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def mark_watched(
        self, guild_id: int, user_id: int, ref: TitleRef, watched: bool = True
    ) -> WatchlistItem:
        """Mark an item watched or unwatched."""
        row = await self._require(guild_id, user_id, ref)
        row.watched = watched
        row.watched_at = utcnow() if watched else None
        await self._session.flush()
        return to_item(row)

    async def set_priority(
        self, guild_id: int, user_id: int, ref: TitleRef, priority: Priority
    ) -> WatchlistItem:
        """Change an item's priority."""
        row = await self._require(guild_id, user_id, ref)
        row.priority = int(priority)
        await self._session.flush()
        return to_item(row)

    async def list_for_user(
        self,
        guild_id: int,
        user_id: int,
        *,
        include_watched: bool = True,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[WatchlistItem]:
        """Return the user's items, highest priority first, then newest."""
        query = self._for_user(guild_id, user_id).order_by(
            WatchlistRow.watched,
            WatchlistRow.priority.desc(),
            WatchlistRow.added_at.desc(),
            WatchlistRow.id.desc(),
        )
        if not include_watched:
            query = query.where(WatchlistRow.watched.is_(False))
        query = query.offset(offset)
        if limit is not None:
            query = query.limit(limit)
        return [to_item(row) for row in await self._session.scalars(query)]

    async def search_for_user(
        self, guild_id: int, user_id: int, text: str, limit: int = 25
    ) -> list[WatchlistItem]:
        """Return the user's items whose title contains the text."""
        query = (
            self._for_user(guild_id, user_id)
            .where(func.lower(WatchlistRow.title).contains(text.lower(), autoescape=True))
            .order_by(WatchlistRow.title)
            .limit(limit)
        )
        return [to_item(row) for row in await self._session.scalars(query)]

    async def count(self, guild_id: int | None = None, user_id: int | None = None) -> int:
        """Count items, optionally of one guild and user."""
        query = select(func.count()).select_from(WatchlistRow)
        if guild_id is not None:
            query = query.where(WatchlistRow.guild_id == guild_id)
        if user_id is not None:
            query = query.where(WatchlistRow.user_id == user_id)
        return int(await self._session.scalar(query) or 0)

    async def list_all_for_user(self, user_id: int) -> list[WatchlistItem]:
        """Return the user's items in every server, for a privacy export."""
        query = (
            select(WatchlistRow)
            .where(WatchlistRow.user_id == user_id)
            .order_by(WatchlistRow.guild_id, WatchlistRow.added_at, WatchlistRow.id)
        )
        return [to_item(row) for row in await self._session.scalars(query)]

    async def delete_user(self, user_id: int, guild_id: int | None = None) -> int:
        """Delete every item (and rating) of a user; return how many items went."""
        mine = [WatchlistRow.user_id == user_id]
        if guild_id is not None:
            mine.append(WatchlistRow.guild_id == guild_id)
        rated = await self._session.scalars(
            select(WatchlistRow.guild_id).join(RatingRow).where(*mine).distinct()
        )
        guilds = list(rated)
        result = await self._session.execute(delete(WatchlistRow).where(*mine))
        await ratings_changed(self._session, guilds, deleted=True)
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def _row(self, guild_id: int, user_id: int, ref: TitleRef) -> WatchlistRow | None:
        return await self._session.scalar(
            select(WatchlistRow).where(*self._identity(guild_id, user_id, ref))
        )

    async def _require(self, guild_id: int, user_id: int, ref: TitleRef) -> WatchlistRow:
        row = await self._row(guild_id, user_id, ref)
        if row is None:
            raise NotFoundError("That title is not on your watchlist.")
        return row

    @staticmethod
    def _for_user(guild_id: int, user_id: int) -> Select[WatchlistRow]:
        return select(WatchlistRow).where(
            WatchlistRow.guild_id == guild_id, WatchlistRow.user_id == user_id
        )

    @staticmethod
    def _identity(guild_id: int, user_id: int, ref: TitleRef) -> tuple[ColumnElement[bool], ...]:
        return (
            WatchlistRow.guild_id == guild_id,
            WatchlistRow.user_id == user_id,
            WatchlistRow.tmdb_id == ref.tmdb_id,
            WatchlistRow.media_type == ref.media_type,
        )


class RatingRepository:
    """Ratings of watchlist items."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def rate(self, item: WatchlistItem, score: int, review: str | None = None) -> Rating:
        """Create or replace the rating; InvalidScoreError outside 1..10 (a database check)."""
        row = await self._session.scalar(select(RatingRow).where(RatingRow.watchlist_id == item.id))
        async with guarded(self._session):
            if row is None:
                row = RatingRow(
                    watchlist_id=item.id,
                    user_id=item.user_id,
                    tmdb_id=item.tmdb_id,
                    media_type=item.media_type,
                    score=score,
                    review=review,
                )
                self._session.add(row)
            else:
                row.score, row.review, row.updated_at = score, review, utcnow()
            await self._session.flush()
        await ratings_changed(self._session, [item.guild_id])
        return to_rating(row)

    async def for_guild(self, guild_id: int | None) -> list[tuple[int, TitleRef, int]]:
        """Return (user_id, title, score) for every rating in a guild, or in all guilds."""
        query = select(RatingRow.user_id, RatingRow.media_type, RatingRow.tmdb_id, RatingRow.score)
        if guild_id is not None:
            query = query.join(WatchlistRow, WatchlistRow.id == RatingRow.watchlist_id).where(
                WatchlistRow.guild_id == guild_id
            )
        rows = await self._session.execute(query)
        return [(int(u), TitleRef(MediaType(m), int(t)), int(s)) for u, m, t, s in rows]

    async def count(self, guild_id: int | None = None) -> int:
        """Count ratings, of one guild or of all."""
        query = select(func.count()).select_from(RatingRow)
        if guild_id is not None:
            query = query.join(WatchlistRow, WatchlistRow.id == RatingRow.watchlist_id).where(
                WatchlistRow.guild_id == guild_id
            )
        return int(await self._session.scalar(query) or 0)
