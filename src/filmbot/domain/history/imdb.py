"""IMDb's ratings and watchlist CSV exports."""

from __future__ import annotations

from filmbot.domain.history.files import CsvLines, LineResult, each_line, require_columns
from filmbot.domain.history.rows import HistoryRow, ParsedHistory, SkippedLine
from filmbot.domain.history.values import imdb_id_of, moment_of, ten_scale, year_of
from filmbot.domain.models import MediaType

TV_TYPES = {"tvseries", "tvminiseries", "tv series", "tv mini series", "tv mini-series"}
EPISODE_TYPES = {"tvepisode", "tv episode"}
MOVIE_TYPES = {
    "movie",
    "tvmovie",
    "tv movie",
    "short",
    "tvshort",
    "tv short",
    "video",
    "tvspecial",
    "tv special",
    "",
}


def parse(name: str, header: list[str], lines: CsvLines, parsed: ParsedHistory) -> None:
    """Read an IMDb ratings or watchlist CSV into `parsed`."""
    require_columns(name, header, ("Const", "Title"), "IMDb")
    watchlist = "Position" in header or "watchlist" in name
    each_line(name, lines, parsed, lambda where, cells: _line(where, cells, watchlist))


def _line(where: str, cells: dict[str, str], watchlist: bool) -> LineResult:
    title = cells.get("Title", "")
    imdb_id = imdb_id_of(cells.get("Const"))
    if imdb_id is None:
        return SkippedLine(where, "no IMDb id (Const tt…)", title)
    kind = cells.get("Title Type", "").strip().lower()
    if kind not in MOVIE_TYPES | TV_TYPES | EPISODE_TYPES:
        return SkippedLine(where, f"a {cells.get('Title Type')} is not a film or TV show", title)
    try:
        score = ten_scale(cells.get("Your Rating", ""))
    except ValueError as exc:
        return SkippedLine(where, str(exc), title)
    rated_at = moment_of(cells.get("Date Rated")) if score is not None else None
    watched = score is not None or not watchlist
    return HistoryRow(
        where=where,
        title=title or imdb_id,
        year=year_of(cells.get("Year")),
        media_type=MediaType.TV if kind in TV_TYPES | EPISODE_TYPES else MediaType.MOVIE,
        imdb_id=imdb_id,
        watched=watched,
        watched_at=rated_at,
        score=score,
        rated_at=rated_at,
        on_watchlist=not watched,
        episode=kind in EPISODE_TYPES,
    )
