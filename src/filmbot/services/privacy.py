"""What FilmBot stores about a person or a server, and deleting it."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from filmbot.db.repositories import GuildRepository, WatchlistRepository
from filmbot.db.session import Sessions
from filmbot.domain.clock import utcnow
from filmbot.domain.models import WatchlistItem
from filmbot.domain.personal import MemberState, PersonalFollow
from filmbot.services.personal import delete_personal_data, personal_data

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PersonalData:
    """Everything stored about one user: watchlist items with their ratings and reviews,
    personal follows and notification settings."""

    items: list[WatchlistItem]
    follows: list[PersonalFollow] = field(default_factory=list)
    notify_settings: MemberState | None = None

    @property
    def ratings(self) -> int:
        """How many ratings."""
        return sum(1 for item in self.items if item.rating)

    @property
    def reviews(self) -> int:
        """How many written reviews."""
        return sum(1 for item in self.items if item.rating and item.rating.review)


class PrivacyService:
    """Show and delete a user's data; delete the data of servers the bot left."""

    def __init__(self, sessions: Sessions, grace_days: int) -> None:
        self._sessions = sessions
        self.grace = timedelta(days=grace_days)

    async def show(self, user_id: int) -> PersonalData:
        """Every watchlist item, rating and review of the user, in every server."""
        async with self._sessions() as session:
            items = await WatchlistRepository(session).list_all_for_user(user_id)
        follows, settings = await personal_data(self._sessions, user_id)
        return PersonalData(items, follows, settings)

    async def delete(self, user_id: int) -> int:
        """Delete the user's watchlist items, ratings and reviews everywhere; count the items."""
        async with self._sessions.begin() as session:
            removed = await WatchlistRepository(session).delete_user(user_id)
        await delete_personal_data(self._sessions, user_id)
        log.info("Deleted the data of a user on request (%d items)", removed)
        return removed

    async def purge_departed_guilds(self) -> list[int]:
        """Delete the data of servers the bot left more than the grace period ago."""
        cutoff = utcnow() - self.grace
        async with self._sessions.begin() as session:
            repo = GuildRepository(session)
            departed = await repo.left_before(cutoff)
            for guild_id in departed:
                await repo.delete(guild_id)
        if departed:
            log.info("Deleted the data of %d servers the bot left before %s", len(departed), cutoff)
        return departed
