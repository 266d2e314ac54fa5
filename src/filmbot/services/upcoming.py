"""/upcoming and /my-upcoming: what a server's subscriptions, or a member's personal follows,
bring soon, read from the update engine's snapshots.

Nothing here calls TMDB: the update cycle already fetched every subscribed or followed title and
stored what it learned, and that is what the calendar shows.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from filmbot.db.repositories import SubscriptionRepository
from filmbot.db.repositories.personal import FollowRepository, MemberSettingsRepository
from filmbot.db.repositories.snapshots import SnapshotRepository
from filmbot.db.session import Sessions
from filmbot.domain.clock import Clock, utcnow
from filmbot.domain.models import Guild, TitleRef
from filmbot.domain.personal import NotifySettings
from filmbot.domain.upcoming import (
    UpcomingEvent,
    knows_dates,
    member_calendar,
    upcoming_events,
    window,
)
from filmbot.domain.updates import StoredSnapshot, TitleSnapshot

log = logging.getLogger(__name__)


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
        snapshots = _parsed(stored)
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
        snapshots = _tracking(stored, settings.region)
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


def _parsed(stored: Mapping[TitleRef, StoredSnapshot]) -> list[TitleSnapshot]:
    """The stored snapshots read back, skipping unreadable ones."""
    snapshots = (_read(ref, snapshot) for ref, snapshot in stored.items())
    return [snapshot for snapshot in snapshots if snapshot is not None]


def _tracking(stored: Mapping[TitleRef, list[StoredSnapshot]], region: str) -> list[TitleSnapshot]:
    """Each title's newest snapshot that tracks the region, else its newest readable one.

    Scopes keep the regions of their own followers, so the newest copy of a title may have
    been stored by a process whose servers are elsewhere.
    """
    chosen = []
    for ref, copies in stored.items():
        readable = [s for s in (_read(ref, copy) for copy in copies) if s is not None]
        best = next((s for s in readable if s.covers(region)), readable[0] if readable else None)
        if best is not None:
            chosen.append(best)
    return chosen


def _read(ref: TitleRef, stored: StoredSnapshot) -> TitleSnapshot | None:
    try:
        return TitleSnapshot.from_dict(stored.data, ref)
    except (TypeError, ValueError):
        log.warning("Skipping an unreadable stored snapshot of %s", ref)
        return None
