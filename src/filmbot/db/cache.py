"""The database tier of the TMDB cache: responses survive a restart."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from filmbot.db.dialects import CHUNK, NATIVE_UPSERT, chunks, upsert
from filmbot.db.grouped import Grouped
from filmbot.db.models import TmdbCacheEntry
from filmbot.db.session import READ_ONLY, retrying

# Rows per INSERT: a details payload with its appended responses weighs up to ~100 KB, so a
# statement stays a few MB, well inside MariaDB's default 16 MB max_allowed_packet.
ROWS_PER_STATEMENT = 25
Payload = dict[str, Any]
Row = dict[str, Any]
Found = dict[str, tuple[Payload, datetime]]


class DatabaseCache:
    """Read, write and purge cached TMDB payloads in the tmdb_cache table.

    Concurrent reads and writes are grouped: a request that looks up 80 titles at once
    costs one or two SELECTs, and its 80 writes a few transactions of multi-row upserts,
    not 80 of each (on SQLite every write transaction takes the write lock in turn).
    `set` still returns only once its row is committed, and raises if the commit failed.
    """

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self._sessionmaker = sessionmaker
        self._reads: Grouped[str, datetime, Found] = Grouped(self._read)
        self._writes: Grouped[str, Row, None] = Grouped(self._write)

    async def get(self, key: str, now: datetime) -> tuple[Payload, datetime] | None:
        """Return the payload and its expiry, unless absent or expired at `now`."""
        row = (await self._reads(key, now)).get(key)
        if row is None or row[1] <= now:
            return None
        return row

    async def set(self, key: str, value: Payload, expires_at: datetime) -> None:
        """Insert or replace the payload under `key`; return once it is committed."""
        await self._writes(key, {"key": key, "value": value, "expires_at": expires_at})

    async def _read(self, wanted: dict[str, datetime]) -> Found:
        """The unexpired rows of the wanted keys (each caller checks its own `now`)."""
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

    async def _write(self, rows: dict[str, Row]) -> None:
        """Upsert the rows in one transaction, in key order (the same lock order everywhere)."""
        ordered = [rows[key] for key in sorted(rows)]

        async def work(session: AsyncSession) -> None:
            await _upsert(session, ordered)

        await retrying(self._sessionmaker, work)

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


async def _upsert(session: AsyncSession, rows: Sequence[Row]) -> None:
    """Insert or replace the rows: multi-row upserts where the dialect has them."""
    dialect = session.get_bind().dialect.name
    if dialect not in NATIVE_UPSERT:
        for row in rows:
            await session.merge(TmdbCacheEntry(**row))
        return
    for chunk in chunks(rows, ROWS_PER_STATEMENT):
        await session.execute(upsert(dialect, TmdbCacheEntry, ["key"]).values(list(chunk)))
