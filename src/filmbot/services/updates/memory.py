"""What an update engine keeps between cycles, and how it knows its copy is still current.

Loading 100,000 subscriptions and decoding 20,000 stored snapshots costs more than a warm
cycle's TMDB requests, so the engine keeps the subscriptions grouped by title and the
parsed snapshots from one cycle to the next. Both are checked against the database at the
start of every cycle, which works across processes:

- the subscriptions are reloaded when the `subscriptions` change counter moved (every
  subscribe, unsubscribe, flag change and deleted-title flag bumps it) or when the set of
  guilds taking part changed (auto-update switched, guild left, deleted or re-created);
- the snapshots are reloaded when the scope's (count, newest fetch) differs from what the
  engine itself last wrote.

A guild whose region or time zone changed keeps its subscriptions but has its titles judged
again (see `quiet`), and refetched where their snapshots do not track its new region (see
`plan.titles_to_fetch`).

At 100,000 subscriptions the kept plan is a few hundred thousand objects that Python's
cyclic garbage collector would walk on every full collection, a pause of a few hundred
milliseconds on the event loop. None of them is part of a reference cycle (they are freed
by reference counting when replaced), so at the start of a cycle, after each loaded batch
and once a cycle's snapshots are kept, garbage is collected and everything alive is moved
to the collector's permanent generation (`gc.freeze`); later full collections then walk
only what was allocated since. Once a day everything is unfrozen and collected, so that
objects of the bot frozen while alive and later caught in a reference cycle are freed.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from filmbot.domain.models import Guild, TitleRef
from filmbot.domain.updates import GuildPrefs, StoredSnapshot, SubscriptionLine, TitleSnapshot
from filmbot.services.updates.pacing import Pacer
from filmbot.services.updates.quiet import QuietTitles, opening_days

log = logging.getLogger(__name__)

SnapshotFingerprint = tuple[int, datetime | None, int]
LinesKey = tuple[int, frozenset[tuple[int, Any]]]
YIELD_EVERY = 2000
THAW_EVERY = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class KnownSnapshot:
    """A stored snapshot, parsed (None when unreadable), with the days its windows open."""

    snapshot: TitleSnapshot | None
    fetched_at: datetime
    opens: tuple[date, ...]


def known_snapshot(ref: TitleRef, stored: StoredSnapshot, upcoming_days: int) -> KnownSnapshot:
    """Parse a stored snapshot once; an unreadable one is kept as None and logged."""
    try:
        snapshot = TitleSnapshot.from_dict(stored.data, ref)
    except (ValueError, TypeError) as exc:
        log.warning("Stored snapshot of %s is unreadable, ignoring it: %s", ref, exc)
        return KnownSnapshot(None, stored.fetched_at, ())
    return fresh_snapshot(snapshot, stored.fetched_at, upcoming_days)


def fresh_snapshot(
    snapshot: TitleSnapshot, fetched_at: datetime, upcoming_days: int
) -> KnownSnapshot:
    """Wrap a snapshot just built from TMDB."""
    return KnownSnapshot(snapshot, fetched_at, opening_days(snapshot, upcoming_days))


class PlanMemory:
    """The grouped subscriptions, parsed snapshots and quiet titles of one engine."""

    def __init__(self, upcoming_days: int) -> None:
        self.lines_key: LinesKey | None = None
        self.by_ref: dict[TitleRef, list[SubscriptionLine]] = {}
        self.prefs: dict[int, GuildPrefs] = {}
        self.regions: dict[TitleRef, frozenset[str]] = {}
        self.fingerprint: SnapshotFingerprint | None = None
        self.own_writes = 0
        self.snapshots: dict[TitleRef, KnownSnapshot] = {}
        self.quiet = QuietTitles()
        self._upcoming_days = upcoming_days
        self._froze = False
        self._thawed_at: float | None = None

    @staticmethod
    def lines_key_of(generation: int, guilds: Iterable[Guild]) -> LinesKey:
        """The key under which grouped subscriptions stay valid."""
        return generation, frozenset((g.id, g.created_at) for g in guilds)

    async def group(
        self, key: LinesKey, batches: AsyncIterator[list[SubscriptionLine]], kept: set[int]
    ) -> None:
        """Group freshly loaded subscriptions by title; titles whose lines changed are judged."""
        by_ref: dict[TitleRef, list[SubscriptionLine]] = defaultdict(list)
        async for batch in batches:
            for line in batch:
                if line.guild_id in kept:
                    by_ref[line.ref].append(line)
            keep_out_of_collections()
            await asyncio.sleep(0)
        old, regions = self.by_ref, {}
        for count, (ref, lines) in enumerate(by_ref.items(), 1):
            if set(lines) != set(old.get(ref, ())):
                self.quiet.forget((ref,))
            elif ref in self.regions:
                regions[ref] = self.regions[ref]
            if count % YIELD_EVERY == 0:
                await asyncio.sleep(0)
        self.lines_key, self.by_ref, self.regions = key, dict(by_ref), regions
        keep_out_of_collections()

    def use_prefs(self, prefs: dict[int, GuildPrefs]) -> None:
        """Adopt this cycle's guild prefs; titles of guilds whose prefs changed are judged."""
        changed = {gid for gid, p in prefs.items() if self.prefs.get(gid) != p}
        if changed and self.prefs:
            refs = [
                ref
                for ref, lines in self.by_ref.items()
                if any(line.guild_id in changed for line in lines)
            ]
            self.quiet.forget(refs)
            for ref in refs:
                self.regions.pop(ref, None)
        elif changed:
            self.regions.clear()
        self.prefs = prefs

    async def load_snapshots(
        self,
        fingerprint: SnapshotFingerprint,
        batches: AsyncIterator[list[tuple[TitleRef, StoredSnapshot]]],
    ) -> None:
        """Replace the parsed snapshots with the stored ones; every title is judged again."""
        snapshots: dict[TitleRef, KnownSnapshot] = {}
        async for batch in batches:
            for ref, stored in batch:
                snapshots[ref] = known_snapshot(ref, stored, self._upcoming_days)
            keep_out_of_collections()
            await asyncio.sleep(0)
        self.snapshots, self.fingerprint, self.own_writes = snapshots, fingerprint, 0
        self.quiet.clear()
        keep_out_of_collections()

    def freeze_heap(self) -> None:
        """At the start of a cycle, exempt what is alive from full collections.

        The first time only the young generations are collected (a full collection would
        walk the whole heap of the bot, the pause this avoids); later, a full collection
        walks only what was allocated since the last freeze. Objects frozen while alive
        that later end up in a reference cycle would never be freed, so once every
        THAW_EVERY everything is unfrozen and collected in one full pause.
        """
        now = time.monotonic()
        if self._thawed_at is None:
            self._thawed_at = now
        elif now - self._thawed_at >= THAW_EVERY.total_seconds():
            self._thawed_at = now
            gc.unfreeze()
        keep_out_of_collections(everything=self._froze)
        self._froze = True

    def wrote(self) -> None:
        """Count one save or delete of snapshots this engine made (see `settle`)."""
        self.own_writes += 1

    def forget_snapshots(self) -> None:
        """Reload the snapshots next cycle."""
        self.fingerprint = None
        self.own_writes = 0
        self.snapshots = {}
        self.quiet.clear()

    async def remember(
        self, fresh: dict[TitleRef, TitleSnapshot], fetched_at: datetime, gone: list[TitleRef]
    ) -> None:
        """Keep the snapshots this cycle fetched and drop those it deleted."""
        pacer = Pacer()
        for ref, snapshot in fresh.items():
            self.snapshots[ref] = fresh_snapshot(snapshot, fetched_at, self._upcoming_days)
            await pacer.tick()
        for ref in gone:
            self.snapshots.pop(ref, None)

    def settle(self, stored: SnapshotFingerprint) -> None:
        """Keep the snapshots if the database holds what this engine wrote, else reload them.

        The stored write count must be the loaded one plus this engine's own writes: any
        other process that saved or deleted snapshots of the scope meanwhile (say a cron
        `check-updates` beside the bot) makes it larger. Timestamps are compared to the
        second, the precision every backend keeps.
        """
        newest = max((known.fetched_at for known in self.snapshots.values()), default=None)
        loaded = self.fingerprint[2] if self.fingerprint is not None else None
        expected = (len(self.snapshots), _seconds(newest))
        alone = loaded is not None and stored[2] == loaded + self.own_writes
        if alone and expected == (stored[0], _seconds(stored[1])):
            self.fingerprint, self.own_writes = stored, 0
            keep_out_of_collections()
        else:
            log.debug("Snapshots changed outside this engine; reloading them next cycle")
            self.forget_snapshots()


def _seconds(when: datetime | None) -> int | None:
    return None if when is None else int(when.timestamp())


def keep_out_of_collections(*, everything: bool = False) -> None:
    """Collect garbage, then exempt every live object from later collections.

    Only the young generations are collected unless `everything` (a full collection
    walks only what is not frozen yet). Frozen objects are still freed by reference
    counting once nothing refers to them.
    """
    gc.collect() if everything else gc.collect(1)
    gc.freeze()
