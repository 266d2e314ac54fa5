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

from sqlalchemy import Select, Table, bindparam, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from filmbot.db.dialects import chunks, insert_ignore
from filmbot.db.models import UpdateDeliveryRow
from filmbot.domain.models import MediaType, TitleRef
from filmbot.domain.updates import ClaimedDelivery, DeliveryStatus, LedgerEntry, LedgerKey

# The stored column values, as plain strings for the drivers.
_PENDING = DeliveryStatus.PENDING.value
_DELIVERED = DeliveryStatus.DELIVERED.value
_MISSED = DeliveryStatus.MISSED.value
_FAILED = DeliveryStatus.FAILED.value
ERROR_LENGTH = 300
KEYS_BATCH = 5000


class PendingDelivery(NamedTuple):
    """A pending ledger row as delivery sees it: its guild, its event and its claim, if any."""

    guild_id: int
    delivery: ClaimedDelivery
    claimed_by: str | None
    claimed_until: datetime | None


class LedgerRepository:
    """Batch reads and writes of the delivery ledger."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    # -- recording --------------------------------------------------------------------------

    async def recent_keys(self, expiring_after: datetime) -> set[LedgerKey]:
        """Return the keys of ledger rows whose window closes after the instant.

        Read in batches that let other tasks run between them, with one TitleRef per title.
        """
        row = UpdateDeliveryRow
        query = select(row.guild_id, row.media_type, row.tmdb_id, row.kind, row.event_key).where(
            row.expires_at > expiring_after
        )
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
                "guild_id": e.guild_id,
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
        statement = insert_ignore(self._session.get_bind().dialect.name, UpdateDeliveryRow)
        for chunk in chunks(rows):
            await self._session.execute(statement, chunk)

    # -- delivering -------------------------------------------------------------------------

    async def expire_pending(self, now: datetime) -> int:
        """Mark pending rows whose window has closed as missed; return how many."""
        row = UpdateDeliveryRow
        ids = sorted(
            await self._session.scalars(
                select(row.id).where(row.status == _PENDING, row.expires_at <= now, _unclaimed(now))
            )
        )
        if not ids:
            return 0
        result = await self._session.execute(
            update(row)
            .where(row.id.in_(ids), row.status == _PENDING, _unclaimed(now))
            .values(status=_MISSED, claimed_by=None, claimed_until=None)
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def pending_by_guild(self) -> dict[int, int]:
        """Count pending rows per guild."""
        row = UpdateDeliveryRow
        query = (
            select(row.guild_id, func.count()).where(row.status == _PENDING).group_by(row.guild_id)
        )
        return {int(g): int(n) for g, n in await self._session.execute(query)}

    async def pending_for(self, guild_ids: Sequence[int], now: datetime) -> list[PendingDelivery]:
        """Read the guilds' sendable pending rows with their claims, without claiming them."""
        row = UpdateDeliveryRow
        found: list[PendingDelivery] = []
        for chunk in chunks(sorted(guild_ids)):
            query: Select[Any] = (
                select(
                    row.guild_id,
                    row.id,
                    row.media_type,
                    row.tmdb_id,
                    row.kind,
                    row.event_key,
                    row.payload,
                    row.claimed_by,
                    row.claimed_until,
                )
                .where(row.guild_id.in_(chunk), row.status == _PENDING, row.expires_at > now)
                .order_by(row.guild_id, row.id)
            )
            for g, i, m, t, k, e, p, by, until in await self._session.execute(query):
                delivery = ClaimedDelivery(int(i), TitleRef(MediaType(m), int(t)), k, e, p)
                found.append(PendingDelivery(int(g), delivery, by, until))
        return found

    async def claim(
        self,
        ids: Sequence[int],
        previous: str | None,
        token: str,
        now: datetime,
        until: datetime,
    ) -> list[int]:
        """Claim one message's rows for `token` until the lease ends; return the ids won.

        `previous` is the claim the rows are expected to carry: None for rows never sent,
        or the expired claim of a message a crashed run had in flight (so that it is
        retried as the same group). The UPDATE re-checks its WHERE on each locked row, so
        of two engines claiming at once only one gets each row; the other sees an
        unexpired lease or another claim and skips it. Rows are updated by primary key so
        that InnoDB takes no gap locks.
        """
        row = UpdateDeliveryRow
        wanted = sorted(ids)
        held_before = row.claimed_by.is_(None) if previous is None else row.claimed_by == previous
        result = await self._session.execute(
            update(row)
            .where(row.id.in_(wanted), row.status == _PENDING, held_before, _unclaimed(now))
            .values(claimed_by=token, claimed_until=until, attempts=row.attempts + 1)
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
        row = UpdateDeliveryRow
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
        table = cast(Table, UpdateDeliveryRow.__table__)
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

    async def release(self, ids: Sequence[int], token: str, error: str | None) -> None:
        """End the lease on a message's rows after a failed send so a later pass retries them.

        The rows keep `token` as their claim so that the retry sends them as the same
        message, with the same nonce, whatever else became pending meanwhile (a send that
        timed out may have reached Discord).
        """
        if not ids:
            return
        row = UpdateDeliveryRow
        await self._session.execute(
            update(row)
            .where(row.id.in_(list(ids)), row.claimed_by == token, row.status == _PENDING)
            .values(claimed_until=None, last_error=error[:ERROR_LENGTH] if error else None)
            .execution_options(synchronize_session=False)
        )

    async def _finish(self, ids: Sequence[int], token: str, status: str, **values: Any) -> int:
        row = UpdateDeliveryRow
        result = await self._session.execute(
            update(row)
            .where(row.id.in_(list(ids)), row.claimed_by == token, row.status == _PENDING)
            .values(status=status, claimed_until=None, **values)
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]


def _unclaimed(now: datetime) -> Any:
    row = UpdateDeliveryRow
    return or_(row.claimed_until.is_(None), row.claimed_until < now)
