"""The detection half of an update cycle: fetch the chosen titles, find each guild's events.

Each (title, guild prefs, flags) combination is evaluated once however many guilds share
it; titles not refetched are judged from their stored snapshots, and only when one of
their event windows can have opened since they were last judged (see `quiet`). The fetch
workers and the judging of stored titles share one budget per turn of the event loop (see
`pacing`), so the bot stays responsive however many answers arrive together.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from operator import attrgetter
from typing import Any

from filmbot.domain.models import TitleRef
from filmbot.domain.updates import (
    GuildPrefs,
    LedgerEntry,
    LedgerKey,
    TitleSnapshot,
    UpdateEvent,
    detect_events,
    ledger_entry,
    ledger_key,
    snapshot_from_tmdb,
    title_removed_event,
)
from filmbot.services.updates.pacing import TurnBudget
from filmbot.services.updates.plan import CyclePlan
from filmbot.services.updates.quiet import QuietTitles
from filmbot.services.updates.sources import TitleSource, run_bounded
from filmbot.tmdb import TMDBError, TMDBNotFound

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Findings:
    """What detection produced: snapshots to store and ledger rows to record.

    Events whose ledger rows are `known` to exist already are not built again.
    """

    known: set[LedgerKey] = field(default_factory=set)
    entries: dict[LedgerKey, LedgerEntry] = field(default_factory=dict)
    ordered: list[LedgerEntry] = field(default_factory=list)
    member_entries: dict[LedgerKey, LedgerEntry] = field(default_factory=dict)
    member_ordered: list[LedgerEntry] = field(default_factory=list)
    snapshots: list[tuple[TitleRef, dict[str, Any], datetime]] = field(default_factory=list)
    fetched: int = 0
    failed: list[TitleRef] = field(default_factory=list)
    missing: list[TitleRef] = field(default_factory=list)
    parsed: dict[TitleRef, TitleSnapshot] = field(default_factory=dict)
    judged: list[TitleRef] = field(default_factory=list)
    change_feed_used: bool = False
    titles_done: int = 0
    on_title: Callable[[], None] | None = None

    def title_done(self) -> None:
        """Count a finished title and tell the listener (the ledger writer)."""
        self.titles_done += 1
        if self.on_title is not None:
            self.on_title()


async def detect(
    plan: CyclePlan,
    source: TitleSource,
    fetch: set[TitleRef],
    findings: Findings,
    quiet: QuietTitles | None = None,
) -> Findings:
    """Fetch the chosen titles concurrently and evaluate every subscribed title.

    A title's ledger entries and its new snapshot are appended together, so a writer
    flushing between titles always stores both or neither.
    """

    # One budget per turn of the event loop for all of it: answers that arrive together are
    # worked through over several turns, not in one long one.
    turn = TurnBudget()

    async def refresh(ref: TitleRef) -> None:
        await _refresh(ref)
        findings.title_done()

    async def _refresh(ref: TitleRef) -> None:
        try:
            regions = plan.regions_of(ref)
            payload = await source.details(ref, regions)
            await turn.tick()
            snapshot = snapshot_from_tmdb(payload, ref.media_type, plan.now, regions)
            snapshot = snapshot.remembering(_previous(plan, ref))
        except TMDBNotFound:
            findings.missing.append(ref)
            _removed(plan, ref, findings)
            return
        except (TMDBError, ValueError) as exc:
            log.warning("Update check of %s failed; using the stored snapshot: %s", ref, exc)
            findings.failed.append(ref)
            _evaluate_stored(plan, ref, findings)
            return
        findings.fetched += 1
        findings.snapshots.append((ref, snapshot.to_dict(), plan.now))
        findings.parsed[ref] = snapshot
        _evaluate(plan, ref, snapshot, _previous(plan, ref), findings)

    async def judge_stored() -> None:
        for ref in plan.refs:
            if ref not in fetch:
                if quiet is None or _needs_judging(plan, ref, quiet):
                    _evaluate_stored(plan, ref, findings)
                findings.title_done()
                await turn.tick()

    # The stored titles are judged while the fetches wait on the rate limiter, so their
    # CPU time overlaps the requests instead of following them.
    ordered = sorted(fetch, key=attrgetter("media_type", "tmdb_id"))
    await asyncio.sleep(0)
    judging = asyncio.ensure_future(judge_stored())
    try:
        await run_bounded(ordered, refresh)
    except BaseException:
        judging.cancel()
        await asyncio.gather(judging, return_exceptions=True)
        raise
    await judging
    return findings


def _needs_judging(plan: CyclePlan, ref: TitleRef, quiet: QuietTitles) -> bool:
    known = plan.stored.get(ref)
    return known is not None and quiet.needs_judging(ref, known.opens, plan.now)


def _previous(plan: CyclePlan, ref: TitleRef) -> TitleSnapshot | None:
    known = plan.stored.get(ref)
    return known.snapshot if known is not None else None


def _evaluate_stored(plan: CyclePlan, ref: TitleRef, findings: Findings) -> None:
    """Judge time-driven events from the stored snapshot, without refetching."""
    previous = _previous(plan, ref)
    if previous is not None:
        _evaluate(plan, ref, previous, previous, findings)


def _evaluate(
    plan: CyclePlan,
    ref: TitleRef,
    snapshot: TitleSnapshot,
    previous: TitleSnapshot | None,
    findings: Findings,
) -> None:
    """Detect each subscription's events, once per distinct prefs and flags."""
    findings.judged.append(ref)
    seen: dict[tuple[GuildPrefs, bool, bool], list[UpdateEvent]] = {}
    for sub in plan.subscriptions.get(ref, ()):
        prefs = plan.prefs[sub.guild_id]
        key = (prefs, sub.notify_release, sub.notify_update)
        events = seen.get(key)
        if events is None:
            flags = (sub.notify_release, sub.notify_update)
            events = seen[key] = detect_events(snapshot, previous, prefs, plan.now, *flags)
        for event in events:
            _add(findings, sub.guild_id, event, prefs, plan.now)
    for follow in plan.follows.get(ref, ()):
        prefs = plan.member_prefs[follow.user_id]
        key = (prefs, follow.notify_release, follow.notify_update)
        events = seen.get(key)
        if events is None:
            flags = (follow.notify_release, follow.notify_update)
            events = seen[key] = detect_events(snapshot, previous, prefs, plan.now, *flags)
        for event in events:
            _add(findings, follow.user_id, event, prefs, plan.now, member=True)


def _removed(plan: CyclePlan, ref: TitleRef, findings: Findings) -> None:
    """Tell each subscribed guild once that TMDB no longer has the title."""
    for sub in plan.subscriptions.get(ref, ()):
        prefs = plan.prefs[sub.guild_id]
        event = title_removed_event(ref, sub.title, prefs, plan.now, sub.poster_path)
        _add(findings, sub.guild_id, event, prefs, plan.now)
    for follow in plan.follows.get(ref, ()):
        prefs = plan.member_prefs[follow.user_id]
        event = title_removed_event(ref, follow.title, prefs, plan.now, follow.poster_path)
        _add(findings, follow.user_id, event, prefs, plan.now, member=True)


def _add(
    findings: Findings,
    recipient: int,
    event: UpdateEvent,
    prefs: GuildPrefs,
    now: datetime,
    *,
    member: bool = False,
) -> None:
    """Note the recipient's ledger entry: a guild's, or a member's (direct messages).

    An entry whose row the servers' ledger is known to hold already is not built again.
    """
    entries, ordered = (
        (findings.member_entries, findings.member_ordered)
        if member
        else (findings.entries, findings.ordered)
    )
    key = ledger_key(recipient, event)
    if key in entries or (not member and key in findings.known):
        return
    entry = ledger_entry(recipient, event, prefs, now)
    entries[key] = entry
    ordered.append(entry)
