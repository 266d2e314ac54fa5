"""The start of an update cycle: what it loaded from the database and which titles to refetch.

Everything is loaded in a few batch queries; subscriptions are grouped by title so that
each distinct title is fetched at most once however many guilds follow it. The grouped
subscriptions and parsed snapshots are kept between cycles while the database says they
are current (see `memory`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from filmbot.db.repositories.changes import SUBSCRIPTIONS, ChangeCounters
from filmbot.db.repositories.cycles import CycleRepository
from filmbot.db.repositories.ledger import LedgerRepository
from filmbot.db.repositories.plan import PlanRepository
from filmbot.db.repositories.snapshots import SnapshotRepository
from filmbot.db.session import Sessions
from filmbot.domain.models import Guild, MediaType, TitleRef
from filmbot.domain.personal import FollowLine
from filmbot.domain.updates import (
    CATCH_UP_LOOKBACK_DAYS,
    DEFAULT_EPISODE_NOTIFY_DAYS,
    DEFAULT_RELEASE_NOTIFY_DAYS,
    DEFAULT_UPCOMING_NOTIFY_DAYS,
    CycleState,
    GuildPrefs,
    LedgerKey,
    SubscriptionLine,
)
from filmbot.services.updates.memory import KnownSnapshot, PlanMemory
from filmbot.services.updates.pacing import Pacer
from filmbot.services.updates.sources import TitleSource
from filmbot.tmdb import MAX_CHANGES_WINDOW, TMDBError

log = logging.getLogger(__name__)

REFRESH_TOLERANCE = timedelta(minutes=5)
GuildFilter = Callable[[int], bool]


@dataclass(slots=True)
class Windows:
    """The notification windows from the settings."""

    release_days: int = DEFAULT_RELEASE_NOTIFY_DAYS
    episode_days: int = DEFAULT_EPISODE_NOTIFY_DAYS
    upcoming_days: int = DEFAULT_UPCOMING_NOTIFY_DAYS


@dataclass(slots=True)
class CyclePlan:
    """Everything a cycle loaded from the database (or kept from the last cycle)."""

    now: datetime
    guilds: dict[int, Guild]
    subscriptions: dict[TitleRef, list[SubscriptionLine]]
    stored: dict[TitleRef, KnownSnapshot]
    state: CycleState | None
    prefs: dict[int, GuildPrefs] = field(default_factory=dict)
    follows: dict[TitleRef, list[FollowLine]] = field(default_factory=dict)
    member_prefs: dict[int, GuildPrefs] = field(default_factory=dict)
    server_regions: dict[TitleRef, frozenset[str]] = field(default_factory=dict)
    """The regions of each title's servers, filled as asked and kept between cycles."""

    @property
    def subscription_count(self) -> int:
        """How many subscriptions the cycle covers."""
        return sum(len(subs) for subs in self.subscriptions.values())

    def regions_of(self, ref: TitleRef) -> frozenset[str]:
        """The regions of the servers and members following the title."""
        regions = self.server_regions.get(ref)
        if regions is None:
            subs = self.subscriptions.get(ref, ())
            regions = frozenset({self.prefs[sub.guild_id].region for sub in subs})
            self.server_regions[ref] = regions
        follows = self.follows.get(ref)
        if follows:
            regions = regions.union(self.member_prefs[f.user_id].region for f in follows)
        return regions

    @property
    def refs(self) -> list[TitleRef]:
        """Every title the cycle covers: followed by servers, by members, or both."""
        return list(self.subscriptions) + [r for r in self.follows if r not in self.subscriptions]


async def load_plan(
    sessionmaker: Sessions,
    scope: str,
    now: datetime,
    windows: Windows,
    *,
    owns: GuildFilter | None,
    memory: PlanMemory,
) -> tuple[CyclePlan, set[LedgerKey]]:
    """Load what changed since the last cycle in a few queries, with the ledger keys it knows."""
    horizon = now - timedelta(days=CATCH_UP_LOOKBACK_DAYS + 2)
    memory.freeze_heap()
    async with sessionmaker() as session:
        queries = PlanRepository(session)
        guilds = [g for g in await queries.active_guilds() if owns is None or owns(g.id)]
        generation = await ChangeCounters(session).value(SUBSCRIPTIONS)
        key = PlanMemory.lines_key_of(generation, guilds)
        if key != memory.lines_key:
            kept = {g.id for g in guilds}
            await memory.group(key, queries.active_subscription_batches(), kept)
        snapshots = SnapshotRepository(session)
        fingerprint = await snapshots.fingerprint(scope)
        if fingerprint != memory.fingerprint:
            await memory.load_snapshots(fingerprint, snapshots.scope_batches(scope))
        state = await CycleRepository(session).last(scope)
        known = await LedgerRepository(session).recent_keys(horizon)
    memory.use_prefs({g.id: prefs_for(g, windows) for g in guilds})
    plan = CyclePlan(
        now, {g.id: g for g in guilds}, memory.by_ref, memory.snapshots, state, memory.prefs
    )
    plan.server_regions = memory.regions
    return plan, known


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
    """Return the titles to refetch, and whether the change feed narrowed them down.

    A title is due for a refetch when its snapshot is older than `full_refresh`, or when it
    does not track the region of one of its followers (a server that changed its region, a
    member or server from a new region following it).
    """
    refs = set(plan.refs)
    stale: set[TitleRef] = set()
    pacer = Pacer()
    for ref in refs:
        if _stale(plan.stored.get(ref), plan.now, full_refresh) or _lacks_region(plan, ref):
            stale.add(ref)
        await pacer.tick()
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
    medias = sorted({ref.media_type for ref in refs}, key=lambda m: m.value)
    changed: dict[MediaType, set[int]] = {media: set() for media in MediaType}
    tasks = [asyncio.ensure_future(source.changed_ids(media, start, end)) for media in medias]
    try:
        feeds = await asyncio.gather(*tasks)
    except BaseException:
        # One feed failed (or the cycle was cancelled): stop reading the other one too.
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
    changed.update(zip(medias, feeds, strict=True))
    return changed


def _lacks_region(plan: CyclePlan, ref: TitleRef) -> bool:
    known = plan.stored.get(ref)
    snapshot = known.snapshot if known is not None else None
    return snapshot is not None and not snapshot.covers_all(plan.regions_of(ref))


def _stale(stored: KnownSnapshot | None, now: datetime, full_refresh: timedelta) -> bool:
    return stored is None or now - stored.fetched_at + REFRESH_TOLERANCE >= full_refresh
