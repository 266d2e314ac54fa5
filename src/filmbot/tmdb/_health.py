"""Shared handling of optional backing services (Redis, the database) that may fail at run time."""

from __future__ import annotations

import logging
import time

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30.0


def is_redis_failure(exc: BaseException) -> bool:
    """Whether `exc` means Redis is unreachable or misbehaving."""
    if isinstance(exc, OSError | TimeoutError):
        return True
    try:
        from redis.exceptions import RedisError
    except ImportError:  # pragma: no cover - redis is installed whenever it is used
        return False
    return isinstance(exc, RedisError)


class ServiceHealth:
    """Remember that a service failed, log it once per outage and allow a retry later."""

    def __init__(
        self, service: str, purpose: str, retry_after: float = RETRY_AFTER_SECONDS
    ) -> None:
        self.service = service
        self.purpose = purpose
        self.retry_after = retry_after
        self.failures = 0
        self._down_until: float | None = None

    @property
    def usable(self) -> bool:
        """Whether to try Redis now."""
        return self._down_until is None or time.monotonic() >= self._down_until

    def failed(self, exc: BaseException) -> None:
        """Record a failure; log only the first of an outage."""
        self.failures += 1
        if self._down_until is None:
            log.warning(
                "%s is unavailable for the %s (%s: %s); falling back until it returns",
                self.service,
                self.purpose,
                type(exc).__name__,
                exc,
            )
        self._down_until = time.monotonic() + self.retry_after

    def succeeded(self) -> None:
        """Record a success; log a recovery after an outage."""
        if self._down_until is not None:
            log.info("%s is back for the %s", self.service, self.purpose)
            self._down_until = None
