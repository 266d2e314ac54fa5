"""What the update engine has stored: the last cycle, and what each subscription announces next.

Read-only, so /stats and /subscriptions can use it without an engine or a Discord sender.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from filmbot.db.repositories.cycles import CycleRepository
from filmbot.db.repositories.snapshots import SnapshotRepository
from filmbot.db.session import Sessions
from filmbot.domain.clock import Clock, utcnow
from filmbot.domain.models import Guild, Subscription, TitleRef
from filmbot.domain.updates import (
    CycleState,
    GuildPrefs,
    StoredSnapshot,
    TitleSnapshot,
    next_notification_hint,
)
from filmbot.services.updates.report import CycleReport
from filmbot.services.updates.shards import ALL_GUILDS, covers
from filmbot.services.updates.stored import parsed, tracking


class UpdateStatus:
    """Read the stored cycle state and snapshots of one scope (this process's shards)."""

    def __init__(
        self,
        sessionmaker: Sessions,
        scope: str = ALL_GUILDS,
        now: Clock = utcnow,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._scope = scope
        self._now = now

    @property
    def scope(self) -> str:
        """The engine scope whose state this reads."""
        return self._scope

    async def last_cycle(self) -> CycleReport | None:
        """Return the stored report of the last finished cycle of this scope."""
        async with self._sessionmaker() as session:
            state = await CycleRepository(session).last(self._scope)
        return CycleReport.from_state(state) if state else None

    async def describe(self) -> str:
        """Describe the last update cycle for /stats."""
        report = await self.last_cycle()
        if report is None:
            return "no update cycle has run yet"
        return f"last cycle {report.started_at:%Y-%m-%d %H:%M} UTC: {report.summary()}"

    async def next_hints(
        self, guild: Guild, subscriptions: Sequence[Subscription]
    ) -> dict[TitleRef, str]:
        """Say what each subscription will announce next, from the stored snapshots."""
        return await self.hints_for(GuildPrefs.for_guild(guild), [s.ref for s in subscriptions])

    async def hints_for(self, prefs: GuildPrefs, refs: Sequence[TitleRef]) -> dict[TitleRef, str]:
        """Say what each title will announce next under a guild's prefs, from this scope's
        snapshots (the engine of this process keeps its servers' regions in them)."""
        async with self._sessionmaker() as session:
            stored = await SnapshotRepository(session).of_titles(self._scope, list(refs))
        return self._hints(prefs, parsed(stored))

    async def member_hints(
        self, prefs: GuildPrefs, refs: Sequence[TitleRef]
    ) -> dict[TitleRef, str]:
        """Say what each of a member's follows will announce next in the member's region.

        Personal follows are checked by the process owning shard 0, which keeps the members'
        regions in its snapshots: every scope's copy is read and one tracking the region wins.
        """
        async with self._sessionmaker() as session:
            stored = await SnapshotRepository(session).across_scopes(list(refs))
        return self.hints_across(prefs, stored)

    def hints_across(
        self, prefs: GuildPrefs, stored: Mapping[TitleRef, Sequence[StoredSnapshot]]
    ) -> dict[TitleRef, str]:
        """Say what each title will announce next, from every scope's copies the caller read
        (`SnapshotRepository.across_scopes`): the newest copy tracking the region decides."""
        return self._hints(prefs, tracking(stored, prefs.region))

    def _hints(
        self, prefs: GuildPrefs, snapshots: Mapping[TitleRef, TitleSnapshot]
    ) -> dict[TitleRef, str]:
        now, hints = self._now(), {}
        for ref, snapshot in snapshots.items():
            hint = next_notification_hint(snapshot, prefs, now)
            if hint:
                hints[ref] = hint
        return hints


def checking(states: Sequence[CycleState], guild_id: int | None = None) -> CycleReport | None:
    """The last cycle of the scope checking the guild, from every scope's (`CycleRepository.every`).

    A sharded bot keeps one record per process. The newest record of a scope covering the
    guild wins (one left from before the bot was sharded is older), else the newest of the
    scopes whose names do not say; without a guild, the newest of all.
    """
    if guild_id is None:
        candidates = list(states)
    else:
        said = {state.scope: covers(state.scope, guild_id) for state in states}
        candidates = [s for s in states if said[s.scope]]
        candidates = candidates or [s for s in states if said[s.scope] is None]
    if not candidates:
        return None
    return CycleReport.from_state(max(candidates, key=lambda state: state.started_at))
