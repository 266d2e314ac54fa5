"""Letterboxd's export CSVs, and the import format its importer reads (tmdbID, Rating10...)."""

from __future__ import annotations

from filmbot.domain.history.files import CsvLines, LineResult, each_line, require_columns
from filmbot.domain.history.rows import HistoryFileError, HistoryRow, ParsedHistory, SkippedLine
from filmbot.domain.history.values import (
    clean_text,
    moment_of,
    positive_int,
    stars_to_score,
    ten_scale,
    year_of,
)
from filmbot.domain.models import MediaType

KINDS = ("ratings", "watched", "watchlist", "diary", "reviews")
IMPORTER = "importer"
MAX_REVIEW = 2000


def kind_of(name: str, header: list[str], *, by_name_only: bool) -> str | None:
    """Which export file this is: by its name, else (a lone upload) by its columns."""
    stem = name.removesuffix(".csv")
    if stem in KINDS:
        return stem
    if by_name_only:
        return None
    if "tmdbID" in header or "Rating10" in header or "WatchedDate" in header:
        return IMPORTER
    for column, kind in (("Review", "reviews"), ("Watched Date", "diary"), ("Rating", "ratings")):
        if column in header:
            return kind
    return "watchlist" if "watchlist" in stem else "watched"


def parse(name: str, kind: str, header: list[str], lines: CsvLines, parsed: ParsedHistory) -> None:
    """Read one Letterboxd CSV into `parsed`."""
    if kind == IMPORTER:
        if "Title" not in header and "tmdbID" not in header:
            raise HistoryFileError(f"{name} does not look like a Letterboxd file (no Title).")
        each_line(name, lines, parsed, _importer_line)
        return
    require_columns(name, header, ("Name", "Year"), "Letterboxd")
    each_line(name, lines, parsed, lambda where, cells: _export_line(kind, where, cells))


def _export_line(kind: str, where: str, cells: dict[str, str]) -> LineResult:
    title = cells.get("Name", "")
    if not title:
        return SkippedLine(where, "no film name")
    try:
        score = stars_to_score(cells.get("Rating", ""))
    except ValueError as exc:
        return SkippedLine(where, str(exc), title)
    logged = moment_of(cells.get("Date"))
    # ratings.csv's Date is when the film was rated; the others' is when it was logged.
    watched_on = moment_of(cells.get("Watched Date")) or (None if kind == "ratings" else logged)
    watchlist = kind == "watchlist"
    return HistoryRow(
        where=where,
        title=title,
        year=year_of(cells.get("Year")),
        media_type=MediaType.MOVIE,
        watched=not watchlist,
        watched_at=None if watchlist else watched_on,
        score=score,
        rated_at=logged if score is not None else None,
        review=clean_text(cells.get("Review", ""), MAX_REVIEW),
        on_watchlist=watchlist,
    )


def _importer_line(where: str, cells: dict[str, str]) -> LineResult:
    """A line of the format Letterboxd's importer reads (FilmBot's Letterboxd export)."""
    title = cells.get("Title", "")
    tmdb_id = positive_int(cells.get("tmdbID"))
    if not title and tmdb_id is None:
        return SkippedLine(where, "no title and no tmdbID")
    try:
        score = ten_scale(cells.get("Rating10", ""))
        if score is None and cells.get("Rating"):
            score = stars_to_score(cells["Rating"])
    except ValueError as exc:
        return SkippedLine(where, str(exc), title)
    watched_at = moment_of(cells.get("WatchedDate"))
    watched = watched_at is not None or score is not None
    return HistoryRow(
        where=where,
        title=title or f"tmdb:{tmdb_id}",
        year=year_of(cells.get("Year")),
        media_type=MediaType.MOVIE,
        tmdb_id=tmdb_id,
        imdb_id=cells.get("imdbID") or None,
        watched=watched,
        watched_at=watched_at,
        score=score,
        rated_at=moment_of(cells.get("RatedDate")) or watched_at,
        review=clean_text(cells.get("Review", ""), MAX_REVIEW),
        on_watchlist=not watched,
    )
