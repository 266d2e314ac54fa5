"""Export a member's watchlist and ratings in one server as a file."""

from __future__ import annotations

from dataclasses import dataclass

from filmbot.db.repositories import WatchlistRepository
from filmbot.db.session import Sessions
from filmbot.domain.history.export import (
    LETTERBOXD_WATCHLIST_FILENAME,
    ExportFormat,
    letterboxd_watchlist_csv,
    render,
)
from filmbot.domain.models import MediaType


@dataclass(frozen=True, slots=True)
class ExportFile:
    """The file to attach, and what it holds."""

    filename: str
    data: bytes
    items: int
    ratings: int
    left_out: int
    watchlist_file: tuple[str, bytes] | None = None
    """Letterboxd only: the unwatched films, for Letterboxd's separate watchlist importer."""


class ExportService:
    """Write a member's watchlist and ratings as Letterboxd CSV, full CSV or JSON."""

    def __init__(self, sessions: Sessions) -> None:
        self._sessions = sessions

    async def export(self, guild_id: int, user_id: int, fmt: ExportFormat) -> ExportFile:
        """The member's items in this server, watched and unwatched, in `fmt`."""
        async with self._sessions() as session:
            items = await WatchlistRepository(session).list_for_user(guild_id, user_id)
        kept = items
        watchlist_file = None
        if fmt is ExportFormat.LETTERBOXD:
            kept = [item for item in items if item.media_type is MediaType.MOVIE]
            unwatched = letterboxd_watchlist_csv(kept)
            if unwatched is not None:
                watchlist_file = (LETTERBOXD_WATCHLIST_FILENAME, unwatched)
        return ExportFile(
            watchlist_file=watchlist_file,
            filename=fmt.filename,
            data=render(fmt, kept),
            items=len(kept),
            ratings=sum(1 for item in kept if item.rating),
            left_out=len(items) - len(kept),
        )
