"""Deliver members' personal notifications by direct message, exactly once, like servers'.

The member ledger is worked like the servers' (see `delivery`): a pass reads the pending
rows, then member by member claims one message's rows, sends it with a nonce derived from
them while a heartbeat renews the lease, and marks them delivered. Rows a crashed run left
in flight are resent first as the same message with the same nonce. On top of that:

- quiet hours: a member's fresh rows wait (pending) while it is quiet where they live and
  go out on the first pass after; a row whose window closes meanwhile is marked missed;
- daily digests: once the member's digest time has come (spread over the following hour),
  one writer wins the member's digest day (`take_digest_day`) and takes every pending row
  into it; those rows are sent, up to 10 embeds a message; rows found later wait for the
  next day's digest, so a digest is never sent twice for a day;
- the DM channel comes from `POST /users/@me/channels` the first time and is cached;
- Discord's 50007 (the member does not accept DMs) marks the member: nothing more is tried
  until they use a notification command again (their follows are kept).

Discord's 429s and global rate limit are waited out by discord.py's HTTP client; a few
members are served at a time.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass, replace
from datetime import date, datetime

from filmbot.db.repositories.ledger import MemberLedgerRepository, PendingDelivery
from filmbot.db.repositories.personal import MemberSettingsRepository
from filmbot.db.session import Session, retrying
from filmbot.domain.personal import DigestMode, MemberState, NotifySettings
from filmbot.domain.updates import ClaimedDelivery
from filmbot.services.notifications import (
    ChannelUnavailable,
    DeliveryError,
    DirectMessenger,
    GuildDisplay,
    MessageRejected,
    NotificationMessage,
    RecipientRefusesDMs,
    build_messages,
)
from filmbot.services.updates.buttons import ANNOUNCED_KINDS, with_notify_me_buttons
from filmbot.services.updates.grouping import DeliveryTally, Held, events_of, groups_to_send
from filmbot.services.updates.sending import DeliveryMarker, LedgerDeliverer, message_nonce

log = logging.getLogger(__name__)

MEMBER_CONCURRENCY = 4
DIGEST_HEADING = "🗓️ Your FilmBot digest for {day}"
NONCE_SALT = 1 << 62  # keeps DM nonces apart from a server's with the same id


@dataclass(slots=True)
class MemberRound:
    """One pass over the members: its marker, tally and the rows others held."""

    marker: DeliveryMarker
    tally: DeliveryTally
    stopping: asyncio.Event
    held: Held


class MemberDeliverer(LedgerDeliverer[DirectMessenger]):
    """Send members' pending notifications by DM, honouring quiet hours and digests."""

    ledger = MemberLedgerRepository

    async def deliver(self, stopping: asyncio.Event) -> DeliveryTally:
        """Expire stale rows, then send every member's sendable rows."""
        tally = DeliveryTally()
        tally.expired = await retrying(
            self._sessionmaker, lambda s: MemberLedgerRepository(s).expire_pending(self._now())
        )
        now = self._now()
        async with self._sessionmaker() as session:
            ledger = MemberLedgerRepository(session)
            waiting = sorted(await ledger.pending_by_guild())
            rows = await ledger.pending_for(waiting, now) if waiting else []
            states = await MemberSettingsRepository(session).many(waiting)
        by_member: dict[int, list[PendingDelivery]] = {}
        for row in rows:
            by_member.setdefault(row.guild_id, []).append(row)
        run = MemberRound(
            DeliveryMarker(self._sessionmaker, self._now, MemberLedgerRepository),
            tally,
            stopping,
            Held(),
        )
        gate = asyncio.Semaphore(MEMBER_CONCURRENCY)

        async def one(user_id: int) -> None:
            async with gate:
                if stopping.is_set():
                    return
                state = states.get(user_id) or MemberState(user_id, NotifySettings())
                try:
                    await self._deliver_member(state, by_member[user_id], run)
                except Exception:
                    log.exception("Delivering direct messages to a member failed")

        await asyncio.gather(*(one(user_id) for user_id in by_member))
        async with self._sessionmaker() as session:
            after = await MemberLedgerRepository(session).pending_by_guild()
        tally.pending = sum(after.values())
        if run.held.rows:
            log.info("%s direct messages are held by another run's lease", run.held.rows)
        return tally

    async def _deliver_member(
        self, state: MemberState, rows: list[PendingDelivery], run: MemberRound
    ) -> None:
        if state.dm_blocked:
            return
        now = self._now()
        groups = groups_to_send(state.user_id, rows, now, run.held, lambda _delivery: None)
        in_flight = [(token, group) for token, _, group in groups if token is not None]
        fresh = [row for token, _, group in groups if token is None for row in group]
        heading = ""
        if fresh and state.settings.digest is DigestMode.DAILY:
            fresh, day = await self._digest_rows(state, fresh, now)
            heading = DIGEST_HEADING.format(day=day.isoformat()) if day else ""
        elif fresh and state.settings.is_quiet(now):
            fresh = []
        display = GuildDisplay(None, state.settings.timezone)
        channel: list[int | None] = [state.dm_channel_id]
        batches = [*in_flight, *([(None, fresh)] if fresh else [])]
        for previous, group in batches:
            by_id = {row.id: row for row in group}
            events = events_of(group)
            built_messages = build_messages(events, display, self._image_url)
            for built, ids in with_notify_me_buttons(built_messages, events, ANNOUNCED_KINDS):
                if run.stopping.is_set():
                    return
                message = replace(built, content=heading) if heading else built
                batch = [by_id[i] for i in ids]
                if not await self._claim_and_send(state, channel, message, batch, previous, run):
                    return

    async def _digest_rows(
        self, state: MemberState, fresh: list[ClaimedDelivery], now: datetime
    ) -> tuple[list[ClaimedDelivery], date | None]:
        """The rows of the member's digest that may go now, and the digest's day."""
        day = state.settings.digest_due(now, state.user_id)
        if day is not None:
            text = day.isoformat()

            async def take(session: Session) -> None:
                if await MemberSettingsRepository(session).take_digest_day(state.user_id, day):
                    await MemberLedgerRepository(session).tag_digest(state.user_id, text)

            await retrying(self._sessionmaker, take)
        async with self._sessionmaker() as session:
            tagged = await MemberLedgerRepository(session).digest_days([r.id for r in fresh])
        if not tagged:
            return [], None
        last = max(tagged.values())
        return [row for row in fresh if row.id in tagged], date.fromisoformat(last)

    async def _claim_and_send(  # noqa: PLR0917 - one message's whole context
        self,
        state: MemberState,
        channel: list[int | None],
        message: NotificationMessage,
        rows: list[ClaimedDelivery],
        previous: str | None,
        run: MemberRound,
    ) -> bool:
        """Claim the rows, send them as one DM; return False when the member must wait."""
        token, now = uuid.uuid4().hex, self._now()
        ids = [row.id for row in rows]
        won = await retrying(
            self._sessionmaker,
            lambda s: MemberLedgerRepository(s).claim(ids, previous, token, now, now + self._lease),
        )
        if len(won) < len(ids):
            run.held.add(state.user_id, len(ids) - len(won), now + self._lease)
            return False
        message = replace(message, nonce=message_nonce(NONCE_SALT | state.user_id, rows))
        try:
            async with self._leases.held(won, token):
                channel_id = channel[0]
                if channel_id is None:
                    channel_id = channel[0] = await self._sender.open_dm(state.user_id)
                    await self._remember_channel(state.user_id, channel_id)
                sent = await self._sender.send(channel_id, message)
        except RecipientRefusesDMs as exc:
            log.info("A member does not accept direct messages; pausing theirs: %s", exc.reason)
            await self._release(won, token, exc.reason)
            await retrying(
                self._sessionmaker,
                lambda s: MemberSettingsRepository(s).mark_blocked(state.user_id, self._now()),
            )
            run.tally.failed += len(won)
            return False
        except MessageRejected as exc:
            reason = exc.reason
            await retrying(
                self._sessionmaker,
                lambda s: MemberLedgerRepository(s).mark_failed(won, token, reason),
            )
            run.tally.failed += len(won)
            return True
        except ChannelUnavailable as exc:
            # The cached DM channel is gone: open a new one next time.
            await self._release(won, token, exc.reason)
            await self._forget_channel(state.user_id)
            run.tally.failed += len(won)
            return False
        except DeliveryError as exc:
            await self._release(won, token, exc.reason)
            run.tally.failed += len(won)
            return False
        await run.marker.mark(won, sent.message_id, token)
        run.tally.delivered += len(won)
        run.tally.messages += 1
        return True

    async def _release(self, ids: list[int], token: str, error: str | None) -> None:
        await retrying(
            self._sessionmaker, lambda s: MemberLedgerRepository(s).release(ids, token, error)
        )

    async def _remember_channel(self, user_id: int, channel_id: int) -> None:
        await retrying(
            self._sessionmaker,
            lambda s: MemberSettingsRepository(s).cache_dm_channel(user_id, channel_id),
        )

    async def _forget_channel(self, user_id: int) -> None:
        await retrying(
            self._sessionmaker, lambda s: MemberSettingsRepository(s).forget_dm_channel(user_id)
        )
