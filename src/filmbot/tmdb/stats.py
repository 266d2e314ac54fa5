"""Counters of the TMDB client and its cache, for /stats and the doctor."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass


@dataclass(slots=True)
class TMDBStats:
    """Cache hits per tier, misses, upstream requests and failures since start."""

    memory_hits: int = 0
    redis_hits: int = 0
    database_hits: int = 0
    misses: int = 0
    upstream_requests: int = 0
    coalesced: int = 0
    retries: int = 0
    rate_limited: int = 0
    not_found: int = 0
    errors: int = 0
    redis_errors: int = 0
    database_errors: int = 0
    database_refused: int = 0

    @property
    def hits(self) -> int:
        """Cache hits in every tier."""
        return self.memory_hits + self.redis_hits + self.database_hits

    @property
    def hit_ratio(self) -> float:
        """Hits over lookups (0.0 before the first lookup)."""
        lookups = self.hits + self.misses
        return self.hits / lookups if lookups else 0.0

    def snapshot(self) -> TMDBStats:
        """A copy that no longer changes."""
        return dataclasses.replace(self)

    def as_dict(self) -> dict[str, int | float]:
        """Every counter plus the totals, by name."""
        values: dict[str, int | float] = dataclasses.asdict(self)
        values["hits"] = self.hits
        values["hit_ratio"] = round(self.hit_ratio, 4)
        return values
