"""Watchlists: per user and server, with priorities, watched state and ratings."""

from __future__ import annotations

import logging

from filmbot.db.repositories import GuildRepository, RatingRepository, WatchlistRepository
from filmbot.db.repositories.genres import GenreRepository
from filmbot.db.session import Sessions
from filmbot.domain.errors import InvalidInputError, InvalidScoreError
from filmbot.domain.models import Priority, Rating, TitleRef, WatchlistItem
from filmbot.services.catalog import TitleSummary

log = logging.getLogger(__name__)

MAX_REVIEW_LENGTH = 2000


class WatchlistService:
    """Use cases of a member's watchlist in one server."""

    def __init__(self, sessions: Sessions, limit: int) -> None:
        self._sessions = sessions
        self.limit = limit

    async def add(self, guild_id: int, user_id: int, title: TitleSummary) -> WatchlistItem:
        """Add a title; AlreadyExistsError or LimitReachedError refuse it."""
        async with self._sessions.begin() as session:
            await GuildRepository(session).ensure(guild_id)
            item = await WatchlistRepository(session).add(
                guild_id, user_id, title.ref, title.title, title.poster_path, limit=self.limit
            )
            await GenreRepository(session).record(_genres_of(title))
            return item

    async def remove(self, guild_id: int, user_id: int, ref: TitleRef) -> bool:
        """Remove a title (and its rating); False when it was not there."""
        async with self._sessions.begin() as session:
            return await WatchlistRepository(session).remove(guild_id, user_id, ref)

    async def get(self, guild_id: int, user_id: int, ref: TitleRef) -> WatchlistItem | None:
        """The user's item for a title, if any."""
        async with self._sessions() as session:
            return await WatchlistRepository(session).get(guild_id, user_id, ref)

    async def items(
        self, guild_id: int, user_id: int, *, include_watched: bool = False
    ) -> list[WatchlistItem]:
        """The user's items, highest priority first."""
        async with self._sessions() as session:
            return await WatchlistRepository(session).list_for_user(
                guild_id, user_id, include_watched=include_watched, limit=self.limit
            )

    async def search(self, guild_id: int, user_id: int, text: str) -> list[WatchlistItem]:
        """The user's items whose title contains the text (for autocomplete)."""
        async with self._sessions() as session:
            repo = WatchlistRepository(session)
            if not text.strip():
                return await repo.list_for_user(guild_id, user_id, limit=25)
            return await repo.search_for_user(guild_id, user_id, text.strip()[:100])

    async def mark_watched(
        self, guild_id: int, user_id: int, title: TitleSummary
    ) -> tuple[WatchlistItem, bool]:
        """Mark a title watched, adding it first when missing; return (item, added)."""
        async with self._sessions.begin() as session:
            await GuildRepository(session).ensure(guild_id)
            repo = WatchlistRepository(session)
            added = await repo.get(guild_id, user_id, title.ref) is None
            if added:
                await repo.add(
                    guild_id, user_id, title.ref, title.title, title.poster_path, limit=self.limit
                )
            await GenreRepository(session).record(_genres_of(title))
            return await repo.mark_watched(guild_id, user_id, title.ref), added

    @staticmethod
    def check_score(score: int, review: str | None = None) -> None:
        """Refuse scores outside 1..10 and overlong reviews before any work is done."""
        if not 1 <= score <= 10:
            raise InvalidScoreError()
        if review is not None and len(review.strip()) > MAX_REVIEW_LENGTH:
            raise InvalidInputError(f"Reviews can be up to {MAX_REVIEW_LENGTH} characters.")

    async def rate(
        self,
        guild_id: int,
        user_id: int,
        title: TitleSummary,
        score: int,
        review: str | None = None,
    ) -> tuple[WatchlistItem, Rating]:
        """Rate a title 1-10 with an optional review; adds it as watched when missing."""
        self.check_score(score, review)
        review = (review or "").strip() or None
        if review is not None and len(review) > MAX_REVIEW_LENGTH:
            raise InvalidInputError(f"Reviews can be up to {MAX_REVIEW_LENGTH} characters.")
        async with self._sessions.begin() as session:
            await GuildRepository(session).ensure(guild_id)
            repo = WatchlistRepository(session)
            item = await repo.get(guild_id, user_id, title.ref)
            if item is None:
                await repo.add(
                    guild_id, user_id, title.ref, title.title, title.poster_path, limit=self.limit
                )
                item = await repo.mark_watched(guild_id, user_id, title.ref)
            await GenreRepository(session).record(_genres_of(title))
            rating = await RatingRepository(session).rate(item, score, review)
            item.rating = rating
            return item, rating

    async def set_priority(
        self, guild_id: int, user_id: int, ref: TitleRef, priority: Priority
    ) -> WatchlistItem:
        """Change an item's priority; NotFoundError when it is not on the list."""
        async with self._sessions.begin() as session:
            return await WatchlistRepository(session).set_priority(guild_id, user_id, ref, priority)


def _genres_of(title: TitleSummary) -> dict[TitleRef, tuple[int, ...]]:
    """The title's genres to keep for the dashboard (titles without any are backfilled)."""
    return {title.ref: title.genre_ids} if title.genre_ids else {}
