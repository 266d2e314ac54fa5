"""Writing imported history into a member's watchlist and ratings, one title at a time."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from filmbot.db.models import RatingRow, WatchlistRow
from filmbot.db.repositories.community import ratings_changed
from filmbot.domain.clock import utcnow
from filmbot.domain.history.rows import MatchedEntry, Outcome

MAX_REVIEW_LENGTH = 2000


class HistoryRepository:
    """Apply imported titles to one member's watchlist in one server."""

    def __init__(self, session: AsyncSession, guild_id: int, user_id: int) -> None:
        self._session = session
        self.guild_id = guild_id
        self.user_id = user_id

    async def apply(self, entry: MatchedEntry, *, room: int) -> Outcome:
        """Add or update the title; never un-watches, never overwrites a newer rating.

        `room` is how many more items the member's watchlist may take.
        """
        row = await self._session.scalar(
            select(WatchlistRow).where(
                WatchlistRow.guild_id == self.guild_id,
                WatchlistRow.user_id == self.user_id,
                WatchlistRow.tmdb_id == entry.ref.tmdb_id,
                WatchlistRow.media_type == entry.ref.media_type,
            )
        )
        if row is None:
            if room <= 0:
                return Outcome.OVER_LIMIT
            await self._add(entry)
            return Outcome.ADDED
        changed = self._watch(row, entry)
        changed = await self._rate(row, entry) or changed
        await self._session.flush()
        return Outcome.UPDATED if changed else Outcome.UNCHANGED

    async def _add(self, entry: MatchedEntry) -> None:
        row = WatchlistRow(
            guild_id=self.guild_id,
            user_id=self.user_id,
            tmdb_id=entry.ref.tmdb_id,
            media_type=entry.ref.media_type,
            title=entry.title[:255],
            watched=entry.watched,
            watched_at=(entry.watched_at or utcnow()) if entry.watched else None,
        )
        self._session.add(row)
        await self._session.flush()
        if entry.score is not None:
            self._session.add(self._rating(row, entry))
            await self._session.flush()
            await ratings_changed(self._session, [self.guild_id])

    @staticmethod
    def _watch(row: WatchlistRow, entry: MatchedEntry) -> bool:
        if not entry.watched or row.watched:
            return False
        row.watched, row.watched_at = True, entry.watched_at or utcnow()
        return True

    async def _rate(self, row: WatchlistRow, entry: MatchedEntry) -> bool:
        if entry.score is None:
            return False
        rating = await self._session.scalar(
            select(RatingRow).where(RatingRow.watchlist_id == row.id)
        )
        if rating is None:
            self._session.add(self._rating(row, entry))
        else:
            newer = entry.rated_at is not None and entry.rated_at > rating.updated_at
            review = _review(entry) or rating.review
            if not newer or (rating.score, rating.review) == (entry.score, review):
                return False
            rating.score, rating.review, rating.updated_at = entry.score, review, utcnow()
        await ratings_changed(self._session, [self.guild_id])
        return True

    def _rating(self, row: WatchlistRow, entry: MatchedEntry) -> RatingRow:
        return RatingRow(
            watchlist_id=row.id,
            user_id=self.user_id,
            tmdb_id=entry.ref.tmdb_id,
            media_type=entry.ref.media_type,
            score=entry.score,
            review=_review(entry),
        )


def _review(entry: MatchedEntry) -> str | None:
    return entry.review[:MAX_REVIEW_LENGTH] if entry.review else None
