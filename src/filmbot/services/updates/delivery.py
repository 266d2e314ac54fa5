"""The delivery half of an update cycle: claim pending ledger rows, send, mark delivered.

Exactly once, as far as it can be had: a row is claimed (an UPDATE that only succeeds on an
unclaimed or lease-expired pending row) before its message is sent and marked delivered as
soon as Discord accepts the message, so two engines never send the same row and a crash
before the send leaves a pending row that a later cycle retries once the lease expires.
The honest limit: a crash after Discord accepted a message but before the ledger update
commits leaves the row claimed; when its lease expires another cycle sends it again. The
window is the one UPDATE right after the send returns (messages accepted while a previous
UPDATE is committing share the next one, so the window is at most two commits long).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from filmbot.db.repositories.guilds import GuildRepository
from filmbot.db.repositories.ledger import LedgerRepository
from filmbot.db.session import Session, Sessions, retrying
from filmbot.domain.models import Guild
from filmbot.domain.updates import ClaimedDelivery, UpdateEvent, event_from_ledger
from filmbot.services.notifications import (
    ChannelUnavailable,
    DeliveryError,
    GuildDisplay,
    ImageUrl,
    MessageRejected,
    NotificationMessage,
    NotificationSender,
    build_messages,
)

log = logging.getLogger(__name__)

DEFAULT_LEASE = timedelta(minutes=15)
LEASE_MARGIN = timedelta(minutes=1)
GUILD_CONCURRENCY = 8
NO_CHANNEL = "No notification channel is set, so update notifications are waiting."
PROBLEM_LENGTH = 300


@dataclass(slots=True)
class DeliveryTally:
    """What the delivery phase did."""

    delivered: int = 0
    failed: int = 0
    expired: int = 0
    messages: int = 0
    pending: int = 0


@dataclass(slots=True)
class Round:
    """One delivery pass: its claim token and lease, its marker, its tally."""

    token: str
    until: datetime
    marker: DeliveryMarker
    tally: DeliveryTally
    stopping: asyncio.Event


class DeliveryMarker:
    """Mark accepted messages delivered right away, in one write for those that finish together.

    A message's rows are written as soon as its send returns; sends that return while a
    write is running are marked together by the next write (group commit).
    """

    def __init__(
        self,
        sessionmaker: Sessions,
        token: str,
        now: Callable[[], datetime],
    ) -> None:
        self._sessionmaker = sessionmaker
        self._token = token
        self._now = now
        self._waiting: list[tuple[list[int], int | None, asyncio.Future[None]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def mark(self, ids: list[int], message_id: int | None) -> None:
        """Record the message's rows as delivered; return once that is committed."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append((ids, message_id, done))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_all())
        await asyncio.shield(done)

    async def _write_all(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting, []
            sent = [(ids, message_id) for ids, message_id, _ in batch]
            try:
                kept = await retrying(self._sessionmaker, self._writer_for(sent))
            except BaseException as exc:
                for *_, done in batch:
                    _fail(done, exc)
                raise
            expected = sum(len(ids) for ids, _ in sent)
            if kept is not None and kept != expected:
                log.warning(
                    "%s of %s delivered rows had lost their claim", expected - kept, expected
                )
            for *_, done in batch:
                if not done.done():
                    done.set_result(None)

    def _writer_for(
        self, sent: list[tuple[list[int], int | None]]
    ) -> Callable[[Session], Awaitable[int | None]]:
        return lambda s: LedgerRepository(s).mark_delivered(sent, self._token, self._now())


def _fail(done: asyncio.Future[None], exc: BaseException) -> None:
    if done.done():
        return
    if isinstance(exc, asyncio.CancelledError):
        done.cancel()
    else:
        done.set_exception(exc)


class Deliverer:
    """Send a cycle's pending notifications, guild by guild."""

    def __init__(
        self,
        sessionmaker: Sessions,
        sender: NotificationSender,
        image_url: ImageUrl,
        now: Callable[[], datetime],
        lease: timedelta = DEFAULT_LEASE,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._sender = sender
        self._image_url = image_url
        self._now = now
        self._lease = lease

    async def deliver(self, guilds: dict[int, Guild], stopping: asyncio.Event) -> DeliveryTally:
        """Expire stale rows, claim every owned guild's pending rows, send them."""
        tally = DeliveryTally()
        tally.expired = await retrying(
            self._sessionmaker, lambda s: LedgerRepository(s).expire_pending(self._now())
        )
        async with self._sessionmaker() as session:
            pending = await LedgerRepository(session).pending_by_guild()
        waiting = [gid for gid in pending if gid in guilds]
        no_channel = [gid for gid in waiting if guilds[gid].notification_channel_id is None]
        await self._flag_unconfigured([guilds[gid] for gid in no_channel])
        sendable = [gid for gid in waiting if gid not in no_channel]
        if sendable and not stopping.is_set():
            await self._send_all(guilds, sendable, tally, stopping)
        async with self._sessionmaker() as session:
            after = await LedgerRepository(session).pending_by_guild()
        tally.pending = sum(n for gid, n in after.items() if gid in guilds)
        return tally

    async def _send_all(
        self,
        guilds: dict[int, Guild],
        sendable: list[int],
        tally: DeliveryTally,
        stopping: asyncio.Event,
    ) -> None:
        """Claim the guilds' rows in one go, then send to a few guilds at a time."""
        token, now = uuid.uuid4().hex, self._now()
        until = now + self._lease
        claimed = await retrying(
            self._sessionmaker, lambda s: LedgerRepository(s).claim(sendable, token, now, until)
        )
        run = Round(
            token, until, DeliveryMarker(self._sessionmaker, token, self._now), tally, stopping
        )
        gate = asyncio.Semaphore(GUILD_CONCURRENCY)

        async def one(guild_id: int) -> None:
            async with gate:
                await self._guarded_guild(guilds[guild_id], claimed[guild_id], run)

        await asyncio.gather(*(one(guild_id) for guild_id in claimed))

    async def _guarded_guild(self, guild: Guild, rows: list[ClaimedDelivery], run: Round) -> None:
        """Deliver one guild; an unexpected failure is logged and the cycle goes on."""
        try:
            await self._deliver_guild(guild, rows, run)
        except Exception:
            log.exception("Delivering updates to guild %s failed", guild.id)

    async def _deliver_guild(self, guild: Guild, rows: list[ClaimedDelivery], run: Round) -> None:
        display = GuildDisplay(guild.notification_role_id, guild.timezone)
        outgoing = build_messages(_events(rows), display, self._image_url)
        delivered_before = run.tally.delivered
        for index, (message, ids) in enumerate(outgoing):
            error = self._cannot_send(run) or await self._send_one(guild, message, ids, run)
            if error is not None:
                rest = [i for _, batch in outgoing[index:] for i in batch]
                await self._release(rest, run.token, error)
                return
        if run.tally.delivered > delivered_before and guild.delivery_problem:
            await self._set_problem(guild.id, None)

    def _cannot_send(self, run: Round) -> str | None:
        """Say why no further message may be sent in this round, if so."""
        if run.stopping.is_set():
            return "FilmBot stopped before sending"
        if self._now() >= run.until - LEASE_MARGIN:
            return "the claim's lease ran out before sending"
        return None

    async def _send_one(
        self, guild: Guild, message: NotificationMessage, ids: list[int], run: Round
    ) -> str | None:
        """Send one message; return an error when the guild's remaining rows must wait."""
        channel_id = guild.notification_channel_id
        assert channel_id is not None
        try:
            sent = await self._sender.send(channel_id, message)
        except MessageRejected as exc:
            log.warning("Discord refused an update message for guild %s: %s", guild.id, exc.reason)
            run.tally.failed += len(ids)
            reason = exc.reason
            await retrying(
                self._sessionmaker,
                lambda s: LedgerRepository(s).mark_failed(ids, run.token, reason),
            )
            return None
        except DeliveryError as exc:
            await self._failed(guild, exc, run.tally, len(ids))
            return exc.reason
        await run.marker.mark(ids, sent.message_id)
        run.tally.delivered += len(ids)
        run.tally.messages += 1
        return None

    async def _failed(
        self, guild: Guild, exc: DeliveryError, tally: DeliveryTally, events: int
    ) -> None:
        """Log a failed send and flag the guild when its channel is unusable."""
        tally.failed += events
        if isinstance(exc, ChannelUnavailable):
            log.warning(
                "Guild %s: cannot post updates in channel %s: %s",
                guild.id,
                guild.notification_channel_id,
                exc.reason,
            )
            problem = f"Cannot post in the notification channel: {exc.reason}"
            await self._set_problem(guild.id, problem[:PROBLEM_LENGTH])
        else:
            log.warning("Guild %s: update delivery will be retried: %s", guild.id, exc.reason)

    async def _release(self, ids: list[int], token: str, error: str | None) -> None:
        await retrying(self._sessionmaker, lambda s: LedgerRepository(s).release(ids, token, error))

    async def _flag_unconfigured(self, guilds: list[Guild]) -> None:
        """Flag guilds whose events wait for a notification channel."""
        for guild in guilds:
            if guild.delivery_problem != NO_CHANNEL:
                await self._set_problem(guild.id, NO_CHANNEL)

    async def _set_problem(self, guild_id: int, problem: str | None) -> None:
        async with self._sessionmaker.begin() as session:
            await GuildRepository(session).update(guild_id, delivery_problem=problem)


def _events(rows: list[ClaimedDelivery]) -> list[tuple[int, UpdateEvent]]:
    return [
        (row.id, event_from_ledger(row.ref, row.kind, row.event_key, row.payload)) for row in rows
    ]
