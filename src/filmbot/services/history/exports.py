"""Export a member's watchlist and ratings in one server as a file."""

from __future__ import annotations

from dataclasses import dataclass

from filmbot.db.repositories import WatchlistRepository
from filmbot.db.session import Sessions
from filmbot.domain.history.export import ExportFormat, render
from filmbot.domain.models import MediaType


@dataclass(frozen=True, slots=True)
class ExportFile:
    """The file to attach, and what it holds."""

    filename: str
    data: bytes
    items: int
    ratings: int
    left_out: int


class ExportService:
    """Write a member's watchlist and ratings as Letterboxd CSV, full CSV or JSON."""

    def __init__(self, sessions: Sessions) -> None:
        self._sessions = sessions

    async def export(self, guild_id: int, user_id: int, fmt: ExportFormat) -> ExportFile:
        """The member's items in this server, watched and unwatched, in `fmt`."""
        async with self._sessions() as session:
            items = await WatchlistRepository(session).list_for_user(guild_id, user_id)
        kept = items
        if fmt is ExportFormat.LETTERBOXD:
            kept = [item for item in items if item.media_type is MediaType.MOVIE]
        return ExportFile(
            filename=fmt.filename,
            data=render(fmt, kept),
            items=len(kept),
            ratings=sum(1 for item in kept if item.rating),
            left_out=len(items) - len(kept),
        )
