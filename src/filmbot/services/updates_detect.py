"""The detection half of an update cycle: which titles to refetch and which events are due.

Works on data loaded in a few batch queries: each distinct title is fetched at most once,
and each (title, guild prefs, flags) combination is evaluated once however many guilds
share it.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from filmbot.db.repositories.updates import (
    MISSED,
    PENDING,
    CycleState,
    LedgerEntry,
    LedgerKey,
    StoredSnapshot,
    SubscriptionLine,
)
from filmbot.domain.models import Guild, MediaType, TitleRef
from filmbot.domain.updates import (
    EventKind,
    GuildPrefs,
    TitleSnapshot,
    UpdateEvent,
    detect_events,
    is_expired,
    snapshot_from_tmdb,
    title_removed_event,
)
from filmbot.services.updates_fetch import TitleSource, run_bounded
from filmbot.tmdb import TMDBError, TMDBNotFound

log = logging.getLogger(__name__)

MAX_CHANGES_WINDOW = timedelta(days=14)
REFRESH_TOLERANCE = timedelta(minutes=5)


@dataclass(slots=True)
class Windows:
    """The notification windows from the settings."""

    release_days: int = 3
    episode_days: int = 2
    upcoming_days: int = 7


@dataclass(slots=True)
class CyclePlan:
    """Everything a cycle loaded from the database before talking to TMDB."""

    now: datetime
    guilds: dict[int, Guild]
    subscriptions: dict[TitleRef, list[SubscriptionLine]]
    stored: dict[TitleRef, StoredSnapshot]
    state: CycleState | None
    prefs: dict[int, GuildPrefs] = field(default_factory=dict)

    @property
    def subscription_count(self) -> int:
        """How many subscriptions the cycle covers."""
        return sum(len(subs) for subs in self.subscriptions.values())


@dataclass(slots=True)
class Findings:
    """What detection produced: snapshots to store and ledger rows to record."""

    entries: dict[LedgerKey, LedgerEntry] = field(default_factory=dict)
    ordered: list[LedgerEntry] = field(default_factory=list)
    snapshots: list[tuple[TitleRef, dict[str, Any], datetime]] = field(default_factory=list)
    fetched: int = 0
    failed: list[TitleRef] = field(default_factory=list)
    missing: list[TitleRef] = field(default_factory=list)
    checked: list[TitleRef] = field(default_factory=list)
    change_feed_used: bool = False
    titles_done: int = 0
    on_title: Callable[[], None] | None = None

    def title_done(self) -> None:
        """Count a finished title and tell the listener (the ledger writer)."""
        self.titles_done += 1
        if self.on_title is not None:
            self.on_title()


def build_plan(
    now: datetime,
    guilds: Iterable[Guild],
    subscriptions: Iterable[SubscriptionLine],
    *,
    stored: dict[TitleRef, StoredSnapshot],
    state: CycleState | None,
    windows: Windows,
    owns: Callable[[int], bool] | None = None,
) -> CyclePlan:
    """Keep the guilds this process owns and group their subscriptions by title."""
    kept = {g.id: g for g in guilds if owns is None or owns(g.id)}
    by_ref: dict[TitleRef, list[SubscriptionLine]] = defaultdict(list)
    for sub in subscriptions:
        if sub.guild_id in kept:
            by_ref[sub.ref].append(sub)
    prefs = {gid: prefs_for(guild, windows) for gid, guild in kept.items()}
    return CyclePlan(now, kept, dict(by_ref), stored, state, prefs)


def prefs_for(guild: Guild, windows: Windows) -> GuildPrefs:
    """Return the guild's region and time zone with the configured windows."""
    base = GuildPrefs.for_guild(guild)
    return GuildPrefs(
        region=base.region,
        timezone=base.timezone,
        release_notify_days=windows.release_days,
        episode_notify_days=windows.episode_days,
        upcoming_notify_days=windows.upcoming_days,
    )


async def titles_to_fetch(
    plan: CyclePlan, source: TitleSource, full_refresh: timedelta
) -> tuple[set[TitleRef], bool]:
    """Return the titles to refetch, and whether the change feed narrowed them down."""
    refs = set(plan.subscriptions)
    stale = {ref for ref in refs if _stale(plan.stored.get(ref), plan.now, full_refresh)}
    since = plan.state.changes_since if plan.state else None
    if since is None or plan.now - since > MAX_CHANGES_WINDOW or stale == refs:
        return refs, False
    try:
        changed = await _changed(source, refs, since.date(), plan.now.date())
    except TMDBError as exc:
        log.warning("TMDB change feed unavailable, refetching every title: %s", exc)
        return refs, False
    return stale | {ref for ref in refs if ref.tmdb_id in changed[ref.media_type]}, True


async def _changed(
    source: TitleSource, refs: set[TitleRef], start: date, end: date
) -> dict[MediaType, set[int]]:
    medias = {ref.media_type for ref in refs}
    changed: dict[MediaType, set[int]] = {media: set() for media in MediaType}
    for media in sorted(medias, key=lambda m: m.value):
        changed[media] = await source.changed_ids(media, start, end)
    return changed


def _stale(stored: StoredSnapshot | None, now: datetime, full_refresh: timedelta) -> bool:
    return stored is None or now - stored.fetched_at + REFRESH_TOLERANCE >= full_refresh


async def detect(
    plan: CyclePlan, source: TitleSource, fetch: set[TitleRef], findings: Findings
) -> Findings:
    """Fetch the chosen titles concurrently and evaluate every subscribed title.

    A title's ledger entries and its new snapshot are appended together, so a writer
    flushing between titles always stores both or neither.
    """

    async def refresh(ref: TitleRef) -> None:
        await _refresh(ref)
        findings.title_done()

    async def _refresh(ref: TitleRef) -> None:
        try:
            payload = await source.details(ref)
            snapshot = snapshot_from_tmdb(payload, ref.media_type, plan.now)
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
        _evaluate(plan, ref, snapshot, _previous(plan, ref), findings)

    ordered = sorted(fetch, key=lambda r: (r.media_type.value, r.tmdb_id))
    await run_bounded(ordered, refresh)
    for ref in plan.subscriptions:
        if ref not in fetch:
            _evaluate_stored(plan, ref, findings)
            findings.title_done()
    return findings


def _previous(plan: CyclePlan, ref: TitleRef) -> TitleSnapshot | None:
    stored = plan.stored.get(ref)
    if stored is None:
        return None
    try:
        return TitleSnapshot.from_dict(stored.data, ref)
    except (ValueError, TypeError) as exc:
        log.warning("Stored snapshot of %s is unreadable, ignoring it: %s", ref, exc)
        return None


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
    findings.checked.append(ref)
    seen: dict[tuple[GuildPrefs, bool, bool], list[UpdateEvent]] = {}
    for sub in plan.subscriptions[ref]:
        prefs = plan.prefs[sub.guild_id]
        key = (prefs, sub.notify_release, sub.notify_update)
        events = seen.get(key)
        if events is None:
            flags = (sub.notify_release, sub.notify_update)
            events = seen[key] = detect_events(snapshot, previous, prefs, plan.now, *flags)
        for event in events:
            _add(findings, sub.guild_id, event, prefs, plan.now)


def _removed(plan: CyclePlan, ref: TitleRef, findings: Findings) -> None:
    """Tell each subscribed guild once that TMDB no longer has the title."""
    for sub in plan.subscriptions[ref]:
        prefs = plan.prefs[sub.guild_id]
        event = title_removed_event(ref, sub.title, prefs, plan.now, sub.poster_path)
        _add(findings, sub.guild_id, event, prefs, plan.now)


def _add(
    findings: Findings, guild_id: int, event: UpdateEvent, prefs: GuildPrefs, now: datetime
) -> None:
    entry = LedgerEntry(
        guild_id=guild_id,
        ref=event.ref,
        kind=event.kind.value,
        event_key=event.event_key[:100],
        status=MISSED if is_expired(event, prefs, now) else PENDING,
        payload=event_payload(event),
        expires_at=prefs.start_of(event.due_until + timedelta(days=1)),
    )
    if entry.key not in findings.entries:
        findings.entries[entry.key] = entry
        findings.ordered.append(entry)


def event_payload(event: UpdateEvent) -> dict[str, Any]:
    """Return what the ledger stores to render the event later."""
    return {
        "title": event.title,
        "headline": event.headline,
        "detail": event.detail,
        "poster_path": event.poster_path,
        "event_date": event.event_date.isoformat(),
        "due_from": event.due_from.isoformat(),
        "due_until": event.due_until.isoformat(),
    }


def event_from_ledger(ref: TitleRef, kind: str, key: str, payload: dict[str, Any]) -> UpdateEvent:
    """Rebuild the event from a ledger row."""
    return UpdateEvent(
        kind=EventKind(kind),
        ref=ref,
        title=str(payload.get("title", "")),
        event_key=key,
        event_date=date.fromisoformat(payload["event_date"]),
        due_from=date.fromisoformat(payload["due_from"]),
        due_until=date.fromisoformat(payload["due_until"]),
        headline=str(payload.get("headline", "")),
        detail=str(payload.get("detail", "")),
        poster_path=payload.get("poster_path"),
    )
