"""The update engine's storage: title snapshots, the delivery ledger and cycle state.

Every method works on whole batches so that an update cycle issues a handful of
statements whatever the number of subscriptions.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple, TypeVar, cast

from sqlalchemy import Select, Table, bindparam, delete, func, or_, select, tuple_, update
from sqlalchemy.dialects import mysql, postgresql, sqlite
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.sql.dml import Insert

from filmbot.db.models import (
    GuildRow,
    SubscriptionRow,
    TitleSnapshotRow,
    UpdateCycleRow,
    UpdateDeliveryRow,
)
from filmbot.db.repositories.guilds import to_guild
from filmbot.db.repositories.subscriptions import SubscriptionRepository
from filmbot.domain.models import Guild, MediaType, TitleRef

PENDING, DELIVERED, MISSED, FAILED = "pending", "delivered", "missed", "failed"
RETRY_ATTEMPTS = 4
_MYSQL_LOCK_CODES = (1213, 1205)
_PG_LOCK_STATES = ("40P01", "40001")
T = TypeVar("T")
log = logging.getLogger(__name__)
CHUNK = 500
ERROR_LENGTH = 300

LedgerKey = tuple[int, TitleRef, str, str]


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
    status: str
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


class UpdateRepository:
    """Batch reads and writes for the update cycle."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    # -- what to check --------------------------------------------------------------------

    async def active_guilds(self) -> list[Guild]:
        """Return guilds with auto-update on that the bot has not left."""
        query = select(GuildRow).where(GuildRow.auto_update.is_(True), GuildRow.left_at.is_(None))
        return [to_guild(row) for row in await self._session.scalars(query)]

    async def active_subscriptions(self) -> list[SubscriptionLine]:
        """Return subscriptions of guilds with auto-update on that the bot has not left."""
        sub = SubscriptionRow
        query = (
            select(
                sub.guild_id,
                sub.media_type,
                sub.tmdb_id,
                sub.title,
                sub.poster_path,
                sub.notify_release,
                sub.notify_update,
            )
            .join(GuildRow, GuildRow.id == sub.guild_id)
            .where(GuildRow.auto_update.is_(True), GuildRow.left_at.is_(None))
            .where(sub.title_missing.is_(False))
        )
        rows = await self._session.execute(query)
        return [
            SubscriptionLine(
                int(g), TitleRef(MediaType(m), int(t)), title, poster, bool(r), bool(u)
            )
            for g, m, t, title, poster, r, u in rows
        ]

    async def missing_titles(self, limit: int) -> list[TitleRef]:
        """Titles whose subscriptions are marked as deleted on TMDB."""
        sub = SubscriptionRow
        query = (
            select(sub.media_type, sub.tmdb_id)
            .where(sub.title_missing.is_(True))
            .distinct()
            .order_by(sub.media_type, sub.tmdb_id)
            .limit(limit)
        )
        rows = await self._session.execute(query)
        return [TitleRef(MediaType(m), int(t)) for m, t in rows]

    async def snapshots(self, scope: str) -> dict[TitleRef, StoredSnapshot]:
        """Return every stored snapshot of the scope."""
        row = TitleSnapshotRow
        query = select(row.media_type, row.tmdb_id, row.data, row.fetched_at).where(
            row.scope == scope
        )
        result = await self._session.execute(query)
        return {
            TitleRef(MediaType(m), int(t)): StoredSnapshot(data, fetched)
            for m, t, data, fetched in result
        }

    async def snapshots_for(
        self, scope: str, refs: Sequence[TitleRef]
    ) -> dict[TitleRef, StoredSnapshot]:
        """Return the scope's stored snapshots of some titles."""
        row = TitleSnapshotRow
        pairs = [(ref.media_type.value, ref.tmdb_id) for ref in refs]
        if not pairs:
            return {}
        query = select(row.media_type, row.tmdb_id, row.data, row.fetched_at).where(
            row.scope == scope, tuple_(row.media_type, row.tmdb_id).in_(pairs)
        )
        result = await self._session.execute(query)
        return {
            TitleRef(MediaType(m), int(t)): StoredSnapshot(data, fetched)
            for m, t, data, fetched in result
        }

    async def delete_snapshots(self, scope: str, refs: Sequence[TitleRef]) -> int:
        """Forget the scope's snapshots of titles nobody follows any more."""
        row = TitleSnapshotRow
        removed = 0
        ordered = sorted(refs, key=str)
        for start in range(0, len(ordered), 500):
            pairs = [(r.media_type.value, r.tmdb_id) for r in ordered[start : start + 500]]
            result = await self._session.execute(
                delete(row).where(
                    row.scope == scope, tuple_(row.media_type, row.tmdb_id).in_(pairs)
                )
            )
            removed += int(result.rowcount)  # type: ignore[attr-defined]
        return removed

    async def save_snapshots(
        self, scope: str, snapshots: Sequence[tuple[TitleRef, dict[str, Any], datetime]]
    ) -> None:
        """Insert or replace snapshots, in batches."""
        rows = [
            {
                "scope": scope,
                "media_type": ref.media_type,
                "tmdb_id": ref.tmdb_id,
                "data": data,
                "fetched_at": fetched,
            }
            for ref, data, fetched in sorted(snapshots, key=lambda s: str(s[0]))
        ]
        for chunk in _chunks(rows):
            statement = _upsert(
                self._dialect(), TitleSnapshotRow, ["scope", "media_type", "tmdb_id"]
            )
            await self._session.execute(statement, chunk)

    # -- the ledger: recording --------------------------------------------------------------

    async def recent_ledger_keys(self, expiring_after: datetime) -> set[LedgerKey]:
        """Return the keys of ledger rows whose window closes after the instant."""
        row = UpdateDeliveryRow
        query = select(row.guild_id, row.media_type, row.tmdb_id, row.kind, row.event_key).where(
            row.expires_at > expiring_after
        )
        result = await self._session.execute(query)
        return {(int(g), TitleRef(MediaType(m), int(t)), k, e) for g, m, t, k, e in result}

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
                "status": e.status,
                "payload": e.payload,
                "expires_at": e.expires_at,
                "created_at": now,
                "attempts": 0,
            }
            for e in ordered
        ]
        for chunk in _chunks(rows):
            await self._session.execute(_insert_ignore(self._dialect()), chunk)

    # -- the ledger: delivering -------------------------------------------------------------

    async def expire_pending(self, now: datetime) -> int:
        """Mark pending rows whose window has closed as missed; return how many."""
        row = UpdateDeliveryRow
        ids = sorted(
            await self._session.scalars(
                select(row.id).where(row.status == PENDING, row.expires_at <= now, _unclaimed(now))
            )
        )
        if not ids:
            return 0
        result = await self._session.execute(
            update(row)
            .where(row.id.in_(ids), row.status == PENDING, _unclaimed(now))
            .values(status=MISSED, claimed_by=None, claimed_until=None)
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def pending_by_guild(self) -> dict[int, int]:
        """Count pending rows per guild."""
        row = UpdateDeliveryRow
        query = (
            select(row.guild_id, func.count()).where(row.status == PENDING).group_by(row.guild_id)
        )
        return {int(g): int(n) for g, n in await self._session.execute(query)}

    async def claim(
        self, guild_ids: Sequence[int], token: str, now: datetime, until: datetime
    ) -> dict[int, list[ClaimedDelivery]]:
        """Claim the guilds' sendable pending rows for `token` until the lease ends.

        The UPDATE re-checks its WHERE on each locked row, so of two engines claiming at
        once only one gets each row; the other sees an unexpired lease and skips it.
        Rows are updated by primary key so that InnoDB takes no gap locks.
        """
        row = UpdateDeliveryRow
        ids: list[int] = []
        for chunk in _id_chunks(sorted(guild_ids)):
            candidates = await self._session.scalars(
                select(row.id).where(
                    row.guild_id.in_(chunk),
                    row.status == PENDING,
                    row.expires_at > now,
                    _unclaimed(now),
                )
            )
            ids.extend(candidates)
        for chunk in _id_chunks(sorted(ids)):
            await self._session.execute(
                update(row)
                .where(row.id.in_(chunk), row.status == PENDING, _unclaimed(now))
                .values(claimed_by=token, claimed_until=until, attempts=row.attempts + 1)
                .execution_options(synchronize_session=False)
            )
        return await self._claimed(token) if ids else {}

    async def _claimed(self, token: str) -> dict[int, list[ClaimedDelivery]]:
        row = UpdateDeliveryRow
        query: Select[Any] = (
            select(
                row.guild_id,
                row.id,
                row.media_type,
                row.tmdb_id,
                row.kind,
                row.event_key,
                row.payload,
            )
            .where(row.claimed_by == token, row.status == PENDING)
            .order_by(row.guild_id, row.id)
        )
        claimed: dict[int, list[ClaimedDelivery]] = {}
        for g, i, m, t, k, e, p in await self._session.execute(query):
            delivery = ClaimedDelivery(int(i), TitleRef(MediaType(m), int(t)), k, e, p)
            claimed.setdefault(int(g), []).append(delivery)
        return claimed

    async def mark_delivered(
        self, sent: Sequence[tuple[Sequence[int], int | None]], token: str, now: datetime
    ) -> int | None:
        """Mark the rows of accepted messages delivered, with each message's id, at once.

        Return how many rows were still claimed by `token` (None where the driver cannot
        count the rows of one statement run with many parameter sets).
        """
        table = cast(Table, UpdateDeliveryRow.__table__)
        params = [{"row_id": i, "sent_id": message_id} for ids, message_id in sent for i in ids]
        if not params:
            return 0
        statement = (
            update(table)
            .where(
                table.c.id == bindparam("row_id"),
                table.c.claimed_by == token,
                table.c.status == PENDING,
            )
            .values(
                status=DELIVERED,
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
        return await self._finish(ids, token, FAILED, last_error=error[:ERROR_LENGTH])

    async def release(self, ids: Sequence[int], token: str, error: str | None) -> None:
        """Give claimed rows back as pending so a later cycle retries them."""
        if not ids:
            return
        row = UpdateDeliveryRow
        await self._session.execute(
            update(row)
            .where(row.id.in_(list(ids)), row.claimed_by == token, row.status == PENDING)
            .values(
                claimed_by=None,
                claimed_until=None,
                last_error=error[:ERROR_LENGTH] if error else None,
            )
            .execution_options(synchronize_session=False)
        )

    async def _finish(self, ids: Sequence[int], token: str, status: str, **values: Any) -> int:
        row = UpdateDeliveryRow
        result = await self._session.execute(
            update(row)
            .where(row.id.in_(list(ids)), row.claimed_by == token, row.status == PENDING)
            .values(status=status, claimed_until=None, **values)
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    # -- cycle state ------------------------------------------------------------------------

    async def cycle_state(self, scope: str) -> CycleState | None:
        """Return the scope's last cycle, if any."""
        row = await self._session.get(UpdateCycleRow, scope)
        if row is None:
            return None
        return CycleState(row.scope, row.started_at, row.finished_at, row.changes_since, row.stats)

    async def save_cycle(self, state: CycleState) -> None:
        """Insert or replace the scope's cycle record."""
        values = {
            "scope": state.scope,
            "started_at": state.started_at,
            "finished_at": state.finished_at,
            "changes_since": state.changes_since,
            "stats": state.stats,
        }
        await self._session.execute(_upsert(self._dialect(), UpdateCycleRow, ["scope"]), [values])

    def subscriptions(self) -> SubscriptionRepository:
        """The subscription repository on the same session."""
        return SubscriptionRepository(self._session)

    def _dialect(self) -> str:
        return self._session.get_bind().dialect.name


async def retrying(
    sessionmaker: async_sessionmaker[AsyncSession],
    work: Callable[[UpdateRepository], Awaitable[T]],
    attempts: int = RETRY_ATTEMPTS,
) -> T:
    """Run `work` in a transaction, retrying it when the database reports a deadlock."""
    for attempt in range(1, attempts + 1):
        try:
            async with sessionmaker.begin() as session:
                return await work(UpdateRepository(session))
        except DBAPIError as exc:
            if attempt == attempts or not _is_lock_conflict(exc):
                raise
            log.info("Ledger transaction hit a lock conflict, retrying (%s): %s", attempt, exc.orig)
            await asyncio.sleep(0.05 * attempt)
    raise AssertionError("unreachable")


def _is_lock_conflict(exc: DBAPIError) -> bool:
    """Tell deadlocks and serialization failures (worth a retry) from other errors."""
    orig = exc.orig
    code = getattr(orig, "args", (None,))[0] if orig is not None else None
    sqlstate = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    return (
        code in _MYSQL_LOCK_CODES or sqlstate in _PG_LOCK_STATES or "deadlock" in str(orig).lower()
    )


def _unclaimed(now: datetime) -> Any:
    row = UpdateDeliveryRow
    return or_(row.claimed_until.is_(None), row.claimed_until < now)


def _id_chunks(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def _chunks(rows: list[dict[str, Any]]) -> Iterable[list[dict[str, Any]]]:
    for start in range(0, len(rows), CHUNK):
        yield rows[start : start + CHUNK]


def _dialect_insert(dialect: str, model: type[Any]) -> Any:
    if dialect == "postgresql":
        return postgresql.insert(model)
    if dialect in ("mysql", "mariadb"):
        return mysql.insert(model)
    if dialect == "sqlite":
        return sqlite.insert(model)
    raise NotImplementedError(f"no upsert for {dialect}")


def _upsert(dialect: str, model: type[Any], keys: list[str]) -> Insert:
    """Build an INSERT that replaces the non-key columns of an existing row."""
    statement = _dialect_insert(dialect, model)
    columns = [c.name for c in model.__table__.columns if c.name not in keys]
    if dialect in ("mysql", "mariadb"):
        return statement.on_duplicate_key_update(  # type: ignore[no-any-return]
            {name: statement.inserted[name] for name in columns}
        )
    return statement.on_conflict_do_update(  # type: ignore[no-any-return]
        index_elements=keys, set_={name: statement.excluded[name] for name in columns}
    )


def _insert_ignore(dialect: str) -> Insert:
    """Build an INSERT into the ledger that leaves an existing row for the same key alone."""
    statement = _dialect_insert(dialect, UpdateDeliveryRow)
    if dialect in ("mysql", "mariadb"):
        return statement.on_duplicate_key_update(  # type: ignore[no-any-return]
            {"id": UpdateDeliveryRow.__table__.c.id}
        )
    return statement.on_conflict_do_nothing()  # type: ignore[no-any-return]


__all__ = [
    "DELIVERED",
    "FAILED",
    "MISSED",
    "PENDING",
    "ClaimedDelivery",
    "CycleState",
    "LedgerEntry",
    "StoredSnapshot",
    "SubscriptionLine",
    "UpdateRepository",
    "retrying",
]
