"""One update message in flight: its Discord nonce, its renewed lease, its delivered mark.

A message's rows are claimed just before it is sent, with a short lease that a heartbeat
renews while the send is in flight, and marked delivered as soon as Discord accepts it.
The nonce is derived from the rows, so a message that a crashed run had in flight is
resent (as the same group, see `LedgerRepository.claim`) with the same nonce, and Discord,
told to enforce it, returns the message it already has instead of posting a second one.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Generic, TypeVar

from filmbot.db.repositories.ledger import LedgerRepository
from filmbot.db.session import Session, Sessions, retrying
from filmbot.domain.updates import ClaimedDelivery
from filmbot.services.notifications import ImageUrl

log = logging.getLogger(__name__)

NONCE_PREFIX = "fb-"
NONCE_DIGEST_BYTES = 11  # 22 hex digits: with the prefix, Discord's 25-character limit
RENEWALS_PER_LEASE = 3


def message_nonce(guild_id: int, rows: Sequence[ClaimedDelivery]) -> str:
    """Derive a message's nonce from its ledger rows: the same rows, the same nonce."""
    parts = [f"{row.id}:{row.ref}:{row.kind}:{row.event_key}" for row in sorted(rows)]
    text = f"{guild_id}|{';'.join(parts)}"
    digest = hashlib.blake2b(text.encode(), digest_size=NONCE_DIGEST_BYTES).hexdigest()
    return NONCE_PREFIX + digest


DEFAULT_LEASE = timedelta(seconds=60)
S = TypeVar("S")


class LedgerDeliverer(Generic[S]):
    """What the servers' and the members' deliverers share: sessions, sender, clock, lease.

    `ledger` is the ledger repository whose rows the deliverer claims and sends.
    """

    ledger: type[LedgerRepository] = LedgerRepository

    def __init__(
        self,
        sessionmaker: Sessions,
        sender: S,
        image_url: ImageUrl,
        now: Callable[[], datetime],
        lease: timedelta = DEFAULT_LEASE,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._sender = sender
        self._image_url = image_url
        self._now = now
        self._lease = lease
        self._leases = LeaseKeeper(sessionmaker, lease, now, self.ledger)


class LeaseKeeper:
    """Renew the lease on a message's rows while its send is in flight."""

    def __init__(
        self,
        sessionmaker: Sessions,
        lease: timedelta,
        now: Callable[[], datetime],
        ledger: type[LedgerRepository] = LedgerRepository,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._lease = lease
        self._now = now
        self._ledger = ledger

    @asynccontextmanager
    async def held(self, ids: list[int], token: str) -> AsyncIterator[None]:
        """Keep renewing the rows' lease until the block ends.

        The heartbeat is told to stop rather than cancelled, so that a renewal in progress
        finishes its transaction (a cancelled one could leave a connection mid-transaction).
        """
        done = asyncio.Event()
        heartbeat = asyncio.create_task(self._renew(ids, token, done))
        try:
            yield
        finally:
            done.set()
            await asyncio.shield(heartbeat)

    async def _renew(self, ids: list[int], token: str, done: asyncio.Event) -> None:
        interval = self._lease.total_seconds() / RENEWALS_PER_LEASE
        while not await _set_within(done, interval):
            try:
                renewed = await self._renew_once(ids, token)
            except Exception as exc:
                log.warning("Could not renew the lease of an update message in flight: %r", exc)
                continue
            if renewed < len(ids):
                log.warning(
                    "An update message in flight lost its claim on %s of %s rows",
                    len(ids) - renewed,
                    len(ids),
                )

    async def _renew_once(self, ids: list[int], token: str) -> int:
        until = self._now() + self._lease
        return await retrying(
            self._sessionmaker, lambda s: self._ledger(s).renew(ids, token, until)
        )


class DeliveryMarker:
    """Mark accepted messages delivered right away, in one write for those that finish together.

    A message's rows are written as soon as its send returns; sends that return while a
    write is running are marked together by the next write (group commit).
    """

    def __init__(
        self,
        sessionmaker: Sessions,
        now: Callable[[], datetime],
        ledger: type[LedgerRepository] = LedgerRepository,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._now = now
        self._ledger = ledger
        self._waiting: list[tuple[list[int], int | None, str, asyncio.Future[None]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def mark(self, ids: list[int], message_id: int | None, token: str) -> None:
        """Record the message's rows (claimed by `token`) as delivered; return once committed."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append((ids, message_id, token, done))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_all())
        await asyncio.shield(done)

    async def _write_all(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting, []
            sent = [(ids, message_id, token) for ids, message_id, token, _ in batch]
            try:
                kept = await retrying(self._sessionmaker, self._writer_for(sent))
            except BaseException as exc:
                for *_, done in batch:
                    _fail(done, exc)
                raise
            expected = sum(len(ids) for ids, _, _ in sent)
            if kept is not None and kept != expected:
                log.warning(
                    "%s of %s delivered rows had lost their claim", expected - kept, expected
                )
            for *_, done in batch:
                if not done.done():
                    done.set_result(None)

    def _writer_for(
        self, sent: list[tuple[list[int], int | None, str]]
    ) -> Callable[[Session], Awaitable[int | None]]:
        return lambda s: self._ledger(s).mark_delivered(sent, self._now())


async def _set_within(event: asyncio.Event, seconds: float) -> bool:
    """Wait up to `seconds` for the event; return whether it is set."""
    try:
        await asyncio.wait_for(event.wait(), timeout=seconds)
    except TimeoutError:
        return event.is_set()
    return True


def _fail(done: asyncio.Future[None], exc: BaseException) -> None:
    if done.done():
        return
    if isinstance(exc, asyncio.CancelledError):
        done.cancel()
    else:
        done.set_exception(exc)
