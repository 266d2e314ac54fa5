"""The delivery half of an update cycle: claim one message's rows, send it, mark it delivered.

Exactly once, as far as it can be had. A pass reads the owned guilds' pending rows without
claiming them, then, guild by guild and message by message, claims only the rows of the
message it is about to send (an UPDATE that only succeeds on rows nobody holds, so two
engines never send the same row), sends it with a nonce derived from those rows while a
heartbeat renews the short lease, and marks the rows delivered as soon as Discord accepts
the message. A crash therefore strands only the messages that were in flight: once their
lease ends, the next pass resends each as the same group with the same nonce, and Discord
(told to enforce the nonce) returns the message it already posted instead of a second one.
A pass that finds rows held by the lease of another run (a crashed one, or another engine)
logs it and, when that lease ends soon, passes again right after it ends.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from filmbot.db.repositories.guilds import GuildRepository
from filmbot.db.repositories.ledger import LedgerRepository, PendingDelivery
from filmbot.db.repositories.plan import PlanRepository
from filmbot.db.session import Sessions, retrying
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
from filmbot.services.updates.buttons import with_notify_me_buttons
from filmbot.services.updates.sending import DeliveryMarker, LeaseKeeper, message_nonce

log = logging.getLogger(__name__)

DEFAULT_LEASE = timedelta(seconds=60)
FOLLOW_UP_MARGIN = timedelta(seconds=0.5)
MAX_FOLLOW_UPS = 3
GUILD_CONCURRENCY = 8
NO_CHANNEL = "No notification channel is set, so update notifications are waiting."
PROBLEM_LENGTH = 300

Render = Callable[[list[ClaimedDelivery]], list[tuple[NotificationMessage, list[int]]]]


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


@dataclass(slots=True)
class Round:
    """One delivery pass: its marker, its tally, the rows it found held, the stop signal."""

    marker: DeliveryMarker
    tally: DeliveryTally
    stopping: asyncio.Event
    held: Held = field(default_factory=Held)


class Deliverer:
    """Send a cycle's pending notifications, guild by guild, one claimed message at a time."""

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
        self._leases = LeaseKeeper(sessionmaker, lease, now)

    async def deliver_pending(
        self, owns: Callable[[int], bool] | None, stopping: asyncio.Event
    ) -> DeliveryTally:
        """Deliver what is pending for the owned guilds without checking TMDB."""
        async with self._sessionmaker() as session:
            active = await PlanRepository(session).active_guilds()
        guilds = {g.id: g for g in active if owns is None or owns(g.id)}
        return await self.deliver(guilds, stopping)

    async def deliver(self, guilds: dict[int, Guild], stopping: asyncio.Event) -> DeliveryTally:
        """Expire stale rows, then send the owned guilds' pending rows message by message."""
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
            held = await self._pass(guilds, sendable, tally, stopping)
            await self._follow_up(guilds, held, tally, stopping)
        async with self._sessionmaker() as session:
            after = await LedgerRepository(session).pending_by_guild()
        tally.pending = sum(n for gid, n in after.items() if gid in guilds)
        return tally

    async def _follow_up(
        self, guilds: dict[int, Guild], held: Held, tally: DeliveryTally, stopping: asyncio.Event
    ) -> None:
        """Pass again right after the leases of other runs end, while they end soon."""
        for _ in range(MAX_FOLLOW_UPS):
            if held.until is None or stopping.is_set():
                return
            margin = min(FOLLOW_UP_MARGIN, self._lease / 4)
            wait = held.until - self._now() + margin
            if wait > self._lease + margin:
                break
            log.info(
                "%s update notifications for %s servers are held back by the lease of an "
                "earlier delivery run until %s; retrying them then",
                held.rows,
                len(held.guilds),
                held.until.isoformat(timespec="seconds"),
            )
            if await _stopped_within(stopping, wait.total_seconds()):
                return
            held = await self._pass(guilds, sorted(held.guilds), tally, stopping)
        if held.until is not None:
            log.info(
                "%s update notifications for %s servers are held back by the lease of another "
                "delivery run until %s; the next update cycle retries them",
                held.rows,
                len(held.guilds),
                held.until.isoformat(timespec="seconds"),
            )

    async def _pass(
        self,
        guilds: dict[int, Guild],
        guild_ids: list[int],
        tally: DeliveryTally,
        stopping: asyncio.Event,
    ) -> Held:
        """Read the guilds' pending rows, then send to a few guilds at a time."""
        now = self._now()
        async with self._sessionmaker() as session:
            rows = await LedgerRepository(session).pending_for(guild_ids, now)
        by_guild: dict[int, list[PendingDelivery]] = {}
        for row in rows:
            by_guild.setdefault(row.guild_id, []).append(row)
        run = Round(DeliveryMarker(self._sessionmaker, self._now), tally, stopping)
        gate = asyncio.Semaphore(GUILD_CONCURRENCY)

        async def one(guild_id: int) -> None:
            async with gate:
                await self._guarded_guild(guilds[guild_id], by_guild[guild_id], run)

        await asyncio.gather(*(one(guild_id) for guild_id in by_guild))
        return run.held

    async def _guarded_guild(self, guild: Guild, rows: list[PendingDelivery], run: Round) -> None:
        """Deliver one guild; an unexpected failure is logged and the cycle goes on."""
        try:
            await self._deliver_guild(guild, rows, run)
        except Exception:
            log.exception("Delivering updates to guild %s failed", guild.id)

    async def _deliver_guild(self, guild: Guild, rows: list[PendingDelivery], run: Round) -> None:
        display = GuildDisplay(guild.notification_role_id, guild.timezone)

        def render(group: list[ClaimedDelivery]) -> list[tuple[NotificationMessage, list[int]]]:
            events = _events(group)
            return with_notify_me_buttons(build_messages(events, display, self._image_url), events)

        delivered_before = run.tally.delivered
        for previous, group in _groups(guild.id, rows, self._now(), run.held):
            by_id = {row.id: row for row in group}
            for message, ids in render(group):
                if run.stopping.is_set():
                    return
                batch = [by_id[i] for i in ids]
                error = await self._claim_and_send(
                    guild, message, batch, run, previous=previous, render=render
                )
                if error is not None:
                    return
        if run.tally.delivered > delivered_before and guild.delivery_problem:
            await self._set_problem(guild.id, None)

    async def _claim_and_send(
        self,
        guild: Guild,
        message: NotificationMessage,
        rows: list[ClaimedDelivery],
        run: Round,
        *,
        previous: str | None,
        render: Render,
    ) -> str | None:
        """Claim the message's rows, then send those won; return an error to stop the guild."""
        token, now = uuid.uuid4().hex, self._now()
        ids = [row.id for row in rows]
        won = await retrying(
            self._sessionmaker,
            lambda s: LedgerRepository(s).claim(ids, previous, token, now, now + self._lease),
        )
        if len(won) < len(ids):
            run.held.add(guild.id, len(ids) - len(won), now + self._lease)
            if not won:
                return None
            rows = [row for row in rows if row.id in won]
            [(message, _)] = render(rows)
        message = replace(message, nonce=message_nonce(guild.id, rows))
        return await self._send_one(guild, message, won, token, run)

    async def _send_one(
        self, guild: Guild, message: NotificationMessage, ids: list[int], token: str, run: Round
    ) -> str | None:
        """Send one claimed message; return an error when the guild's other rows must wait."""
        channel_id = guild.notification_channel_id
        assert channel_id is not None
        try:
            async with self._leases.held(ids, token):
                sent = await self._sender.send(channel_id, message)
        except MessageRejected as exc:
            log.warning("Discord refused an update message for guild %s: %s", guild.id, exc.reason)
            run.tally.failed += len(ids)
            reason = exc.reason
            await retrying(
                self._sessionmaker,
                lambda s: LedgerRepository(s).mark_failed(ids, token, reason),
            )
            return None
        except DeliveryError as exc:
            await self._release(ids, token, exc.reason)
            await self._failed(guild, exc, run.tally, len(ids))
            return exc.reason
        await run.marker.mark(ids, sent.message_id, token)
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


def _groups(
    guild_id: int, rows: list[PendingDelivery], now: datetime, held: Held
) -> list[tuple[str | None, list[ClaimedDelivery]]]:
    """Split a guild's pending rows into what to send, noting rows another run holds.

    Rows left in flight by a run that died (claimed, lease over) come first, one group per
    claim, so that each is resent as the message it was; rows never claimed follow.
    """
    in_flight: dict[str, list[ClaimedDelivery]] = {}
    fresh: list[ClaimedDelivery] = []
    for row in rows:
        if row.claimed_by is None:
            fresh.append(row.delivery)
        elif row.claimed_until is not None and row.claimed_until >= now:
            held.add(guild_id, 1, row.claimed_until)
        else:
            in_flight.setdefault(row.claimed_by, []).append(row.delivery)
    groups: list[tuple[str | None, list[ClaimedDelivery]]] = list(in_flight.items())
    groups.sort(key=lambda group: group[1][0].id)
    if fresh:
        groups.append((None, fresh))
    return groups


async def _stopped_within(stopping: asyncio.Event, seconds: float) -> bool:
    """Wait `seconds` or until stopping; return True when stopping."""
    try:
        await asyncio.wait_for(stopping.wait(), timeout=max(0.0, seconds))
    except TimeoutError:
        return stopping.is_set()
    return True


def _events(rows: list[ClaimedDelivery]) -> list[tuple[int, UpdateEvent]]:
    return [
        (row.id, event_from_ledger(row.ref, row.kind, row.event_key, row.payload)) for row in rows
    ]
