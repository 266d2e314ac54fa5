"""Writing a member's watchlist and ratings: Letterboxd's import CSV, a full CSV, JSON."""

from __future__ import annotations

import csv
import enum
import io
import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from filmbot.domain.history.rows import SkippedLine
from filmbot.domain.models import MediaType, WatchlistItem

LETTERBOXD_COLUMNS = ("tmdbID", "Title", "Year", "Rating10", "WatchedDate", "Review")
FULL_COLUMNS = (
    "server_id",
    "media_type",
    "tmdb_id",
    "title",
    "priority",
    "watched",
    "added_at",
    "watched_at",
    "rating",
    "rated_at",
    "review",
    "notes",
)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
LETTERBOXD_WATCHLIST_FILENAME = "filmbot-letterboxd-watchlist.csv"


class ExportFormat(str, enum.Enum):
    """The formats /export writes."""

    LETTERBOXD = "letterboxd"
    CSV = "csv"
    JSON = "json"

    @property
    def filename(self) -> str:
        """The attachment's name."""
        suffix = "json" if self is ExportFormat.JSON else "csv"
        return f"filmbot-{self.value}.{suffix}" if self is not ExportFormat.CSV else "filmbot.csv"


def csv_safe(value: object) -> str:
    """A cell a spreadsheet will not run as a formula (a leading ' neutralises it)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def _csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([csv_safe(cell) for cell in row] for row in rows)
    return buffer.getvalue().encode("utf-8")


def _day(when: datetime | None) -> str:
    return when.date().isoformat() if when else ""


def _stamp(when: datetime | None) -> str | None:
    return when.isoformat() if when else None


def _seen(item: WatchlistItem) -> bool:
    """Watched, or rated (a rating says the member saw it; Letterboxd logs it as watched)."""
    return item.watched or item.rating is not None


def letterboxd_csv(items: Sequence[WatchlistItem]) -> bytes:
    """Watched films in the columns Letterboxd's importer reads (tmdbID identifies each).

    Letterboxd's importer logs every row as watched, so the watchlist is left out of this
    file: `letterboxd_watchlist_csv` writes it for Letterboxd's watchlist importer.
    """
    rows = [
        (
            item.tmdb_id,
            item.title,
            "",
            item.rating.score if item.rating else "",
            _day(item.watched_at or item.added_at),
            (item.rating.review or "") if item.rating else "",
        )
        for item in items
        if item.media_type is MediaType.MOVIE and _seen(item)
    ]
    return _csv(LETTERBOXD_COLUMNS, rows)


def letterboxd_watchlist_csv(items: Sequence[WatchlistItem]) -> bytes | None:
    """Films on the watchlist, not yet seen, for Letterboxd's watchlist importer (None: none).

    Neither WatchedDate nor Rating10 is set, which FilmBot's Letterboxd import reads back as
    the watchlist.
    """
    rows = [
        (item.tmdb_id, item.title, "", "", "", "")
        for item in items
        if item.media_type is MediaType.MOVIE and not _seen(item)
    ]
    return _csv(LETTERBOXD_COLUMNS, rows) if rows else None


def _record(item: WatchlistItem) -> dict[str, Any]:
    rating = item.rating
    return {
        "server_id": str(item.guild_id),
        "media_type": item.media_type.value,
        "tmdb_id": item.tmdb_id,
        "title": item.title,
        "priority": item.priority.name.lower(),
        "watched": item.watched,
        "added_at": _stamp(item.added_at),
        "watched_at": _stamp(item.watched_at),
        "rating": rating.score if rating else None,
        "rated_at": _stamp(rating.updated_at) if rating else None,
        "review": rating.review if rating else None,
        "notes": item.notes,
    }


def full_csv(items: Sequence[WatchlistItem]) -> bytes:
    """Everything FilmBot holds about each item, one row per item."""
    records = [_record(item) for item in items]
    return _csv(FULL_COLUMNS, [[r[c] for c in FULL_COLUMNS] for r in records])


def full_json(items: Sequence[WatchlistItem]) -> bytes:
    """Everything FilmBot holds about each item, as JSON."""
    records = [_record(item) for item in items]
    return json.dumps({"watchlist": records}, indent=2, ensure_ascii=False).encode("utf-8")


def render(fmt: ExportFormat, items: Sequence[WatchlistItem]) -> bytes:
    """The export file in `fmt`."""
    if fmt is ExportFormat.LETTERBOXD:
        return letterboxd_csv(items)
    if fmt is ExportFormat.CSV:
        return full_csv(items)
    return full_json(items)


def unmatched_csv(lines: Sequence[SkippedLine]) -> bytes:
    """The lines an import left out (file and line, title, reason), for the member to fix."""
    return _csv(("where", "title", "reason"), [(s.where, s.title, s.reason) for s in lines])
