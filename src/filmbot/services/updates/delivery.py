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

Each row goes to the channel `ChannelRoutes` picks (the subscription's own, else the movie or
TV channel, else the notification channel); a message holds rows of one channel only, and
its claim records that channel, so a message left in flight is resent where it first went.
A channel the bot cannot post in holds back only the rows routed to it.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import timedelta

from filmbot.db.repositories.guilds import GuildRepository
from filmbot.db.repositories.ledger import LedgerRepository, PendingDelivery
from filmbot.db.repositories.plan import PlanRepository
from filmbot.db.repositories.subscriptions import SubscriptionRepository
from filmbot.db.session import READ_ONLY, retrying
from filmbot.domain.models import Guild, TitleRef
from filmbot.domain.routing import ChannelRoutes
from filmbot.domain.updates import ClaimedDelivery
from filmbot.services.notifications import (
    ChannelUnavailable,
    DeliveryError,
    GuildDisplay,
    MessageRejected,
    NotificationMessage,
    NotificationSender,
    build_messages,
)
from filmbot.services.updates.buttons import with_notify_me_buttons, with_subscribe_buttons
from filmbot.services.updates.grouping import DeliveryTally, Held, events_of, groups_to_send
from filmbot.services.updates.sending import (
    DeliveryMarker,
    LedgerDeliverer,
    message_nonce,
)

log = logging.getLogger(__name__)

FOLLOW_UP_MARGIN = timedelta(seconds=0.5)
MAX_FOLLOW_UPS = 3
GUILD_CONCURRENCY = 8
NO_CHANNEL = "No notification channel is set, so update notifications are waiting."
PROBLEM_LENGTH = 300

Render = Callable[[list[ClaimedDelivery]], list[tuple[NotificationMessage, list[int]]]]
Overrides = dict[tuple[int, TitleRef], int]


@dataclass(slots=True)
class Round:
    """One delivery pass: its marker, its tally, the rows it found held, the stop signal."""

    marker: DeliveryMarker
    tally: DeliveryTally
    stopping: asyncio.Event
    held: Held = field(default_factory=Held)
    overrides: Overrides = field(default_factory=dict)


class Deliverer(LedgerDeliverer[NotificationSender]):
    """Send a cycle's pending notifications, guild by guild, one claimed message at a time."""

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
        no_channel = await self._without_channels([guilds[gid] for gid in waiting])
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
            await session.connection(execution_options={READ_ONLY: True})
            rows = await LedgerRepository(session).pending_for(guild_ids, now)
            overrides = await SubscriptionRepository(session).channel_overrides(guild_ids)
        by_guild: dict[int, list[PendingDelivery]] = {}
        for row in rows:
            by_guild.setdefault(row.guild_id, []).append(row)
        run = Round(DeliveryMarker(self._sessionmaker, self._now), tally, stopping)
        run.overrides = overrides
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
        display = GuildDisplay(
            guild.notification_role_id, guild.timezone, guild.notification_templates
        )

        def render(group: list[ClaimedDelivery]) -> list[tuple[NotificationMessage, list[int]]]:
            events = events_of(group)
            built = with_notify_me_buttons(build_messages(events, display, self._image_url), events)
            return with_subscribe_buttons(built, events)

        routes = ChannelRoutes.of(guild)

        def destination(row: ClaimedDelivery) -> int | None:
            return routes.channel_for(row.ref.media_type, run.overrides.get((guild.id, row.ref)))

        delivered_before, broken, unrouted = run.tally.delivered, set[int](), False
        for previous, channel_id, group in groups_to_send(
            guild.id, rows, self._now(), run.held, destination
        ):
            if channel_id is None or channel_id in broken:
                unrouted = unrouted or channel_id is None
                continue
            by_id = {row.id: row for row in group}
            for message, ids in render(group):
                if run.stopping.is_set():
                    return
                batch = [by_id[i] for i in ids]
                error = await self._claim_and_send(
                    guild, channel_id, message, batch, run, previous=previous, render=render
                )
                if isinstance(error, ChannelUnavailable):
                    broken.add(channel_id)
                    break
                if error is not None:
                    return
        if unrouted and not broken:
            await self._flag_unconfigured([guild])
        elif run.tally.delivered > delivered_before and guild.delivery_problem and not broken:
            await self._set_problem(guild.id, None)

    async def _claim_and_send(
        self,
        guild: Guild,
        channel_id: int,
        message: NotificationMessage,
        rows: list[ClaimedDelivery],
        run: Round,
        *,
        previous: str | None,
        render: Render,
    ) -> DeliveryError | None:
        """Claim the message's rows, then send those won; return an error to stop the channel."""
        token, now = uuid.uuid4().hex, self._now()
        ids = [row.id for row in rows]
        until = now + self._lease
        won = await retrying(
            self._sessionmaker,
            lambda s: LedgerRepository(s).claim(
                ids, previous, token, now, until, channel_id=channel_id
            ),
        )
        if len(won) < len(ids):
            run.held.add(guild.id, len(ids) - len(won), now + self._lease)
            if not won:
                return None
            rows = [row for row in rows if row.id in won]
            [(message, _)] = render(rows)
        message = replace(message, nonce=message_nonce(guild.id, rows))
        return await self._send_one(
            guild, channel_id, message, won, token=token, run=run, fresh=previous is None
        )

    async def _send_one(
        self,
        guild: Guild,
        channel_id: int,
        message: NotificationMessage,
        ids: list[int],
        *,
        token: str,
        run: Round,
        fresh: bool,
    ) -> DeliveryError | None:
        """Send one claimed message; return an error when the channel's other rows must wait.

        A first attempt that Discord refuses for its channel posted nothing, so its rows give
        up the claim and follow the routing again (a fixed route reaches them); a message
        left in flight keeps its claim and channel, as it may be posted there already.
        """
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
            unclaim = fresh and isinstance(exc, ChannelUnavailable)
            await self._release(ids, token, exc.reason, unclaim=unclaim)
            await self._failed(guild, channel_id, exc, run.tally, len(ids))
            return exc
        await run.marker.mark(ids, sent.message_id, token)
        run.tally.delivered += len(ids)
        run.tally.messages += 1
        return None

    async def _failed(
        self, guild: Guild, channel_id: int, exc: DeliveryError, tally: DeliveryTally, events: int
    ) -> None:
        """Log a failed send and flag the guild when its channel is unusable."""
        tally.failed += events
        if isinstance(exc, ChannelUnavailable):
            log.warning(
                "Guild %s: cannot post updates in channel %s: %s",
                guild.id,
                channel_id,
                exc.reason,
            )
            setting = ChannelRoutes.of(guild).describe(channel_id)
            problem = f"Cannot post in the {setting} <#{channel_id}>: {exc.reason}"
            await self._set_problem(guild.id, problem[:PROBLEM_LENGTH])
        else:
            log.warning("Guild %s: update delivery will be retried: %s", guild.id, exc.reason)

    async def _release(
        self, ids: list[int], token: str, error: str | None, *, unclaim: bool = False
    ) -> None:
        await retrying(
            self._sessionmaker,
            lambda s: LedgerRepository(s).release(ids, token, error, unclaim=unclaim),
        )

    async def _without_channels(self, guilds: list[Guild]) -> list[int]:
        """The guilds that set no channel at all, not even for one subscription."""
        unset = [guild.id for guild in guilds if not ChannelRoutes.of(guild).any_channel()]
        if not unset:
            return []
        async with self._sessionmaker() as session:
            overrides = await SubscriptionRepository(session).channel_overrides(unset)
        routed = {guild_id for guild_id, _ in overrides}
        return [guild_id for guild_id in unset if guild_id not in routed]

    async def _flag_unconfigured(self, guilds: list[Guild]) -> None:
        """Flag guilds whose events wait for a notification channel."""
        for guild in guilds:
            if guild.delivery_problem != NO_CHANNEL:
                await self._set_problem(guild.id, NO_CHANNEL)

    async def _set_problem(self, guild_id: int, problem: str | None) -> None:
        async with self._sessionmaker.begin() as session:
            await GuildRepository(session).update(guild_id, delivery_problem=problem)


async def _stopped_within(stopping: asyncio.Event, seconds: float) -> bool:
    """Wait `seconds` or until stopping; return True when stopping."""
    try:
        await asyncio.wait_for(stopping.wait(), timeout=max(0.0, seconds))
    except TimeoutError:
        return stopping.is_set()
    return True
