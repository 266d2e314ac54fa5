"""How many days a notification stays due: the defaults of the NOTIFY_DAYS settings."""

from __future__ import annotations

DEFAULT_RELEASE_NOTIFY_DAYS = 3
DEFAULT_EPISODE_NOTIFY_DAYS = 2
DEFAULT_UPCOMING_NOTIFY_DAYS = 7
