"""Write a cycle's findings to the ledger while titles are still being fetched.

Every FLUSH_EVERY titles a background transaction stores the new ledger rows and the new
snapshots of the titles finished so far, so the database work overlaps the (rate-limited)
TMDB requests. After each flush what is alive is frozen out of full garbage collections
(see `memory`), so that a cold cycle's growing findings are not walked again and again.
When a title was checked is its snapshot's fetch time; nothing is written
per subscription. A title's rows and its snapshot always
land in the same transaction: a crash can lose a title's new snapshot only together with
its events, which the next cycle then detects again.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from datetime import datetime

from filmbot.db.repositories.ledger import LedgerRepository, MemberLedgerRepository
from filmbot.db.repositories.snapshots import SnapshotRepository
from filmbot.db.repositories.subscriptions import SubscriptionRepository
from filmbot.db.session import Session, Sessions, retrying
from filmbot.domain.updates import DeliveryStatus, LedgerKey
from filmbot.services.updates.detect import Findings
from filmbot.services.updates.memory import keep_out_of_collections

FLUSH_EVERY = 200


class LedgerWriter:
    """Flush findings in the background, then finish with the titles TMDB lost."""

    def __init__(
        self,
        sessionmaker: Sessions,
        scope: str,
        findings: Findings,
        known: set[LedgerKey],
        *,
        now: datetime,
        every: int = FLUSH_EVERY,
        on_saved: Callable[[], None] | None = None,
        member_known: set[LedgerKey] | None = None,
    ) -> None:
        self.new_events = 0
        self.new_missed = 0
        self._sessionmaker = sessionmaker
        self._scope = scope
        self._findings = findings
        self._known = known
        self._member_known = member_known or set()
        self._members_at = 0
        self._now = now
        self._every = every
        self._on_saved = on_saved
        self._entries_at = 0
        self._titles_at = 0
        self._task: asyncio.Task[None] | None = None

    def poke(self) -> None:
        """Start a background flush when enough titles have finished and none is running.

        A flush that failed is kept, not replaced: `finish` then raises its error and the
        cycle fails as a whole, instead of carrying on past findings that were never stored.
        """
        enough = self._findings.titles_done - self._titles_at >= self._every
        if not enough or (self._task is not None and not _succeeded(self._task)):
            return
        self._titles_at = self._findings.titles_done
        self._task = asyncio.create_task(self._flush(final=False))

    async def finish(self) -> None:
        """Wait for a running flush, then store the rest and flag the titles TMDB lost."""
        if self._task is not None:
            await self._task
        await self._flush(final=True)

    async def abort(self) -> None:
        """Cancel a background flush (the cycle failed or was cancelled)."""
        if self._task is not None and not self._task.done():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _flush(self, *, final: bool) -> None:
        findings = self._findings
        entries = findings.ordered[self._entries_at :]
        # The snapshots' JSON is not needed once taken for writing: dropping it from the
        # findings frees it with this flush rather than at the end of the cycle.
        snapshots = findings.snapshots[:]
        del findings.snapshots[:]
        self._entries_at += len(entries)
        new = [entry for entry in entries if entry.key not in self._known]
        personal = findings.member_ordered[self._members_at :]
        self._members_at += len(personal)
        new_personal = [entry for entry in personal if entry.key not in self._member_known]

        async def write(session: Session) -> None:
            await LedgerRepository(session).record(new, self._now)
            await MemberLedgerRepository(session).record(new_personal, self._now)
            await SnapshotRepository(session).save(self._scope, snapshots)
            if final:
                subscriptions = SubscriptionRepository(session)
                for ref in findings.missing:
                    await subscriptions.mark_missing(ref)

        if new or new_personal or snapshots or final:
            await retrying(self._sessionmaker, write)
            keep_out_of_collections()
            if snapshots and self._on_saved is not None:
                self._on_saved()
        self.new_events += len(new) + len(new_personal)
        self.new_missed += sum(
            1 for entry in new + new_personal if entry.status is DeliveryStatus.MISSED
        )


def _succeeded(task: asyncio.Task[None]) -> bool:
    """Whether a flush finished without an error (a running one has not)."""
    return task.done() and not task.cancelled() and task.exception() is None
