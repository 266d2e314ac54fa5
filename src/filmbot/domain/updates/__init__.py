"""Update detection and the delivery ledger's vocabulary (see `evaluate` for the rules)."""

from filmbot.domain.updates.credits import (
    Credit,
    new_title_events,
    person_key,
    qualifying_credits,
)
from filmbot.domain.updates.evaluate import (
    CATCH_UP_LOOKBACK_DAYS,
    detect_events,
    next_notification_hint,
    title_removed_event,
)
from filmbot.domain.updates.events import (
    RELEASE_FLAG_KINDS,
    UPDATE_FLAG_KINDS,
    EventKind,
    GuildPrefs,
    UpdateEvent,
    is_expired,
)
from filmbot.domain.updates.ledger import (
    ClaimedDelivery,
    CycleState,
    DeliveryStatus,
    LedgerEntry,
    LedgerKey,
    StoredSnapshot,
    SubscriptionLine,
    event_from_ledger,
    event_payload,
    ledger_entry,
    ledger_key,
)
from filmbot.domain.updates.rules import RegionalDate, regional_release
from filmbot.domain.updates.snapshot import (
    EpisodeInfo,
    RegionalRelease,
    ReleaseType,
    TitleSnapshot,
    snapshot_from_tmdb,
)
from filmbot.domain.windows import (
    DEFAULT_EPISODE_NOTIFY_DAYS,
    DEFAULT_RELEASE_NOTIFY_DAYS,
    DEFAULT_UPCOMING_NOTIFY_DAYS,
)

__all__ = [
    "CATCH_UP_LOOKBACK_DAYS",
    "DEFAULT_EPISODE_NOTIFY_DAYS",
    "DEFAULT_RELEASE_NOTIFY_DAYS",
    "DEFAULT_UPCOMING_NOTIFY_DAYS",
    "RELEASE_FLAG_KINDS",
    "UPDATE_FLAG_KINDS",
    "ClaimedDelivery",
    "Credit",
    "CycleState",
    "DeliveryStatus",
    "EpisodeInfo",
    "EventKind",
    "GuildPrefs",
    "LedgerEntry",
    "LedgerKey",
    "RegionalDate",
    "RegionalRelease",
    "ReleaseType",
    "StoredSnapshot",
    "SubscriptionLine",
    "TitleSnapshot",
    "UpdateEvent",
    "detect_events",
    "event_from_ledger",
    "event_payload",
    "is_expired",
    "ledger_entry",
    "ledger_key",
    "new_title_events",
    "next_notification_hint",
    "person_key",
    "qualifying_credits",
    "regional_release",
    "snapshot_from_tmdb",
    "title_removed_event",
]
