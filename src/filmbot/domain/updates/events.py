"""The vocabulary of update detection: guild preferences, event kinds and events."""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from filmbot.domain.errors import InvalidInputError
from filmbot.domain.guild_settings import parse_region, parse_timezone
from filmbot.domain.models import Guild, TitleRef
from filmbot.domain.windows import (
    DEFAULT_EPISODE_NOTIFY_DAYS,
    DEFAULT_RELEASE_NOTIFY_DAYS,
    DEFAULT_UPCOMING_NOTIFY_DAYS,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class GuildPrefs:
    """The per-server settings that decide when an update is due."""

    region: str = "US"
    timezone: str = "UTC"
    release_notify_days: int = DEFAULT_RELEASE_NOTIFY_DAYS
    episode_notify_days: int = DEFAULT_EPISODE_NOTIFY_DAYS
    upcoming_notify_days: int = DEFAULT_UPCOMING_NOTIFY_DAYS

    def __post_init__(self) -> None:
        """Normalise region and time zone by the /config rules; reject negative windows."""
        object.__setattr__(self, "region", parse_region(self.region))
        object.__setattr__(self, "timezone", parse_timezone(self.timezone))
        windows = (self.release_notify_days, self.episode_notify_days, self.upcoming_notify_days)
        if min(windows) < 0:
            raise InvalidInputError("Notification windows must be zero or more days.")

    @classmethod
    def for_guild(cls, guild: Guild) -> GuildPrefs:
        """Return the guild's prefs, using US/UTC in place of unusable stored values."""
        region, zone = guild.region, guild.timezone
        try:
            region = parse_region(region)
        except InvalidInputError as exc:
            log.warning("guild %s: using region US instead: %s", guild.id, exc)
            region = "US"
        try:
            zone = parse_timezone(zone)
        except InvalidInputError as exc:
            log.warning("guild %s: using time zone UTC instead: %s", guild.id, exc)
            zone = "UTC"
        return cls(region=region, timezone=zone)

    @property
    def zone(self) -> ZoneInfo:
        """The guild's time zone."""
        return ZoneInfo(self.timezone)

    def today(self, now: datetime) -> date:
        """Return the guild's calendar date at the instant `now`."""
        if now.tzinfo is None:
            raise ValueError("now must be timezone-aware")
        return now.astimezone(self.zone).date()

    def start_of(self, day: date) -> datetime:
        """Return the UTC instant at which `day` starts in the guild's time zone."""
        return datetime.combine(day, time.min, tzinfo=self.zone).astimezone(UTC)


class EventKind(str, enum.Enum):
    """What happened to a subscribed title."""

    RELEASE = "release"
    UPCOMING = "upcoming"
    NEW_EPISODE = "new_episode"
    EPISODE_AIRED = "episode_aired"
    STATUS_CHANGE = "status_change"
    TITLE_REMOVED = "title_removed"
    STREAMING = "streaming"
    NEW_TITLE = "new_title"


RELEASE_FLAG_KINDS = frozenset({EventKind.RELEASE, EventKind.UPCOMING, EventKind.STREAMING})
UPDATE_FLAG_KINDS = frozenset(
    {EventKind.NEW_EPISODE, EventKind.EPISODE_AIRED, EventKind.STATUS_CHANGE}
)


@dataclass(frozen=True, slots=True)
class UpdateEvent:
    """One notification a subscription may receive.

    `due_from` and `due_until` are guild-local dates, both inclusive: the event may be sent
    on any day in between; after `due_until` it is missed and must not be sent late.
    The engine deduplicates on (subscription, kind, event_key). `facts` holds the values
    notification templates fill in beyond the title and date (year, season, episode,
    episode_title, network, status), as (name, text) pairs.
    """

    kind: EventKind
    ref: TitleRef
    title: str
    event_key: str
    event_date: date
    due_from: date
    due_until: date
    headline: str
    detail: str = ""
    poster_path: str | None = None
    facts: tuple[tuple[str, str], ...] = ()


def is_expired(event: UpdateEvent, prefs: GuildPrefs, now: datetime) -> bool:
    """Tell whether the event's window has closed in the guild's time zone."""
    return prefs.today(now) > event.due_until
