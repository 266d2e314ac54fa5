"""/upcoming: what a server's subscriptions bring soon, read from the update engine's snapshots.

Nothing here calls TMDB: the update cycle already fetched every subscribed title and stored what
it learned, and that is what the calendar shows.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from filmbot.db.repositories import SubscriptionRepository
from filmbot.db.repositories.snapshots import SnapshotRepository
from filmbot.db.session import Sessions
from filmbot.domain.clock import Clock, utcnow
from filmbot.domain.models import Guild
from filmbot.domain.upcoming import UpcomingEvent, upcoming_events, window
from filmbot.domain.updates import TitleSnapshot

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Upcoming:
    """The events of one server's window, first to last day."""

    guild_id: int
    first: date
    last: date
    events: list[UpcomingEvent]
    subscriptions: int
    unchecked: int


class UpcomingService:
    """Build a server's calendar of the next days from stored snapshots."""

    def __init__(self, sessions: Sessions, scope: str, clock: Clock = utcnow) -> None:
        self._sessions = sessions
        self._scope = scope
        self._clock = clock

    async def upcoming(self, guild: Guild, days: int) -> Upcoming:
        """Releases in the server's region and episodes in the next `days` days."""
        first, last = window(self._clock(), guild.timezone, days)
        async with self._sessions() as session:
            subscriptions = await SubscriptionRepository(session).list_for_guild(guild.id)
            refs = [s.ref for s in subscriptions]
            stored = await SnapshotRepository(session).of_titles(self._scope, refs)
        snapshots = []
        for ref, snapshot in stored.items():
            try:
                snapshots.append(TitleSnapshot.from_dict(snapshot.data, ref))
            except (TypeError, ValueError):
                log.warning("Skipping an unreadable stored snapshot of %s", ref)
        events = upcoming_events(snapshots, guild.region, first, last)
        return Upcoming(
            guild.id, first, last, events, len(subscriptions), len(refs) - len(snapshots)
        )
