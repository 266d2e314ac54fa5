"""The update engine: one cycle detects releases and episodes and delivers each once.

A cycle (1) loads guilds, subscriptions, stored snapshots, recent ledger keys and the last
cycle's state in a few queries; (2) asks TMDB's change feed what changed since the last
cycle and refetches only those titles, titles never fetched and titles older than
FULL_REFRESH_HOURS, each once however many guilds follow it; (3) detects events per
subscription as each title arrives, judging the others from their stored snapshots (an
episode that becomes "tomorrow" needs no fetch), and only those whose next event can have
come due (see `quiet`); (4) records new events in the delivery
ledger together with the new snapshots, in batches while requests are still in flight
(see `writer`); (4b) fetches each followed person once and records the titles new in their
credits (see `people`); (5) claims, sends and marks delivered the pending rows
(see `delivery`). Cycle statistics are stored for /stats. The grouped subscriptions and
parsed snapshots are kept between cycles while the database says they are current (see
`memory`).
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import datetime, timedelta
from typing import cast

from filmbot.config import Settings
from filmbot.db.repositories.cycles import CycleRepository
from filmbot.db.repositories.plan import PlanRepository
from filmbot.db.repositories.snapshots import SnapshotRepository
from filmbot.db.repositories.subscriptions import SubscriptionRepository
from filmbot.db.session import Sessions, retrying
from filmbot.domain.clock import Clock, utcnow
from filmbot.domain.models import TitleRef
from filmbot.domain.updates import CycleState
from filmbot.services.notifications import DirectMessenger, NotificationSender
from filmbot.services.updates.delivery import Deliverer
from filmbot.services.updates.detect import Findings, detect
from filmbot.services.updates.dm_delivery import MemberDeliverer
from filmbot.services.updates.follows import FollowPlanner, handles_follows
from filmbot.services.updates.grouping import DeliveryTally
from filmbot.services.updates.memory import PlanMemory
from filmbot.services.updates.people import PeopleCycle, PeopleFindings
from filmbot.services.updates.plan import (
    CyclePlan,
    GuildFilter,
    Windows,
    load_plan,
    titles_to_fetch,
)
from filmbot.services.updates.report import CycleReport
from filmbot.services.updates.sending import DEFAULT_LEASE
from filmbot.services.updates.shards import ALL_GUILDS
from filmbot.services.updates.sources import TitleSource, run_bounded
from filmbot.services.updates.status import UpdateStatus
from filmbot.services.updates.writer import LedgerWriter
from filmbot.tmdb.errors import TMDBError, TMDBNotFound

log = logging.getLogger(__name__)

MISSING_RECHECK_LIMIT = 200


class UpdateEngine:
    """Run update cycles for the guilds this process owns."""

    def __init__(
        self,
        sessionmaker: Sessions,
        source: TitleSource,
        sender: NotificationSender,
        settings: Settings,
        *,
        now: Clock = utcnow,
        owns: GuildFilter | None = None,
        scope: str = ALL_GUILDS,
        lease: timedelta = DEFAULT_LEASE,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._source = source
        self._now = now
        self._owns = owns
        self._scope = scope
        self._full_refresh = timedelta(hours=settings.full_refresh_hours)
        self._missing_checked_at: datetime | None = None
        self._windows = Windows(
            settings.release_notify_days,
            settings.episode_notify_days,
            settings.upcoming_notify_days,
        )
        self._memory = PlanMemory(settings.upcoming_notify_days)
        self._deliverer = Deliverer(sessionmaker, sender, source.image_url, now, lease)
        self._status = UpdateStatus(sessionmaker, scope, now)
        self._people = PeopleCycle(sessionmaker, scope, self._windows, self._full_refresh)
        # Members' personal follows: planned and delivered by the process owning shard 0.
        self._follows: FollowPlanner | None = None
        self._members: MemberDeliverer | None = None
        if handles_follows(owns) and hasattr(sender, "open_dm"):
            self._follows = FollowPlanner(self._windows)
            messenger = cast(DirectMessenger, sender)
            self._members = MemberDeliverer(sessionmaker, messenger, source.image_url, now, lease)
        self._lock = asyncio.Lock()
        self.stopping = asyncio.Event()

    @property
    def running(self) -> bool:
        """Whether a cycle is in progress."""
        return self._lock.locked()

    def request_stop(self) -> None:
        """Stop starting new sends; a cycle in flight finishes what it is sending."""
        self.stopping.set()

    async def run_cycle(self) -> CycleReport:
        """Run one cycle (waiting for one already running in this process)."""
        async with self._lock:
            return await self._cycle()

    async def deliver_pending(self) -> DeliveryTally:
        """Send what earlier runs left pending (e.g. messages a crash left in flight)."""
        async with self._lock:
            tally = await self._deliverer.deliver_pending(self._owns, self.stopping)
            if self._members is not None:
                await self._members.deliver(self.stopping)
            return tally

    async def deliver_members(self) -> DeliveryTally:
        """Send members' DMs that are due (quiet hours over, digest time come)."""
        if self._members is None:
            return DeliveryTally()
        async with self._lock:
            return await self._members.deliver(self.stopping)

    async def last_cycle(self) -> CycleReport | None:
        """Return the stored report of the last finished cycle of this scope."""
        return await self._status.last_cycle()

    async def _cycle(self) -> CycleReport:
        started, clock = self._now(), time.perf_counter()
        plan, known = await load_plan(
            self._sessionmaker,
            self._scope,
            started,
            self._windows,
            owns=self._owns,
            memory=self._memory,
        )
        member_known = (
            await self._follows.load(self._sessionmaker, plan, self._memory.quiet)
            if self._follows is not None
            else set()
        )
        fetch, warm = await titles_to_fetch(plan, self._source, self._full_refresh)
        findings = Findings(known=known, change_feed_used=warm)
        writer = LedgerWriter(
            self._sessionmaker,
            self._scope,
            findings,
            known,
            now=plan.now,
            on_saved=self._memory.wrote,
            member_known=member_known,
        )
        findings.on_title = writer.poke
        try:
            await detect(plan, self._source, fetch, findings, self._memory.quiet)
            await writer.finish()
        finally:
            await writer.abort()
            # The writer and the findings refer to each other; part them so that this
            # cycle's findings are freed at once instead of waiting for a full collection.
            findings.on_title = None
        people = await self._people.run(
            plan,
            self._source,
            members=self._follows is not None,
            known=known,
            member_known=member_known,
        )
        if (
            self._missing_checked_at is None
            or started - self._missing_checked_at >= self._full_refresh
        ):
            self._missing_checked_at = started
            await self._recheck_missing()
        checked = time.perf_counter()
        tally = await self._deliverer.deliver(plan.guilds, self.stopping)
        direct = DeliveryTally()
        if self._members is not None and not self.stopping.is_set():
            direct = await self._members.deliver(self.stopping)
        found = writer.new_events + people.new_events
        report = self._report(plan, findings, tally, found, writer.new_missed)
        report.people_followed, report.people_fetched = people.followed, people.fetched
        report.people_failed = people.failed
        report.personal_follows = FollowPlanner.follow_count(plan)
        report.dm_delivered, report.dm_pending = direct.delivered, direct.pending
        report.dm_messages, report.dm_failed = direct.messages, direct.failed
        report.missed += direct.expired
        report.duration_seconds = round(time.perf_counter() - clock, 3)
        report.check_seconds = round(checked - clock, 3)
        report.delivery_seconds = round(report.duration_seconds - report.check_seconds, 3)
        report.finished_at = self._now()
        stale = await self._save_state(report, plan, findings, people)
        await self._remember(plan, findings, stale)
        log.info("Update cycle done: %s", report.summary())
        return report

    async def _recheck_missing(self) -> None:
        """Every FULL_REFRESH_HOURS, ask TMDB again about deleted titles; revive those it has."""
        async with self._sessionmaker() as session:
            refs = await PlanRepository(session).missing_titles(MISSING_RECHECK_LIMIT)
        restored: list[TitleRef] = []

        async def check(ref: TitleRef) -> None:
            try:
                await self._source.details(ref)
            except TMDBNotFound:
                return
            except TMDBError as exc:
                log.debug("Could not recheck deleted title %s: %s", ref, exc)
                return
            restored.append(ref)

        await run_bounded(refs, check)
        if not restored:
            return
        async with self._sessionmaker.begin() as session:
            subscriptions = SubscriptionRepository(session)
            for ref in restored:
                await subscriptions.mark_missing(ref, missing=False)
        log.info("TMDB has %d deleted titles again; following them again", len(restored))

    def _report(
        self,
        plan: CyclePlan,
        findings: Findings,
        tally: DeliveryTally,
        found: int,
        missed: int,
    ) -> CycleReport:
        return CycleReport(
            scope=self._scope,
            started_at=plan.now,
            finished_at=plan.now,
            guilds=len(plan.guilds),
            subscriptions=plan.subscription_count,
            titles=len(plan.refs),
            titles_fetched=findings.fetched,
            titles_failed=len(findings.failed),
            titles_removed=len(findings.missing),
            change_feed_used=findings.change_feed_used,
            events_found=found,
            delivered=tally.delivered,
            pending=tally.pending,
            failed=tally.failed,
            missed=missed + tally.expired,
            messages=tally.messages,
        )

    async def _save_state(
        self, report: CycleReport, plan: CyclePlan, findings: Findings, people: PeopleFindings
    ) -> list[TitleRef]:
        """Remember the cycle; the change feeds restart from it only if no fetch failed.

        Return the titles nobody follows any more, whose snapshots were deleted.
        """
        previous = plan.state.changes_since if plan.state else None
        since = previous if findings.failed or people.failed else report.started_at
        state = CycleState(
            self._scope, report.started_at, report.finished_at, since, report.to_stats()
        )
        await retrying(self._sessionmaker, lambda s: CycleRepository(s).save(state))
        stale = [
            ref for ref in plan.stored if ref not in plan.subscriptions and ref not in plan.follows
        ]
        if stale:
            removed = await retrying(
                self._sessionmaker, lambda s: SnapshotRepository(s).delete(self._scope, stale)
            )
            if removed:
                self._memory.wrote()
        return stale

    async def _remember(self, plan: CyclePlan, findings: Findings, stale: list[TitleRef]) -> None:
        """Keep this cycle's snapshots and judgements for the next cycle."""
        memory = self._memory
        await memory.remember(findings.parsed, plan.now, stale)
        memory.quiet.judged(findings.judged, plan.now)
        async with self._sessionmaker() as session:
            stored = await SnapshotRepository(session).fingerprint(self._scope)
        memory.settle(stored)
