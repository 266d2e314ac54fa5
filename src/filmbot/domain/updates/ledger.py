"""The delivery ledger's vocabulary: what an update cycle reads, records and claims.

Every event found for a subscription becomes one ledger entry, unique on
(guild, title, kind, event key), whose status moves from pending to delivered, missed or
failed. The entry keeps the event's rendering in a JSON payload so that delivery can rebuild
it later without running detection again.

Members' direct messages have a ledger of their own with the same life cycle, whose
recipient is the member: there a `LedgerEntry.guild_id` holds the member's user id, so
its key is (member, title, kind, event key).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from filmbot.domain.models import TitleRef
from filmbot.domain.updates.events import EventKind, GuildPrefs, UpdateEvent, is_expired

EVENT_KEY_LENGTH = 100

LedgerKey = tuple[int, TitleRef, str, str]


class DeliveryStatus(enum.StrEnum):
    """Where a ledger entry stands; the values are the stored column values."""

    PENDING = "pending"
    DELIVERED = "delivered"
    MISSED = "missed"
    FAILED = "failed"


class SubscriptionLine(NamedTuple):
    """The columns of one subscription that a cycle needs."""

    guild_id: int
    ref: TitleRef
    title: str
    poster_path: str | None
    notify_release: bool
    notify_update: bool


class StoredSnapshot(NamedTuple):
    """A stored snapshot's JSON and when it was fetched."""

    data: dict[str, Any]
    fetched_at: datetime


@dataclass(slots=True)
class LedgerEntry:
    """A ledger row about to be written."""

    guild_id: int
    ref: TitleRef
    kind: str
    event_key: str
    status: DeliveryStatus
    payload: dict[str, Any]
    expires_at: datetime

    @property
    def key(self) -> LedgerKey:
        """The ledger's unique key."""
        return (self.guild_id, self.ref, self.kind, self.event_key)


class ClaimedDelivery(NamedTuple):
    """A pending ledger row this engine has claimed for sending."""

    id: int
    ref: TitleRef
    kind: str
    event_key: str
    payload: dict[str, Any]


@dataclass(slots=True)
class CycleState:
    """The stored record of a scope's last cycle."""

    scope: str
    started_at: datetime
    finished_at: datetime
    changes_since: datetime | None
    stats: dict[str, Any]


def ledger_key(guild_id: int, event: UpdateEvent) -> LedgerKey:
    """The key of the guild's ledger row for an event (see `LedgerEntry.key`)."""
    return (guild_id, event.ref, event.kind.value, event.event_key[:EVENT_KEY_LENGTH])


def ledger_entry(
    guild_id: int, event: UpdateEvent, prefs: GuildPrefs, now: datetime
) -> LedgerEntry:
    """Build the guild's ledger entry for an event: missed when its window has closed."""
    expired = is_expired(event, prefs, now)
    _, ref, kind, event_key = ledger_key(guild_id, event)
    return LedgerEntry(
        guild_id=guild_id,
        ref=ref,
        kind=kind,
        event_key=event_key,
        status=DeliveryStatus.MISSED if expired else DeliveryStatus.PENDING,
        payload=event_payload(event),
        expires_at=prefs.start_of(event.due_until + timedelta(days=1)),
    )


def event_payload(event: UpdateEvent) -> dict[str, Any]:
    """Return what the ledger stores to render the event later."""
    return {
        "title": event.title,
        "headline": event.headline,
        "detail": event.detail,
        "poster_path": event.poster_path,
        "event_date": event.event_date.isoformat(),
        "due_from": event.due_from.isoformat(),
        "due_until": event.due_until.isoformat(),
        "facts": dict(event.facts),
    }


def event_from_ledger(ref: TitleRef, kind: str, key: str, payload: dict[str, Any]) -> UpdateEvent:
    """Rebuild the event from a ledger row."""
    return UpdateEvent(
        kind=EventKind(kind),
        ref=ref,
        title=str(payload.get("title", "")),
        event_key=key,
        event_date=date.fromisoformat(payload["event_date"]),
        due_from=date.fromisoformat(payload["due_from"]),
        due_until=date.fromisoformat(payload["due_until"]),
        headline=str(payload.get("headline", "")),
        detail=str(payload.get("detail", "")),
        poster_path=payload.get("poster_path"),
        facts=_facts(payload.get("facts")),
    )


def _facts(stored: object) -> tuple[tuple[str, str], ...]:
    """Read the stored facts; rows written before templates have none."""
    if not isinstance(stored, dict):
        return ()
    return tuple((str(name), str(text)) for name, text in sorted(stored.items()))
