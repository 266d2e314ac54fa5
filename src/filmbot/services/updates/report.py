"""What one update cycle did: the counters logged, shown by /stats and stored per scope."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from datetime import datetime
from typing import Any

from filmbot.domain.updates import CycleState


@dataclass(slots=True)
class CycleReport:
    """What one update cycle did."""

    scope: str
    started_at: datetime
    finished_at: datetime
    duration_seconds: float = 0.0
    check_seconds: float = 0.0
    delivery_seconds: float = 0.0
    guilds: int = 0
    subscriptions: int = 0
    titles: int = 0
    titles_fetched: int = 0
    titles_failed: int = 0
    titles_removed: int = 0
    change_feed_used: bool = False
    events_found: int = 0
    delivered: int = 0
    pending: int = 0
    failed: int = 0
    missed: int = 0
    messages: int = 0
    personal_follows: int = 0
    dm_delivered: int = 0
    dm_pending: int = 0
    dm_failed: int = 0
    dm_messages: int = 0
    people_followed: int = 0
    people_fetched: int = 0
    people_failed: int = 0

    def to_stats(self) -> dict[str, Any]:
        """Return the counters as JSON-ready values."""
        values = asdict(self)
        for key in ("scope", "started_at", "finished_at"):
            values.pop(key)
        return values

    @classmethod
    def from_state(cls, state: CycleState) -> CycleReport:
        """Rebuild a report from the stored cycle state."""
        known = {f.name for f in fields(cls)} - {"scope", "started_at", "finished_at"}
        counters = {k: v for k, v in state.stats.items() if k in known}
        return cls(state.scope, state.started_at, state.finished_at, **counters)

    def summary(self) -> str:
        """Return a one-line summary for logs and the CLI."""
        return (
            f"titles fetched {self.titles_fetched}/{self.titles}, "
            f"people fetched {self.people_fetched}/{self.people_followed}, "
            f"events found {self.events_found}, delivered {self.delivered}, "
            f"pending {self.pending}, failed {self.failed}, missed {self.missed} "
            f"({self.duration_seconds:.1f}s)"
        )
