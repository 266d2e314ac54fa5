"""Trakt's JSON export files (watched, ratings, watchlist and history; movies, shows, episodes)."""

from __future__ import annotations

from typing import Any

from filmbot.domain.history.files import MAX_ROWS
from filmbot.domain.history.rows import HistoryFileError, HistoryRow, ParsedHistory, SkippedLine
from filmbot.domain.history.values import (
    clean_text,
    imdb_id_of,
    moment_of,
    positive_int,
    ten_scale,
    year_of,
)
from filmbot.domain.models import MediaType

MEDIA_KEYS = {"movie": MediaType.MOVIE, "show": MediaType.TV}
TITLE_KEYS = ("movie", "show", "episode", "season")


def parse(name: str, data: Any, parsed: ParsedHistory) -> None:
    """Read one Trakt JSON file (a list of entries) into `parsed`."""
    if not isinstance(data, list) or any(not isinstance(e, dict) for e in data[:50]):
        raise HistoryFileError(f"{name} is not a Trakt export (expected a list of entries).")
    if data and not any(key in entry for entry in data[:50] for key in TITLE_KEYS):
        raise HistoryFileError(f"{name} is not a Trakt export (no movie or show entries).")
    watchlist = "watchlist" in name
    for index, entry in enumerate(data, start=1):
        result = _entry(f"{name}#{index}", entry, watchlist)
        if isinstance(result, HistoryRow):
            parsed.rows.append(result)
        else:
            parsed.skipped.append(result)
        if len(parsed.rows) + len(parsed.skipped) > MAX_ROWS:
            raise HistoryFileError(f"That file has more than {MAX_ROWS:,} rows; split it up.")


def _entry(where: str, entry: Any, watchlist: bool) -> HistoryRow | SkippedLine:
    if not isinstance(entry, dict):
        return SkippedLine(where, "not a Trakt entry")
    episode = "episode" in entry or "season" in entry or entry.get("type") in ("episode", "season")
    key = "show" if episode or "show" in entry else "movie"
    item = entry.get(key)
    if not isinstance(item, dict):
        return SkippedLine(where, "neither a movie nor a show")
    title = clean_text(str(item.get("title") or ""), 255) or ""
    raw_ids = item.get("ids")
    ids: dict[str, Any] = raw_ids if isinstance(raw_ids, dict) else {}
    tmdb_id, imdb_id = positive_int(ids.get("tmdb")), imdb_id_of(ids.get("imdb"))
    if not title and tmdb_id is None and imdb_id is None:
        return SkippedLine(where, "no title and no ids")
    try:
        score = None if episode else ten_scale(entry.get("rating"))
    except ValueError as exc:
        return SkippedLine(where, str(exc), title)
    listed = watchlist or ("listed_at" in entry and "rating" not in entry)
    seen = _watched_at(entry)
    watched = not listed and (score is not None or seen is not None or "plays" in entry or episode)
    return HistoryRow(
        where=where,
        title=title or f"{key} {tmdb_id or imdb_id}",
        year=year_of(item.get("year")),
        media_type=MEDIA_KEYS[key],
        tmdb_id=tmdb_id,
        imdb_id=imdb_id,
        watched=watched,
        watched_at=seen if watched else None,
        score=score,
        rated_at=moment_of(entry.get("rated_at")) if score is not None else None,
        on_watchlist=not watched,
        episode=episode,
    )


def _watched_at(entry: dict[str, Any]) -> Any:
    for field in ("last_watched_at", "watched_at"):
        when = moment_of(entry.get(field))
        if when is not None:
            return when
    return moment_of(entry.get("rated_at"))
