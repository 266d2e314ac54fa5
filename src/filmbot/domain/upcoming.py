"""What a server's subscriptions bring in the next days: pure rules over stored snapshots.

Air and release dates from TMDB are calendar dates without a time, so an event's day is that date
as it stands; the window ("the next 14 days") starts on today's date in the server's timezone.
"""

from __future__ import annotations

import hashlib
import itertools
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from filmbot.domain.errors import InvalidInputError
from filmbot.domain.models import MediaType, TitleRef
from filmbot.domain.updates.snapshot import EpisodeInfo, TitleSnapshot

DEFAULT_DAYS = 14
MAX_DAYS = 60
UID_DOMAIN = "filmbot"


@dataclass(frozen=True, slots=True)
class UpcomingEvent:
    """One release of a film or one episode of a show, on one day."""

    day: date
    ref: TitleRef
    title: str
    kind: str
    season: int | None = None
    episode: int | None = None
    episode_name: str = ""

    @property
    def summary(self) -> str:
        """One line naming the event: `Dune (theatrical release)` or `Severance S02E05 · Name`."""
        if self.season is None or self.episode is None:
            return f"{self.title} ({self.kind} release)"
        code = f"S{self.season:02d}E{self.episode:02d}"
        name = f" · {self.episode_name}" if self.episode_name else ""
        return f"{self.title} {code}{name}"


def check_days(days: int) -> int:
    """Refuse a window outside 1..MAX_DAYS days."""
    if not 1 <= days <= MAX_DAYS:
        raise InvalidInputError(f"`days` goes from 1 to {MAX_DAYS}.")
    return days


def window(now: datetime, timezone: str, days: int) -> tuple[date, date]:
    """The first and last day of the next `days` days, counted from today in `timezone`."""
    check_days(days)
    today = now.astimezone(zoneinfo.ZoneInfo(timezone)).date()
    return today, today + timedelta(days=days - 1)


def upcoming_events(
    snapshots: Iterable[TitleSnapshot], region: str, first: date, last: date
) -> list[UpcomingEvent]:
    """Every film release in `region` and every known episode from `first` to `last`, by day."""
    events: set[UpcomingEvent] = set()
    for snapshot in snapshots:
        found = (
            _releases(snapshot, region)
            if snapshot.ref.media_type is MediaType.MOVIE
            else _episodes(snapshot)
        )
        events.update(event for event in found if first <= event.day <= last)
    return sorted(events, key=lambda e: (e.day, e.title.casefold(), e.season or 0, e.episode or 0))


def knows_dates(snapshot: TitleSnapshot, region: str) -> bool:
    """Whether the snapshot can tell the title's dates in the region.

    Episodes air on one date everywhere; a film's dates are known in the regions its snapshot
    tracks (a server that just changed region waits for the next update check).
    """
    return snapshot.ref.media_type is MediaType.TV or snapshot.covers(region)


def by_day(events: Iterable[UpcomingEvent]) -> list[tuple[date, list[UpcomingEvent]]]:
    """Group events (already in day order) under their day."""
    return [(day, list(group)) for day, group in itertools.groupby(events, key=lambda e: e.day)]


def member_calendar(user_id: int) -> str:
    """What a member's own calendar (/my-upcoming) is named by in its UIDs."""
    return f"member:{user_id}"


def event_uid(owner: int | str, event: UpcomingEvent) -> str:
    """A UID that names the event, not its date, so a re-import updates a moved event.

    It is made of the calendar's owner (a server id, or `member_calendar` of a member, so a
    member's calendar never shares UIDs with a server's), the title, the kind of event and
    the season and episode.
    """
    episode = "" if event.season is None else f"s{event.season}e{event.episode}"
    key = f"{owner}|{event.ref}|{event.kind}|{episode}"
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    return f"{digest}@{UID_DOMAIN}"


def _releases(snapshot: TitleSnapshot, region: str) -> list[UpcomingEvent]:
    """The film's releases in the region; its primary date when TMDB lists none there.

    None when the snapshot does not track the region: its primary date could be wrong there.
    """
    if not snapshot.covers(region):
        return []
    regional = snapshot.release_dates.get(region.upper(), ())
    if regional:
        return [
            UpcomingEvent(release.date, snapshot.ref, snapshot.title, release.type.label)
            for release in regional
        ]
    if snapshot.release_date is None:
        return []
    return [UpcomingEvent(snapshot.release_date, snapshot.ref, snapshot.title, "primary")]


def _episodes(snapshot: TitleSnapshot) -> list[UpcomingEvent]:
    """The show's next (and last, when it is still to come) episode with an air date."""
    known = (snapshot.next_episode_to_air, snapshot.last_episode_to_air)
    return [_episode(snapshot, e) for e in known if e is not None and e.air_date is not None]


def _episode(snapshot: TitleSnapshot, episode: EpisodeInfo) -> UpcomingEvent:
    assert episode.air_date is not None
    return UpcomingEvent(
        episode.air_date,
        snapshot.ref,
        snapshot.title,
        "episode",
        episode.season_number,
        episode.episode_number,
        episode.name,
    )
