"""What the fake Discord saw the bot do, and a way to wait for it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# Record kinds.
CHANNEL_MESSAGE = "channel_message"
MESSAGE_EDIT = "message_edit"
MESSAGE_DELETE = "message_delete"
INTERACTION_RESPONSE = "interaction_response"
FOLLOWUP = "followup"
ORIGINAL_EDIT = "original_edit"
ORIGINAL_DELETE = "original_delete"
FOLLOWUP_EDIT = "followup_edit"
FOLLOWUP_DELETE = "followup_delete"
TYPING = "typing"
DM_OPEN = "dm_open"
COMMANDS_SYNC = "commands_sync"
GATEWAY = "gateway"


@dataclass
class Record:
    """One thing the bot did at the fake, kept for assertions."""

    kind: str
    body: dict[str, Any] = field(default_factory=dict)
    message: dict[str, Any] | None = None
    channel_id: int | None = None
    interaction_id: int | None = None
    response_type: int | None = None

    @property
    def allowed_mentions(self) -> dict[str, Any] | None:
        """Return the allowed_mentions the bot sent, if any."""
        value = self.body.get("allowed_mentions")
        return value if isinstance(value, dict) else None

    @property
    def content(self) -> str | None:
        """Return the message content that resulted, if any."""
        if self.message is not None:
            return str(self.message.get("content", ""))
        value = self.body.get("content")
        return None if value is None else str(value)


Predicate = Callable[[Record], bool]


@dataclass
class RequestLogEntry:
    """One REST request the fake answered."""

    method: str
    path: str
    status: int


class Recorder:
    """Append-only log of records with awaitable matching."""

    def __init__(self) -> None:
        self.records: list[Record] = []
        self.requests: list[RequestLogEntry] = []
        self._waiters: list[tuple[Predicate, int, asyncio.Future[Record]]] = []

    def mark(self) -> int:
        """Return a cursor so later waits only see newer records."""
        return len(self.records)

    def add(self, record: Record) -> Record:
        """Store ``record`` and wake the waiters it satisfies."""
        self.records.append(record)
        index = len(self.records) - 1
        for waiter in list(self._waiters):
            predicate, since, future = waiter
            if future.done():
                self._waiters.remove(waiter)
            elif index >= since and predicate(record):
                future.set_result(record)
                self._waiters.remove(waiter)
        return record

    def find(self, predicate: Predicate, since: int = 0) -> list[Record]:
        """Return the records from ``since`` on that match ``predicate``."""
        return [record for record in self.records[since:] if predicate(record)]

    def of_kind(self, kind: str) -> list[Record]:
        """Return every record of ``kind``."""
        return self.find(lambda record: record.kind == kind)

    async def wait_for(
        self, predicate: Predicate, *, since: int = 0, timeout: float = 5.0
    ) -> Record:
        """Return the first record from ``since`` on matching ``predicate``; raise on timeout."""
        for record in self.records[since:]:
            if predicate(record):
                return record
        future: asyncio.Future[Record] = asyncio.get_running_loop().create_future()
        self._waiters.append((predicate, since, future))
        try:
            return await asyncio.wait_for(future, timeout)
        except TimeoutError:
            kinds = [record.kind for record in self.records[since:]]
            raise AssertionError(
                f"no matching record within {timeout}s; records since cursor: {kinds}"
            ) from None
