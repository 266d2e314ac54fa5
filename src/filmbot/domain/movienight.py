"""Movie-night polls: Discord's poll limits, parsing the start time, and choosing the winner."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from filmbot.domain.errors import InvalidInputError
from filmbot.domain.limits import ELLIPSIS, clip

POLL_QUESTION = "What do we watch?"
QUESTION_LIMIT = 300
ANSWER_TEXT_LIMIT = 55
MAX_ANSWERS = 10
MIN_CANDIDATES = 2
MIN_HOURS, MAX_HOURS, DEFAULT_HOURS = 1, 168, 24
DISCORD_MAX_HOURS = 768
STARTS_AT_FORMAT = "YYYY-MM-DD HH:MM"
EVENT_LENGTH_WITHOUT_RUNTIME = timedelta(hours=2)
OPEN, ANNOUNCING, DONE, GONE = "open", "announcing", "done", "gone"
_STARTS_AT = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})\s+(\d{1,2}):(\d{2})\s*$")


@dataclass(frozen=True, slots=True)
class Candidate:
    """One answer of a movie-night poll; `rank` is its place in the tie-break order."""

    answer_id: int
    media_type: str
    tmdb_id: int
    title: str
    rank: int


@dataclass(frozen=True, slots=True)
class Outcome:
    """Who won a poll: the winner, its votes, and the titles it was tied with."""

    winner: Candidate
    votes: int
    tied_with: tuple[Candidate, ...]
    total_votes: int


def check_hours(hours: int) -> int:
    """Refuse a poll length outside 1..168 hours."""
    if not MIN_HOURS <= hours <= MAX_HOURS:
        raise InvalidInputError(
            f"A movie-night poll runs from {MIN_HOURS} to {MAX_HOURS} hours (one week)."
        )
    return hours


def answer_text(title: str, year: int | None = None) -> str:
    """A poll answer within Discord's 55 characters: the year kept, the title shortened."""
    name = " ".join((title or "Untitled").split())
    suffix = f" ({year})" if year else ""
    if len(name) + len(suffix) <= ANSWER_TEXT_LIMIT:
        return name + suffix
    shortened = clip(name, ANSWER_TEXT_LIMIT - len(suffix))
    if not shortened.endswith(ELLIPSIS):
        shortened = shortened[: ANSWER_TEXT_LIMIT - len(suffix) - 1] + ELLIPSIS
    return shortened + suffix


def question_text(text: str = POLL_QUESTION) -> str:
    """The poll question within Discord's 300 characters."""
    return clip(text, QUESTION_LIMIT)


def split_candidates(text: str) -> list[str]:
    """Split the `candidates` option on commas; refuse fewer than 2 or more than 10."""
    parts = list(dict.fromkeys(p.strip() for p in (text or "").split(",") if p.strip()))
    if len(parts) > MAX_ANSWERS:
        raise InvalidInputError(f"A poll takes at most {MAX_ANSWERS} titles.")
    check_enough(len(parts))
    return parts


def check_enough(count: int) -> None:
    """Refuse a poll with fewer than two titles."""
    if count < MIN_CANDIDATES:
        raise InvalidInputError(
            "A movie night needs at least 2 titles: list them in `candidates` "
            "or add them with /server-watchlist-add."
        )


def parse_starts_at(text: str, timezone: str, *, now: datetime, after: datetime) -> datetime:
    """Parse `YYYY-MM-DD HH:MM` in the server's timezone to UTC.

    Refuses other formats, times that do not exist on that day (clocks going forward), and
    times before `after` (the poll's end). An hour that happens twice when clocks go back
    means its first occurrence.
    """
    match = _STARTS_AT.match(text or "")
    if match is None:
        raise InvalidInputError(f"Give the start as `{STARTS_AT_FORMAT}`, e.g. `2026-12-24 20:00`.")
    try:
        year, month, day, hour, minute = (int(part) for part in match.groups())
        naive = datetime(year, month, day, hour, minute)
    except ValueError:
        raise InvalidInputError(f"`{text.strip()}` is not a real date and time.") from None
    zone = ZoneInfo(timezone)
    local = naive.replace(tzinfo=zone, fold=0)
    instant = local.astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) != naive:
        raise InvalidInputError(
            f"{naive:%Y-%m-%d %H:%M} does not exist in {timezone} (the clocks skip it)."
        )
    if instant <= now:
        raise InvalidInputError("The start time is in the past.")
    if instant < after:
        raise InvalidInputError("The movie night must start after the poll closes.")
    return instant


def tally(candidates: list[Candidate], counts: dict[int, int]) -> Outcome:
    """The most-voted candidate; a tie goes to the one earliest in the tie-break order."""
    ranked = sorted(candidates, key=lambda c: (-counts.get(c.answer_id, 0), c.rank))
    winner = ranked[0]
    votes = counts.get(winner.answer_id, 0)
    tied = tuple(c for c in ranked[1:] if counts.get(c.answer_id, 0) == votes)
    return Outcome(winner, votes, tied, sum(counts.get(c.answer_id, 0) for c in candidates))


def event_end(start: datetime, runtime_minutes: int | None) -> datetime:
    """When the event ends: the film's runtime after the start, or two hours without one."""
    if runtime_minutes:
        return start + timedelta(minutes=runtime_minutes)
    return start + EVENT_LENGTH_WITHOUT_RUNTIME


@dataclass(frozen=True, slots=True)
class MovieNight:
    """A poll the bot posted and will announce the winner of."""

    id: int
    guild_id: int
    channel_id: int
    message_id: int
    candidates: tuple[Candidate, ...]
    expires_at: datetime
    starts_at: datetime | None
    status: str

    @property
    def tried(self) -> bool:
        """Whether an earlier finish claimed the poll and did not complete it."""
        return self.status == ANNOUNCING


def announcement(outcome: Outcome, escape: Callable[[str], str] = str) -> str:
    """The winner's announcement (titles passed through `escape`); a tie says how it broke."""
    name = f"**{escape(outcome.winner.title)}**"
    if outcome.total_votes == 0:
        return (
            f"🍿 The poll has closed with no votes: {name} wins, "
            "as the earliest of the tied titles on the server watchlist."
        )
    votes = f"{outcome.votes} vote{'s' if outcome.votes != 1 else ''}"
    if not outcome.tied_with:
        return f"🍿 The votes are in: {name} wins with {votes} of {outcome.total_votes}!"
    others = ", ".join(f"**{escape(c.title)}**" for c in outcome.tied_with)
    return (
        f"🍿 It's a tie between {name} and {others} ({votes} each): {name} wins, "
        "as the earliest of them on the server watchlist."
    )
