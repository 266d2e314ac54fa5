"""Splitting a recipient's pending ledger rows into messages to send, and what a pass did.

Shared by the delivery to servers and the delivery of direct messages.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from filmbot.db.repositories.ledger import PendingDelivery
from filmbot.domain.updates import ClaimedDelivery, UpdateEvent, event_from_ledger


@dataclass(slots=True)
class DeliveryTally:
    """What the delivery phase did."""

    delivered: int = 0
    failed: int = 0
    expired: int = 0
    messages: int = 0
    pending: int = 0


@dataclass(slots=True)
class Held:
    """Rows a pass found held by another run's lease: how many, where, and until when."""

    rows: int = 0
    guilds: set[int] = field(default_factory=set)
    until: datetime | None = None

    def add(self, guild_id: int, rows: int, until: datetime) -> None:
        """Note `rows` of a guild held until `until`."""
        self.rows += rows
        self.guilds.add(guild_id)
        self.until = until if self.until is None else min(self.until, until)


Group = tuple[str | None, int | None, list[ClaimedDelivery]]


def groups_to_send(
    guild_id: int,
    rows: list[PendingDelivery],
    now: datetime,
    held: Held,
    destination: Callable[[ClaimedDelivery], int | None],
) -> list[Group]:
    """Split a guild's pending rows into what to send and where, noting rows another run holds.

    Rows left in flight by a run that died (claimed, lease over) come first, one group per
    claim, so that each is resent as the message it was, to the channel it went to; rows
    never claimed follow, one group per channel `destination` picks (None: no channel set).
    """
    in_flight: dict[str, list[PendingDelivery]] = {}
    fresh: dict[int | None, list[ClaimedDelivery]] = {}
    for row in rows:
        if row.claimed_by is None:
            fresh.setdefault(destination(row.delivery), []).append(row.delivery)
        elif row.claimed_until is not None and row.claimed_until >= now:
            held.add(guild_id, 1, row.claimed_until)
        else:
            in_flight.setdefault(row.claimed_by, []).append(row)
    groups: list[Group] = [
        (claim, sent_to(claimed, destination), [row.delivery for row in claimed])
        for claim, claimed in in_flight.items()
    ]
    groups.sort(key=lambda group: group[2][0].id)
    groups.extend((None, channel, group) for channel, group in fresh.items())
    return groups


def sent_to(
    claimed: list[PendingDelivery], destination: Callable[[ClaimedDelivery], int | None]
) -> int | None:
    """The channel a claimed group went to (rows claimed before channels were kept: routed)."""
    stored = claimed[0].channel_id
    return stored if stored is not None else destination(claimed[0].delivery)


def events_of(rows: list[ClaimedDelivery]) -> list[tuple[int, UpdateEvent]]:
    """Each row's id with the event it records."""
    return [
        (row.id, event_from_ledger(row.ref, row.kind, row.event_key, row.payload)) for row in rows
    ]
