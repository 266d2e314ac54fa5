"""The database tier of the TMDB cache: responses survive a restart."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from filmbot.db.dialects import NATIVE_UPSERT, upsert
from filmbot.db.models import TmdbCacheEntry
from filmbot.db.session import READ_ONLY


class DatabaseCache:
    """Read, write and purge cached TMDB payloads in the tmdb_cache table."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self._sessionmaker = sessionmaker

    async def get(self, key: str, now: datetime) -> tuple[dict[str, Any], datetime] | None:
        """Return the payload and its expiry, unless absent or expired at `now`."""
        query = select(TmdbCacheEntry.value, TmdbCacheEntry.expires_at).where(
            TmdbCacheEntry.key == key, TmdbCacheEntry.expires_at > now
        )
        async with self._sessionmaker() as session:
            await session.connection(execution_options={READ_ONLY: True})
            row = (await session.execute(query)).first()
        if row is None:
            return None
        return row.value, row.expires_at

    async def set(self, key: str, value: dict[str, Any], expires_at: datetime) -> None:
        """Insert or replace the payload under `key`."""
        async with self._sessionmaker.begin() as session:
            dialect = session.get_bind().dialect.name
            if dialect in NATIVE_UPSERT:
                row = {"key": key, "value": value, "expires_at": expires_at}
                await session.execute(upsert(dialect, TmdbCacheEntry, ["key"]).values(row))
            else:
                await session.merge(TmdbCacheEntry(key=key, value=value, expires_at=expires_at))

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
