"""/upcoming and /my-upcoming: what a server's subscriptions, or a member's personal follows,
bring soon, read from the update engine's snapshots.

Nothing here calls TMDB: the update cycle already fetched every subscribed or followed title and
stored what it learned, and that is what the calendar shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from filmbot.db.repositories import SubscriptionRepository
from filmbot.db.repositories.personal import FollowRepository, MemberSettingsRepository
from filmbot.db.repositories.snapshots import SnapshotRepository
from filmbot.db.session import Sessions
from filmbot.domain.clock import Clock, utcnow
from filmbot.domain.models import Guild
from filmbot.domain.personal import NotifySettings
from filmbot.domain.upcoming import (
    UpcomingEvent,
    knows_dates,
    member_calendar,
    upcoming_events,
    window,
)
from filmbot.services.updates.stored import parsed, tracking


@dataclass(frozen=True, slots=True)
class Upcoming:
    """The events of one calendar's window, first to last day.

    `owner` names the calendar in its .ics UIDs (a server id, or `member_calendar` of a
    member); `subscriptions` counts the server's subscriptions or the member's follows,
    `unchecked` those the update cycle has not fetched yet (a film: not for this region).
    """

    owner: int | str
    timezone: str
    region: str
    first: date
    last: date
    events: list[UpcomingEvent]
    subscriptions: int
    unchecked: int


class UpcomingService:
    """Build a server's or a member's calendar of the next days from stored snapshots."""

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
        snapshots = list(parsed(stored).values())
        events = upcoming_events(snapshots, guild.region, first, last)
        unchecked = len(refs) - sum(knows_dates(s, guild.region) for s in snapshots)
        return Upcoming(
            guild.id, guild.timezone, guild.region, first, last, events, len(refs), unchecked
        )

    async def for_member(self, user_id: int, days: int) -> Upcoming:
        """The member's personal follows in the next `days` days, in their time zone and region
        (from their notification settings; UTC and US for a member who has none)."""
        async with self._sessions() as session:
            state = await MemberSettingsRepository(session).get(user_id)
            settings = state.settings if state is not None else NotifySettings()
            first, last = window(self._clock(), settings.timezone, days)
            refs = [f.ref for f in await FollowRepository(session).list_for(user_id)]
            stored = await SnapshotRepository(session).across_scopes(refs)
        snapshots = list(tracking(stored, settings.region).values())
        events = upcoming_events(snapshots, settings.region, first, last)
        return Upcoming(
            member_calendar(user_id),
            settings.timezone,
            settings.region,
            first,
            last,
            events,
            len(refs),
            len(refs) - sum(knows_dates(s, settings.region) for s in snapshots),
        )
