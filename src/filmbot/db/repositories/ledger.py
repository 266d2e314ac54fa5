"""The delivery ledger: one row per event and guild, recorded, claimed and marked once.

Recording and expiring work on whole batches; delivery reads the pending rows in one
query and then claims, renews and marks one message's rows at a time (a claim's token
also names the message's group, so a message a crashed run had in flight is retried as
the same group).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple, cast

from sqlalchemy import Select, Table, bindparam, delete, func, null, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from filmbot.db.dialects import chunks, insert_ignore
from filmbot.db.models import MemberDeliveryRow, UpdateDeliveryRow
from filmbot.domain.models import MediaType, TitleRef
from filmbot.domain.updates import ClaimedDelivery, DeliveryStatus, LedgerEntry, LedgerKey

# The stored column values, as plain strings for the drivers.
_PENDING = DeliveryStatus.PENDING.value
_DELIVERED = DeliveryStatus.DELIVERED.value
_MISSED = DeliveryStatus.MISSED.value
_FAILED = DeliveryStatus.FAILED.value
ERROR_LENGTH = 300
KEYS_BATCH = 2000
ROWS_BATCH = 500


class PendingDelivery(NamedTuple):
    """A pending ledger row as delivery sees it: its guild, its event and its claim, if any.

    `channel_id` is where its last claim sent it (None when never claimed).
    """

    guild_id: int
    delivery: ClaimedDelivery
    claimed_by: str | None
    claimed_until: datetime | None
    channel_id: int | None = None


class LedgerRepository:
    """Batch reads and writes of the delivery ledger.

    The servers' ledger (`update_deliveries`, recipient `guild_id`) by default;
    `MemberLedgerRepository` is the same ledger for direct messages (recipient `user_id`).
    """

    _row: type[UpdateDeliveryRow] | type[MemberDeliveryRow] = UpdateDeliveryRow

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def _recipient(self) -> Any:
        return getattr(self._row, self._recipient_name)

    @property
    def _routed(self) -> bool:
        """Whether rows record their destination channel (servers' rows; DMs have none)."""
        return self._row is UpdateDeliveryRow

    @property
    def _recipient_name(self) -> str:
        return "guild_id" if self._row is UpdateDeliveryRow else "user_id"

    # -- recording --------------------------------------------------------------------------

    async def recent_keys(self, expiring_after: datetime) -> set[LedgerKey]:
        """Return the keys of ledger rows whose window closes after the instant.

        Read in batches that let other tasks run between them, with one TitleRef per title.
        """
        row = self._row
        query = select(
            self._recipient(), row.media_type, row.tmdb_id, row.kind, row.event_key
        ).where(row.expires_at > expiring_after)
        keys: set[LedgerKey] = set()
        refs: dict[tuple[Any, int], TitleRef] = {}
        result = await self._session.stream(query.execution_options(yield_per=KEYS_BATCH))
        async for rows in result.partitions(KEYS_BATCH):
            for g, m, t, k, e in rows:
                ref = refs.get((m, t))
                if ref is None:
                    ref = refs[(m, t)] = TitleRef(MediaType(m), int(t))
                keys.add((int(g), ref, k, e))
            await asyncio.sleep(0)
        return keys

    async def record(self, entries: Sequence[LedgerEntry], now: datetime) -> None:
        """Insert ledger rows, skipping any another engine inserted first.

        Rows go in key order so that two engines inserting the same keys lock them in the
        same order instead of deadlocking.
        """
        ordered = sorted(entries, key=lambda e: (e.guild_id, str(e.ref), e.kind, e.event_key))
        rows = [
            {
                self._recipient_name: e.guild_id,
                "media_type": e.ref.media_type,
                "tmdb_id": e.ref.tmdb_id,
                "kind": e.kind,
                "event_key": e.event_key,
                "status": e.status.value,
                "payload": e.payload,
                "expires_at": e.expires_at,
                "created_at": now,
                "attempts": 0,
            }
            for e in ordered
        ]
        statement = insert_ignore(self._session.get_bind().dialect.name, self._row)
        for chunk in chunks(rows):
            await self._session.execute(statement, chunk)

    # -- delivering -------------------------------------------------------------------------

    async def expire_pending(self, now: datetime) -> int:
        """Mark pending rows whose window has closed as missed; return how many."""
        row = self._row
        ids = sorted(
            await self._session.scalars(
                select(row.id).where(
                    row.status == _PENDING, row.expires_at <= now, _unclaimed(now, row)
                )
            )
        )
        if not ids:
            return 0
        result = await self._session.execute(
            update(row)
            .where(row.id.in_(ids), row.status == _PENDING, _unclaimed(now, row))
            .values(status=_MISSED, claimed_by=None, claimed_until=None)
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def pending_by_guild(self) -> dict[int, int]:
        """Count pending rows per guild."""
        row, recipient = self._row, self._recipient()
        query = select(recipient, func.count()).where(row.status == _PENDING).group_by(recipient)
        return {int(g): int(n) for g, n in await self._session.execute(query)}

    async def pending_for(self, guild_ids: Sequence[int], now: datetime) -> list[PendingDelivery]:
        """Read the guilds' sendable pending rows with their claims, without claiming them."""
        row, recipient = self._row, self._recipient()
        found: list[PendingDelivery] = []
        for chunk in chunks(sorted(guild_ids)):
            query: Select[Any] = (
                select(
                    recipient,
                    row.id,
                    row.media_type,
                    row.tmdb_id,
                    row.kind,
                    row.event_key,
                    row.payload,
                    row.claimed_by,
                    row.claimed_until,
                    UpdateDeliveryRow.channel_id if self._routed else null(),
                )
                .where(recipient.in_(chunk), row.status == _PENDING, row.expires_at > now)
                .order_by(recipient, row.id)
            )
            result = await self._session.stream(query.execution_options(yield_per=ROWS_BATCH))
            try:
                async for rows in result.partitions(ROWS_BATCH):
                    for g, i, m, t, k, e, p, by, until, channel in rows:
                        ref = TitleRef(MediaType(m), int(t))
                        delivery = ClaimedDelivery(int(i), ref, k, e, p)
                        found.append(PendingDelivery(int(g), delivery, by, until, channel))
                    # Decoding thousands of payloads is long work: let the loop run between.
                    await asyncio.sleep(0)
            finally:
                await result.close()
        return found

    async def claim(
        self,
        ids: Sequence[int],
        previous: str | None,
        token: str,
        now: datetime,
        until: datetime,
        *,
        channel_id: int | None = None,
    ) -> list[int]:
        """Claim one message's rows for `token` until the lease ends; return the ids won.

        `channel_id` records where the message goes, so that a retry of the same group
        goes to the same channel.

        `previous` is the claim the rows are expected to carry: None for rows never sent,
        or the expired claim of a message a crashed run had in flight (so that it is
        retried as the same group). The UPDATE re-checks its WHERE on each locked row, so
        of two engines claiming at once only one gets each row; the other sees an
        unexpired lease or another claim and skips it. Rows are updated by primary key so
        that InnoDB takes no gap locks.
        """
        row = self._row
        routed = {"channel_id": channel_id} if self._routed else {}
        wanted = sorted(ids)
        held_before = row.claimed_by.is_(None) if previous is None else row.claimed_by == previous
        result = await self._session.execute(
            update(row)
            .where(row.id.in_(wanted), row.status == _PENDING, held_before, _unclaimed(now, row))
            .values(claimed_by=token, claimed_until=until, attempts=row.attempts + 1, **routed)
            .execution_options(synchronize_session=False)
        )
        if int(result.rowcount) == len(wanted):  # type: ignore[attr-defined]
            return wanted
        won = await self._session.scalars(
            select(row.id).where(row.id.in_(wanted), row.claimed_by == token)
        )
        return sorted(int(i) for i in won)

    async def renew(self, ids: Sequence[int], token: str, until: datetime) -> int:
        """Extend the lease of rows still claimed by `token`; return how many."""
        row = self._row
        result = await self._session.execute(
            update(row)
            .where(row.id.in_(list(ids)), row.claimed_by == token, row.status == _PENDING)
            .values(claimed_until=until)
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def mark_delivered(
        self, sent: Sequence[tuple[Sequence[int], int | None, str]], now: datetime
    ) -> int | None:
        """Mark the rows of accepted messages delivered, with each message's id, at once.

        `sent` holds each message's rows, Discord's message id and the message's claim.
        Return how many rows were still claimed (None where the driver cannot count the
        rows of one statement run with many parameter sets).
        """
        table = cast(Table, self._row.__table__)
        params = [
            {"row_id": i, "sent_id": message_id, "token": token}
            for ids, message_id, token in sent
            for i in ids
        ]
        if not params:
            return 0
        statement = (
            update(table)
            .where(
                table.c.id == bindparam("row_id"),
                table.c.claimed_by == bindparam("token"),
                table.c.status == _PENDING,
            )
            .values(
                status=_DELIVERED,
                claimed_until=None,
                delivered_at=now,
                message_id=bindparam("sent_id"),
            )
        )
        result = await self._session.execute(statement, params)
        if not self._session.get_bind().dialect.supports_sane_multi_rowcount:
            return None
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def mark_failed(self, ids: Sequence[int], token: str, error: str) -> int:
        """Mark claimed rows as refused for good by Discord."""
        return await self._finish(ids, token, _FAILED, last_error=error[:ERROR_LENGTH])

    async def release(
        self, ids: Sequence[int], token: str, error: str | None, *, unclaim: bool = False
    ) -> None:
        """End the lease on a message's rows after a failed send so a later pass retries them.

        The rows keep `token` as their claim so that the retry sends them as the same
        message, with the same nonce, whatever else became pending meanwhile (a send that
        timed out may have reached Discord). With `unclaim` (Discord refused the channel,
        so nothing was posted) they drop the claim and its channel, and are routed afresh.
        """
        if not ids:
            return
        row = self._row
        values: dict[str, Any] = {
            "claimed_until": None,
            "last_error": error[:ERROR_LENGTH] if error else None,
        }
        if unclaim:
            values["claimed_by"] = None
            if self._routed:
                values["channel_id"] = None
        await self._session.execute(
            update(row)
            .where(row.id.in_(list(ids)), row.claimed_by == token, row.status == _PENDING)
            .values(**values)
            .execution_options(synchronize_session=False)
        )

    async def _finish(self, ids: Sequence[int], token: str, status: str, **values: Any) -> int:
        row = self._row
        result = await self._session.execute(
            update(row)
            .where(row.id.in_(list(ids)), row.claimed_by == token, row.status == _PENDING)
            .values(status=status, claimed_until=None, **values)
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]


def _unclaimed(now: datetime, row: Any = UpdateDeliveryRow) -> Any:
    return or_(row.claimed_until.is_(None), row.claimed_until < now)


class MemberLedgerRepository(LedgerRepository):
    """The delivery ledger of direct messages, whose recipient is a member (`user_id`)."""

    _row = MemberDeliveryRow

    async def tag_digest(self, user_id: int, day: str) -> int:
        """Take the member's pending rows not yet in a digest into the digest of `day`."""
        row = MemberDeliveryRow
        result = await self._session.execute(
            update(row)
            .where(
                row.user_id == user_id,
                row.status == _PENDING,
                row.digest_day.is_(None),
                row.claimed_by.is_(None),
            )
            .values(digest_day=day)
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def digest_days(self, ids: Sequence[int]) -> dict[int, str]:
        """The digest day of each of these rows that was taken into a digest."""
        row = MemberDeliveryRow
        found: dict[int, str] = {}
        for chunk in chunks(sorted(ids)):
            query = select(row.id, row.digest_day).where(
                row.id.in_(chunk), row.digest_day.is_not(None)
            )
            for i, d in await self._session.execute(query):
                found[int(i)] = str(d)
        return found

    async def delete_user(self, user_id: int) -> int:
        """Delete the member's rows (their data goes with /privacy delete)."""
        result = await self._session.execute(
            delete(MemberDeliveryRow).where(MemberDeliveryRow.user_id == user_id)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]
