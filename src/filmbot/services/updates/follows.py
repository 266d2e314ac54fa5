"""Members' personal follows in an update cycle: loaded beside the servers' subscriptions.

A title followed by members and servers is fetched once for all of them: the follows only
add titles to the cycle's plan (`CyclePlan.refs`) and recipients to its detection. Each
member's events are judged in the member's own time zone and region. A title whose
followers or their settings changed since the last cycle is judged again (see `quiet`).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from filmbot.db.repositories.ledger import MemberLedgerRepository
from filmbot.db.repositories.personal import FollowRepository, MemberSettingsRepository
from filmbot.db.session import Sessions
from filmbot.domain.models import TitleRef
from filmbot.domain.personal import FollowLine, MemberState
from filmbot.domain.updates import CATCH_UP_LOOKBACK_DAYS, GuildPrefs, LedgerKey
from filmbot.services.updates.plan import CyclePlan, GuildFilter, Windows
from filmbot.services.updates.quiet import QuietTitles


def handles_follows(owns: GuildFilter | None) -> bool:
    """Personal follows belong to the process that owns shard 0 (or every shard)."""
    return owns is None or owns(0)


def member_prefs(state: MemberState | None, windows: Windows) -> GuildPrefs:
    """The member's time zone and region with the configured windows."""
    timezone, region = (
        ("UTC", "US")
        if state is None
        else (
            state.settings.timezone,
            state.settings.region,
        )
    )
    return GuildPrefs(
        region=region,
        timezone=timezone,
        release_notify_days=windows.release_days,
        episode_notify_days=windows.episode_days,
        upcoming_notify_days=windows.upcoming_days,
    )


class FollowPlanner:
    """Add the personal follows to a cycle's plan; remember them to spot changes."""

    def __init__(self, windows: Windows) -> None:
        self._windows = windows
        self._lines: dict[TitleRef, list[FollowLine]] = {}
        self._prefs: dict[int, GuildPrefs] = {}

    async def load(
        self, sessionmaker: Sessions, plan: CyclePlan, quiet: QuietTitles
    ) -> set[LedgerKey]:
        """Put the follows and the members' prefs in the plan; return the member ledger keys."""
        horizon = horizon_of(plan.now)
        by_ref: dict[TitleRef, list[FollowLine]] = defaultdict(list)
        async with sessionmaker() as session:
            async for batch in FollowRepository(session).line_batches():
                for line in batch:
                    by_ref[line.ref].append(line)
            users = {line.user_id for lines in by_ref.values() for line in lines}
            states = await MemberSettingsRepository(session).many(sorted(users))
            known = await MemberLedgerRepository(session).recent_keys(horizon)
        prefs = {uid: member_prefs(states.get(uid), self._windows) for uid in users}
        changed = {uid for uid, p in prefs.items() if self._prefs.get(uid) != p}
        quiet.forget(
            ref
            for ref, lines in by_ref.items()
            if set(lines) != set(self._lines.get(ref, ()))
            or any(line.user_id in changed for line in lines)
        )
        self._lines, self._prefs = dict(by_ref), prefs
        plan.follows, plan.member_prefs = self._lines, prefs
        return known

    @staticmethod
    def follow_count(plan: CyclePlan) -> int:
        """How many personal follows the plan covers."""
        return sum(len(lines) for lines in plan.follows.values())


def horizon_of(now: datetime) -> datetime:
    """The instant after which ledger keys are kept to skip events already recorded."""
    return now - timedelta(days=CATCH_UP_LOOKBACK_DAYS + 2)
