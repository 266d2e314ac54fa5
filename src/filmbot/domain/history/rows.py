"""What one line of an exported history says, and merging lines about the same title."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from datetime import datetime

from filmbot.domain.errors import FilmBotError, InvalidInputError
from filmbot.domain.models import MediaType, TitleRef


class Source(str, enum.Enum):
    """A service whose export files FilmBot reads."""

    LETTERBOXD = "letterboxd"
    IMDB = "imdb"
    TRAKT = "trakt"

    @property
    def label(self) -> str:
        """The service's name as it spells it."""
        return {"letterboxd": "Letterboxd", "imdb": "IMDb", "trakt": "Trakt"}[self.value]


class HistoryFileError(InvalidInputError):
    """The file cannot be imported at all (wrong kind, too big, damaged)."""

    user_message = "That file cannot be imported."


@dataclass(frozen=True, slots=True)
class HistoryRow:
    """One title as an export file describes it, ratings already on FilmBot's 1-10 scale."""

    where: str
    title: str
    year: int | None = None
    media_type: MediaType | None = None
    tmdb_id: int | None = None
    imdb_id: str | None = None
    watched: bool = False
    watched_at: datetime | None = None
    score: int | None = None
    rated_at: datetime | None = None
    review: str | None = None
    on_watchlist: bool = False
    episode: bool = False

    @property
    def identity(self) -> tuple[object, ...]:
        """What makes two lines speak of the same title before it is matched."""
        if self.tmdb_id is not None:
            return ("tmdb", self.media_type, self.tmdb_id)
        if self.imdb_id:
            return ("imdb", self.imdb_id)
        return ("title", self.media_type, self.title.casefold().strip(), self.year)

    @property
    def label(self) -> str:
        """E.g. 'Arrival (2016)'."""
        return f"{self.title} ({self.year})" if self.year else self.title


@dataclass(frozen=True, slots=True)
class SkippedLine:
    """A line left out of the import, and why."""

    where: str
    reason: str
    title: str = ""


@dataclass(slots=True)
class ParsedHistory:
    """The rows of one uploaded file, and the lines that could not be read."""

    source: Source
    rows: list[HistoryRow] = field(default_factory=list)
    skipped: list[SkippedLine] = field(default_factory=list)


def _later(a: datetime | None, b: datetime | None) -> datetime | None:
    if a is None or b is None:
        return a or b
    return max(a, b)


def combine(a: HistoryRow, b: HistoryRow) -> HistoryRow:
    """Merge two lines about one title: watched if either says so, the newest rating wins."""
    newer_rating = b if b.score is not None and (a.score is None or _newer(b, a)) else a
    return replace(
        a,
        year=a.year or b.year,
        media_type=a.media_type or b.media_type,
        tmdb_id=a.tmdb_id or b.tmdb_id,
        imdb_id=a.imdb_id or b.imdb_id,
        watched=a.watched or b.watched,
        watched_at=_later(a.watched_at, b.watched_at),
        score=newer_rating.score,
        rated_at=newer_rating.rated_at,
        review=b.review if b.review and (not a.review or _newer(b, a)) else a.review,
        on_watchlist=a.on_watchlist or b.on_watchlist,
        episode=a.episode and b.episode,
    )


def _newer(b: HistoryRow, a: HistoryRow) -> bool:
    if b.rated_at is None:
        return a.rated_at is None
    return a.rated_at is None or b.rated_at >= a.rated_at


def merge_rows(rows: list[HistoryRow]) -> list[HistoryRow]:
    """One row per title (by id or title and year), in first-seen order."""
    merged: dict[tuple[object, ...], HistoryRow] = {}
    for row in rows:
        key = row.identity
        merged[key] = combine(merged[key], row) if key in merged else row
    return list(merged.values())


class Outcome(str, enum.Enum):
    """What importing one title did to the member's watchlist."""

    ADDED = "added"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    OVER_LIMIT = "over_limit"


@dataclass(frozen=True, slots=True)
class MatchedEntry:
    """A title to write: the merged lines of the file that matched it."""

    ref: TitleRef
    title: str
    watched: bool
    watched_at: datetime | None = None
    score: int | None = None
    rated_at: datetime | None = None
    review: str | None = None

    @classmethod
    def of(cls, ref: TitleRef, title: str, row: HistoryRow) -> MatchedEntry:
        """The entry for a matched row."""
        return cls(ref, title, row.watched, row.watched_at, row.score, row.rated_at, row.review)


class ImportBusyError(FilmBotError):
    """The member already has an import running."""

    user_message = "Your previous import is still running; wait for its summary, then try again."
