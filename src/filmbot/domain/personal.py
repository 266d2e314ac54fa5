"""A member's notification settings: quiet hours, daily digests, and when each applies.

Times are wall-clock times in the member's IANA time zone, so quiet hours and digests follow
daylight-saving changes: 23:00 to 08:00 stays 23:00 to 08:00 local on the night the clocks
change (the night is an hour shorter or longer in UTC). A wall time that does not exist on a
day (skipped by the spring change) is read as the same wall time before the change, which
lands it the skipped hour later; a repeated one (the autumn change) is its first occurrence.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from filmbot.domain.errors import InvalidInputError
from filmbot.domain.guild_settings import parse_timezone
from filmbot.domain.models import TitleRef

DEFAULT_DIGEST_TIME = time(9, 0)
DIGEST_SPREAD_MINUTES = 60
_CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


class DigestMode(enum.StrEnum):
    """How a member's notifications are grouped; the values are the stored ones."""

    OFF = "off"
    DAILY = "daily"


def parse_clock(text: str) -> time:
    """Parse a 24-hour `HH:MM` time such as `23:00` or `07:30`."""
    match = _CLOCK.match(text.strip())
    if not match:
        raise InvalidInputError(
            f"`{text.strip()[:20]}` is not a time: use 24-hour `HH:MM`, such as `23:00`."
        )
    return time(int(match.group(1)), int(match.group(2)))


def parse_digest(text: str) -> DigestMode:
    """Parse `off` or `daily`."""
    try:
        return DigestMode(text.strip().lower())
    except ValueError:
        raise InvalidInputError("`digest` is `off` or `daily`.") from None


def format_clock(value: time) -> str:
    """Return `HH:MM`."""
    return f"{value.hour:02d}:{value.minute:02d}"


def local_instant(day: date, wall: time, zone: ZoneInfo) -> datetime:
    """The UTC instant at which the wall time `wall` of `day` happens in `zone`."""
    return datetime.combine(day, wall, tzinfo=zone).astimezone(UTC)


@dataclass(frozen=True, slots=True)
class NotifySettings:
    """A member's settings; quiet hours apply only when both ends are set and differ."""

    timezone: str = "UTC"
    quiet_start: time | None = None
    quiet_end: time | None = None
    digest: DigestMode = DigestMode.OFF
    region: str = "US"

    def __post_init__(self) -> None:
        """Normalise the time zone."""
        object.__setattr__(self, "timezone", parse_timezone(self.timezone))

    @property
    def zone(self) -> ZoneInfo:
        """The member's time zone."""
        return ZoneInfo(self.timezone)

    @property
    def has_quiet_hours(self) -> bool:
        """Whether quiet hours are set."""
        return (
            self.quiet_start is not None
            and self.quiet_end is not None
            and self.quiet_start != self.quiet_end
        )

    def is_quiet(self, now: datetime) -> bool:
        """Whether `now` falls in the member's quiet hours (local wall-clock time)."""
        return self.quiet_until(now) is not None

    def quiet_until(self, now: datetime) -> datetime | None:
        """When the quiet hours `now` falls in end (UTC), or None when it is not quiet."""
        if not self.has_quiet_hours or self.quiet_start is None or self.quiet_end is None:
            return None
        zone = self.zone
        local = now.astimezone(zone)
        today = local.date()
        # The quiet spell that started most recently: today's, or yesterday's (crossing midnight).
        for start_day in (today, today - timedelta(days=1)):
            start = local_instant(start_day, self.quiet_start, zone)
            end_day = start_day if self.quiet_end > self.quiet_start else start_day + timedelta(1)
            end = local_instant(end_day, self.quiet_end, zone)
            if start <= now < end:
                return end
        return None

    @property
    def digest_time(self) -> time:
        """The local time of the daily digest: the end of quiet hours, else 09:00."""
        return self.quiet_end if self.has_quiet_hours and self.quiet_end else DEFAULT_DIGEST_TIME

    def digest_due(self, now: datetime, user_id: int) -> date | None:
        """The member-local day whose digest is due at `now`, or None before today's is.

        Digests are spread over the hour after the digest time (by the member's id) so that
        thousands of members with the same settings are not all sent at once.
        """
        zone = self.zone
        today = now.astimezone(zone).date()
        spread = timedelta(minutes=user_id % DIGEST_SPREAD_MINUTES)
        due = local_instant(today, self.digest_time, zone) + spread
        return today if now >= due else None

    def next_delivery(self, now: datetime, user_id: int) -> datetime:
        """When a notification found at `now` goes out (now, the end of quiet hours, a digest)."""
        if self.digest is DigestMode.DAILY:
            zone = self.zone
            today = now.astimezone(zone).date()
            spread = timedelta(minutes=user_id % DIGEST_SPREAD_MINUTES)
            due = local_instant(today, self.digest_time, zone) + spread
            return (
                due
                if now < due
                else local_instant(today + timedelta(days=1), self.digest_time, zone) + spread
            )
        return self.quiet_until(now) or now

    def describe(self) -> str:
        """One line for /my-notifications."""
        quiet = (
            f"quiet {format_clock(self.quiet_start)}–{format_clock(self.quiet_end)}"
            if self.has_quiet_hours and self.quiet_start and self.quiet_end
            else "no quiet hours"
        )
        digest = (
            f"daily digest at {format_clock(self.digest_time)}"
            if self.digest is DigestMode.DAILY
            else "each notification as it is found"
        )
        return f"{self.timezone} · {quiet} · {digest}"


@dataclass(frozen=True, slots=True)
class PersonalFollow:
    """A member's personal follow of a title."""

    user_id: int
    ref: TitleRef
    title: str
    poster_path: str | None = None
    notify_release: bool = True
    notify_update: bool = True
    followed_at: datetime | None = None


class FollowLine(NamedTuple):
    """The columns of one personal follow that an update cycle needs."""

    user_id: int
    ref: TitleRef
    title: str
    poster_path: str | None
    notify_release: bool
    notify_update: bool


@dataclass(frozen=True, slots=True)
class MemberState:
    """A member's settings with the state of their direct messages."""

    user_id: int
    settings: NotifySettings
    dm_channel_id: int | None = None
    dm_blocked: bool = False
    block_told: bool = False
    digest_day: date | None = None


NOTIFY_ME_LABEL = "🔔 Notify me too"
NOTIFY_ME_TEMPLATE = r"filmbot:notify-me:(?P<media>movie|tv):(?P<tmdb_id>[0-9]{1,12})"
BUTTON_LABEL_LIMIT = 80


def notify_me_custom_id(ref: TitleRef) -> str:
    """The custom_id of the "Notify me too" button of a title (it names the title)."""
    return f"filmbot:notify-me:{ref.media_type.value}:{ref.tmdb_id}"


def notify_me_label(title: str, *, named: bool, base: str = NOTIFY_ME_LABEL) -> str:
    """The button's label; naming the title when a message announces several."""
    if not named:
        return base
    text = f"{base}: {title}"
    return text if len(text) <= BUTTON_LABEL_LIMIT else text[: BUTTON_LABEL_LIMIT - 1] + "…"
