"""Member-to-member recommendations and the activity feed: pure rules."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from filmbot.domain.errors import InvalidInputError, LimitReachedError
from filmbot.domain.limits import ELLIPSIS, clip
from filmbot.domain.models import TitleRef

MAX_NOTE_LENGTH = 200
DAILY_RECOMMENDATIONS = 5
RATE_WINDOW = timedelta(days=1)
FEED_REVIEW_LENGTH = 150
FEED_TITLE_LENGTH = 100


@dataclass(frozen=True, slots=True)
class MemberPreferences:
    """What a member allows: recommendations from others (on by default), feed posts (off)."""

    recommendations: bool = True
    activity: bool = False


@dataclass(frozen=True, slots=True)
class MemberRecommendation:
    """A title one member recommended to another in one server."""

    id: int
    guild_id: int
    sender_id: int
    sender_name: str
    recipient_id: int
    ref: TitleRef
    title: str
    note: str | None
    created_at: datetime
    shown_at: datetime | None = None

    @property
    def line(self) -> str:
        """How the recipient sees it."""
        return recommendation_line(self.sender_name, self.title, self.note)


def check_recipient(sender_id: int, recipient_id: int, *, recipient_is_bot: bool) -> None:
    """Refuse recommending to yourself or to a bot."""
    if recipient_is_bot:
        raise InvalidInputError("Bots can't receive recommendations.")
    if sender_id == recipient_id:
        raise InvalidInputError("You can't recommend a title to yourself; try /watchlist-add.")


def clean_note(note: str | None) -> str | None:
    """The note on one line, or None; refuse notes over MAX_NOTE_LENGTH characters."""
    text = " ".join((note or "").split())
    if len(text) > MAX_NOTE_LENGTH:
        raise InvalidInputError(f"A note can be up to {MAX_NOTE_LENGTH} characters.")
    return text or None


def sends_left(
    sent_at: Iterable[datetime], now: datetime, limit: int = DAILY_RECOMMENDATIONS
) -> int:
    """How many more recommendations a sender may send one recipient in the last 24 hours."""
    since = now - RATE_WINDOW
    return max(0, limit - sum(1 for moment in sent_at if moment > since))


def check_rate(
    sent_at: Iterable[datetime], now: datetime, limit: int = DAILY_RECOMMENDATIONS
) -> None:
    """Refuse one more recommendation when the sender used up the day's allowance."""
    if sends_left(sent_at, now, limit) <= 0:
        raise LimitReachedError(
            f"You have sent this member {limit} recommendations in the last 24 hours; "
            "try again tomorrow."
        )


def recommendation_line(sender: str, title: str, note: str | None) -> str:
    """`Alice recommends Arrival: 'you'll love the linguistics'`."""
    quoted = f": '{note}'" if note else ""
    return f"{sender} recommends {clip(title, FEED_TITLE_LENGTH)}{quoted}"


class FeedKind(str, enum.Enum):
    """What a member did."""

    RATED = "rated"
    REVIEWED = "reviewed"
    WATCHED = "watched"


@dataclass(frozen=True, slots=True)
class Activity:
    """One thing a member did that the activity feed can tell the server."""

    kind: FeedKind
    member: str
    title: str
    score: int | None = None
    review: str | None = None
    spoilers: bool = False


def first_line(text: str, limit: int = FEED_REVIEW_LENGTH) -> str:
    """The first line of the text, clipped to `limit` characters ('…' when anything was cut)."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    if not lines:
        return ""
    more = len(lines) > 1
    line = clip(lines[0], limit - 1 if more else limit)
    if more and not line.endswith(ELLIPSIS):
        line += ELLIPSIS
    return line


def spoiler(text: str) -> str:
    """Hide the text behind Discord's spoiler bars (bars inside it cannot close them early)."""
    return "||" + text.replace("|", "¦") + "||"


def feed_line(activity: Activity) -> str:
    """`Bob rated Dune: Part Two 9/10`, with a one-line review, spoiler-guarded when asked."""
    title = clip(activity.title, FEED_TITLE_LENGTH)
    if activity.kind is FeedKind.WATCHED:
        return f"{activity.member} watched {title}"
    line = f"{activity.member} {activity.kind.value} {title} {activity.score}/10"
    review = first_line(activity.review or "")
    if activity.kind is FeedKind.REVIEWED and review:
        shown = spoiler(review) if activity.spoilers else review
        line += f": “{shown}”"
    return line
