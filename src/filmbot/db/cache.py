"""The database tier of the TMDB cache: responses survive a restart."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy import JSON, Dialect, delete, literal, select
from sqlalchemy.exc import DataError, IntegrityError, StatementError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.types import TypeDecorator

from filmbot.db.dialects import CHUNK, NATIVE_UPSERT, chunks, upsert
from filmbot.db.grouped import Grouped
from filmbot.db.models import TmdbCacheEntry
from filmbot.db.session import READ_ONLY, retrying
from filmbot.domain.errors import DatabaseUnavailableError

# Rows per INSERT: many small payloads share one statement.
ROWS_PER_STATEMENT = 25
# Characters of values per INSERT: MariaDB refuses a statement larger than its
# max_allowed_packet (16 MB by default) and drops the connection, and a details payload with
# its appended responses can weigh 150 KB or more. Escaping on the wire can double a JSON
# text's worst case, so 4 MB keeps a statement well inside the default.
BYTES_PER_STATEMENT = 4 * 1024 * 1024
# The largest JSON text stored, in a statement of its own if it does not fit with others:
# a larger one could exceed max_allowed_packet by itself, and MariaDB then drops the
# connection under the whole round. TMDB's largest answers are far smaller; a larger one is
# refused at once and stays in the memory or Redis tier only.
MAX_VALUE_CHARS = BYTES_PER_STATEMENT
# What a row adds to its statement besides its key and JSON text: the expiry, quotes, commas.
ROW_OVERHEAD = 64
# SQLSTATE classes of an error about the row itself: data exception, integrity violation.
ROW_STATES = ("22", "23")

Payload = dict[str, Any]
Row = dict[str, Any]  # key, value (JSON text), expires_at
Found = dict[str, tuple[Payload, datetime]]
Failures = dict[str, Exception]


class DatabaseCache:
    """Read, write and purge cached TMDB payloads in the tmdb_cache table.

    Concurrent reads and writes are grouped: a request that looks up 80 titles at once
    costs one or two SELECTs, and its 80 writes a few transactions of multi-row upserts,
    not 80 of each (on SQLite every write transaction takes the write lock in turn).
    `set` still returns only once its row is committed, and raises if the commit failed;
    a row the database refuses fails its own `set` only, not the others of its round.
    """

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self._sessionmaker = sessionmaker
        # Readers of one key in a round: the earliest `now` decides what the query fetches,
        # and each reader then judges the row at its own `now`.
        self._reads: Grouped[str, datetime, Found] = Grouped(self._read, merge=min)
        self._writes: Grouped[str, Row, Failures] = Grouped(self._write)

    async def get(self, key: str, now: datetime) -> tuple[Payload, datetime] | None:
        """Return the payload and its expiry, unless absent or expired at `now`."""
        row = (await self._reads(key, now)).get(key)
        if row is None or row[1] <= now:
            return None
        return row

    async def set(self, key: str, value: Payload, expires_at: datetime) -> None:
        """Insert or replace the payload under `key`; return once it is committed.

        Raises ValueError or TypeError for this row alone: at once for a payload that is
        not JSON (NaN, an object) or larger than MAX_VALUE_CHARS, and after the round for a
        row the database refused (the database works: the other rows are committed).
        Raises what the database raised when it could not be reached.
        """
        text = json.dumps(value, separators=(",", ":"), allow_nan=False)
        if len(text) > MAX_VALUE_CHARS:
            raise ValueError(f"payload of {len(text):,} characters is too large to store")
        failed = await self._writes(key, {"key": key, "value": text, "expires_at": expires_at})
        if key in failed:
            exc = failed[key]
            if refuses_row(exc):
                raise ValueError(f"the database refused the row: {_first_line(exc)}") from exc
            raise exc

    async def _read(self, wanted: dict[str, datetime]) -> Found:
        """The rows of the wanted keys unexpired at the earliest reader's `now`."""
        earliest = min(wanted.values())
        found: Found = {}
        async with self._sessionmaker() as session:
            await session.connection(execution_options={READ_ONLY: True})
            for keys in chunks(sorted(wanted), CHUNK):
                query = select(
                    TmdbCacheEntry.key, TmdbCacheEntry.value, TmdbCacheEntry.expires_at
                ).where(TmdbCacheEntry.key.in_(keys), TmdbCacheEntry.expires_at > earliest)
                for key, value, expires_at in await session.execute(query):
                    found[key] = (value, expires_at)
        return found

    async def _write(self, rows: dict[str, Row]) -> Failures:
        """Upsert the rows, in key order (the same lock order everywhere); return the failed.

        All go in one transaction. If the database refuses a row (`refuses_row`), each half
        is tried again in a transaction of its own, and so on down to single rows: one row
        the database refuses costs about two transactions per halving, and fails alone.
        Any other error is the database's (unreachable, read-only, full, locked): every row
        not yet committed fails with it at once.
        """
        failed: Failures = {}
        pending = [[rows[key] for key in sorted(rows)]]
        while pending:
            part = pending.pop()
            try:
                await retrying(self._sessionmaker, partial(_upsert, rows=part))
            except Exception as exc:
                if not refuses_row(exc):
                    failed.update((row["key"], exc) for left in (part, *pending) for row in left)
                    break
                if len(part) == 1:
                    failed[part[0]["key"]] = exc
                else:
                    half = len(part) // 2
                    pending += [part[half:], part[:half]]  # the first half next
        return failed

    async def purge_expired(self, now: datetime) -> int:
        """Delete the rows expired at `now`; return how many."""
        async with self._sessionmaker.begin() as session:
            result = await session.execute(
                delete(TmdbCacheEntry).where(TmdbCacheEntry.expires_at <= now)
            )
        return int(getattr(result, "rowcount", 0) or 0)

    async def clear(self) -> None:
        """Delete every cached payload."""
        async with self._sessionmaker.begin() as session:
            await session.execute(delete(TmdbCacheEntry))


def refuses_row(exc: Exception) -> bool:
    """Whether the error is about the rows written (a value out of range or too long, a
    broken constraint, a value the driver cannot send), not about the database itself."""
    if isinstance(exc, DataError | IntegrityError):
        return True
    if not isinstance(exc, StatementError) or isinstance(exc, DatabaseUnavailableError):
        return False
    orig = exc.orig
    if isinstance(orig, ValueError | TypeError):
        return True
    state = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    return isinstance(state, str) and state[:2] in ROW_STATES


def _first_line(exc: Exception) -> str:
    """The driver's own message, without SQLAlchemy's statement and parameters."""
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).strip().splitlines()
    return f"{type(orig).__name__}: {text[0] if text else ''}"


class _JSONText(TypeDecorator[str]):
    """JSON text serialised already (to be weighed): bound into the JSON column as it is."""

    impl = JSON
    cache_ok = True

    def bind_processor(self, dialect: Dialect) -> None:
        """No processing: the text goes as it is (the JSON type would serialise it again)."""


_JSON_TEXT = _JSONText()


async def _upsert(session: AsyncSession, *, rows: Sequence[Row]) -> None:
    """Insert or replace the rows: multi-row upserts where the dialect has them."""
    dialect = session.get_bind().dialect.name
    if dialect not in NATIVE_UPSERT:
        for row in rows:
            await session.merge(TmdbCacheEntry(**{**row, "value": json.loads(row["value"])}))
        return
    for statement in _statements(rows):
        values = [{**row, "value": literal(row["value"], _JSON_TEXT)} for row in statement]
        await session.execute(upsert(dialect, TmdbCacheEntry, ["key"]).values(values))


def _statements(rows: Sequence[Row]) -> Iterator[list[Row]]:
    """Consecutive runs of rows, each within ROWS_PER_STATEMENT and BYTES_PER_STATEMENT."""
    batch: list[Row] = []
    size = 0
    for row in rows:
        weight = len(row["key"]) + len(row["value"]) + ROW_OVERHEAD
        if batch and (len(batch) == ROWS_PER_STATEMENT or size + weight > BYTES_PER_STATEMENT):
            yield batch
            batch, size = [], 0
        batch.append(row)
        size += weight
    if batch:
        yield batch
