"""Import a member's history from an export file: parse, match, write in atomic batches."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field

from filmbot.db.repositories import GuildRepository, WatchlistRepository
from filmbot.db.repositories.genres import GenreRepository
from filmbot.db.repositories.history import HistoryRepository
from filmbot.db.session import Sessions
from filmbot.domain.errors import FilmBotError
from filmbot.domain.history import HistoryRow, SkippedLine, Source, merge_rows, parse_history
from filmbot.domain.history.rows import ImportBusyError, MatchedEntry, Outcome, combine
from filmbot.domain.models import TitleRef
from filmbot.services.history.budget import ImportBudget
from filmbot.services.history.matcher import TitleMatcher
from filmbot.tmdb import TMDBClient, TMDBError

log = logging.getLogger(__name__)

BATCH_SIZE = 100


@dataclass(frozen=True, slots=True)
class ImportProgress:
    """How far an import is: lines matched of the total, and how many found no title."""

    done: int
    total: int
    unmatched: int


ProgressCallback = Callable[[ImportProgress], Awaitable[None]]


@dataclass(slots=True)
class ImportReport:
    """What an import did."""

    source: Source
    total: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    over_limit: int = 0
    unmatched: list[SkippedLine] = field(default_factory=list)
    stopped_at: str | None = None
    error: str | None = None
    tmdb_requests: int = 0

    def count(self, outcome: Outcome) -> None:
        """Tally one written title."""
        if outcome is Outcome.ADDED:
            self.added += 1
        elif outcome is Outcome.UPDATED:
            self.updated += 1
        elif outcome is Outcome.UNCHANGED:
            self.unchanged += 1
        else:
            self.over_limit += 1


class ImportService:
    """Run imports, one per member at a time, within the shared import budget of TMDB."""

    def __init__(
        self,
        sessions: Sessions,
        tmdb: TMDBClient,
        budget: ImportBudget,
        limit: int,
        batch_size: int = BATCH_SIZE,
    ) -> None:
        self._sessions = sessions
        self._tmdb = tmdb
        self.budget = budget
        self.limit = limit
        self.batch_size = batch_size
        self._running: set[int] = set()

    def running(self, user_id: int) -> bool:
        """Whether the member has an import in progress."""
        return user_id in self._running

    def claim(self, user_id: int) -> None:
        """Reserve the member's one import slot; ImportBusyError when it is taken."""
        if user_id in self._running:
            raise ImportBusyError()
        self._running.add(user_id)

    def release(self, user_id: int) -> None:
        """Free the member's import slot."""
        self._running.discard(user_id)

    async def run(
        self,
        guild_id: int,
        user_id: int,
        source: Source,
        filename: str,
        data: bytes,
        *,
        language: str | None = None,
        progress: ProgressCallback | None = None,
    ) -> ImportReport:
        """Import the file into the member's watchlist in this server (claim() first)."""
        parsed = await asyncio.to_thread(parse_history, source, filename, data)
        rows = merge_rows(parsed.rows)
        report = ImportReport(source, total=len(rows), unmatched=list(parsed.skipped))
        gate = self.budget.gate()
        run = _Run(self, guild_id, user_id, report, TitleMatcher(self._tmdb, gate, language))
        try:
            await run.all(rows, progress)
        finally:
            report.tmdb_requests = gate.requests
        log.info(
            "Imported %s history: %d titles, %d added, %d updated, %d unmatched",
            source.value,
            report.total,
            report.added,
            report.updated,
            len(report.unmatched),
        )
        return report

    async def write(
        self,
        guild_id: int,
        user_id: int,
        entries: list[MatchedEntry],
        report: ImportReport,
        genres: Mapping[TitleRef, list[int]] | None = None,
    ) -> None:
        """Write one batch in one transaction: all of it or none of it.

        `genres` are the genre ids the matcher saw for the batch's titles (for the dashboard).
        """
        outcomes: list[Outcome] = []
        async with self._sessions.begin() as session:
            await GuildRepository(session).ensure(guild_id)
            room = self.limit - await WatchlistRepository(session).count(guild_id, user_id)
            history = HistoryRepository(session, guild_id, user_id)
            for entry in entries:
                outcome = await history.apply(entry, room=room)
                room -= outcome is Outcome.ADDED
                outcomes.append(outcome)
            known = genres or {}
            await GenreRepository(session).record(
                {e.ref: known[e.ref] for e in entries if known.get(e.ref)}
            )
        for outcome in outcomes:
            report.count(outcome)


@dataclass(slots=True)
class _Run:
    service: ImportService
    guild_id: int
    user_id: int
    report: ImportReport
    matcher: TitleMatcher

    async def all(self, rows: list[HistoryRow], progress: ProgressCallback | None) -> None:
        size = self.service.batch_size
        for start in range(0, len(rows), size):
            batch = rows[start : start + size]
            try:
                entries = await self._match(batch, start, progress)
                genres, self.matcher.genres = self.matcher.genres, {}
                await self.service.write(self.guild_id, self.user_id, entries, self.report, genres)
            except (TMDBError, FilmBotError) as exc:
                log.warning("Import stopped at %s: %s", batch[0].where, exc)
                self.report.stopped_at = batch[0].where
                self.report.error = str(exc) if isinstance(exc, FilmBotError) else "TMDB failed"
                return

    async def _match(
        self, batch: list[HistoryRow], start: int, progress: ProgressCallback | None
    ) -> list[MatchedEntry]:
        matched: dict[TitleRef, tuple[str, HistoryRow]] = {}
        for offset, row in enumerate(batch, start=1):
            found = await self.matcher.match(row)
            if isinstance(found, SkippedLine):
                self.report.unmatched.append(found)
            else:
                ref, title = found
                earlier = matched.get(ref)
                matched[ref] = (title, combine(earlier[1], row) if earlier else row)
            if progress is not None:
                unmatched = len(self.report.unmatched)
                await progress(ImportProgress(start + offset, self.report.total, unmatched))
        return [MatchedEntry.of(ref, title, row) for ref, (title, row) in matched.items()]
