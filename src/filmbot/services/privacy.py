"""What FilmBot stores about a person or a server, and deleting it."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from filmbot.db.repositories import GuildRepository, WatchlistRepository
from filmbot.db.repositories.person_follows import PersonFollowRepository
from filmbot.db.repositories.server_watchlist import ServerWatchlistRepository
from filmbot.db.repositories.social import MemberRecommendationRepository, PreferenceRepository
from filmbot.db.session import Sessions
from filmbot.domain.clock import utcnow
from filmbot.domain.models import WatchlistItem
from filmbot.domain.person_follows import PersonFollow
from filmbot.domain.personal import MemberState, PersonalFollow
from filmbot.domain.server_watchlist import ServerWatchlistEntry
from filmbot.domain.social import MemberPreferences, MemberRecommendation
from filmbot.services.personal import delete_personal_data, personal_data

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PersonalData:
    """Everything stored about one user: watchlist items with their ratings and reviews.

    Also the server watchlist entries they added, their personal follows and notification
    settings, the recommendations they sent or received, and their opt-ins (None: never
    changed, so nothing is stored).
    """

    items: list[WatchlistItem]
    follows: list[PersonalFollow] = field(default_factory=list)
    notify_settings: MemberState | None = None
    recommendations: list[MemberRecommendation] = field(default_factory=list)
    preferences: MemberPreferences | None = None
    server_entries: list[ServerWatchlistEntry] = field(default_factory=list)
    people: list[PersonFollow] = field(default_factory=list)

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
            added = await ServerWatchlistRepository(session).added_by(user_id)
            recommendations = await MemberRecommendationRepository(session).involving(user_id)
            preferences = PreferenceRepository(session)
            stored = await preferences.get(user_id) if await preferences.stored(user_id) else None
            people = await PersonFollowRepository(session).for_user(user_id)
        follows, settings = await personal_data(self._sessions, user_id)
        return PersonalData(
            items,
            follows=follows,
            notify_settings=settings,
            recommendations=recommendations,
            preferences=stored,
            server_entries=added,
            people=people,
        )

    async def delete(self, user_id: int) -> int:
        """Delete the user's watchlist items, ratings and reviews everywhere; count the items.

        Personal follows (of titles and of people) and notification settings,
        recommendations they sent or received and their opt-ins go too. Server watchlist
        entries they added stay for the server, without their id or note.
        """
        async with self._sessions.begin() as session:
            removed = await WatchlistRepository(session).delete_user(user_id)
            await MemberRecommendationRepository(session).delete_involving(user_id)
            await PreferenceRepository(session).delete(user_id)
            anonymised = await ServerWatchlistRepository(session).anonymise(user_id)
            await PersonFollowRepository(session).delete_user(user_id)
        await delete_personal_data(self._sessions, user_id)
        log.info(
            "Deleted the data of a user on request (%d items, %d server entries anonymised)",
            removed,
            anonymised,
        )
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
