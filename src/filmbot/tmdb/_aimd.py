"""The allowance a limiter grants after 429s: cut at once, won back a little at a time."""

from __future__ import annotations

# A 429 halves the allowance (at most once per period: the requests already on their way
# when TMDB refused the first are answered 429 too and must not cut it again).
DECREASE_FACTOR = 0.5
# Then each period without a 429 wins back 1% of the configured limit, so half the budget
# returns in 50 periods and a lower real limit is met again only every few dozen periods.
RECOVERY_PER_PERIOD = 0.01


class Allowance:
    """Requests per period to allow now: additive increase, multiplicative decrease.

    Times are seconds on any monotonic clock the caller chooses; nothing here sleeps.
    """

    def __init__(self, limit: int, period: float) -> None:
        self.limit = limit
        self.period = period
        self._base = float(limit)
        self._since: float | None = None

    def current(self, now: float) -> float:
        """The allowance at `now`: the configured limit unless a 429 cut it."""
        if self._since is None:
            return float(self.limit)
        regained = (now - self._since) / self.period * RECOVERY_PER_PERIOD * self.limit
        allowed = min(float(self.limit), self._base + regained)
        if allowed >= self.limit:
            self._since = None
        return allowed

    def cut(self, now: float) -> bool:
        """Lower the allowance after a 429; return whether it changed."""
        if self._since is not None and now - self._since < self.period:
            return False
        self._base = max(1.0, self.current(now) * DECREASE_FACTOR)
        self._since = now
        return True
