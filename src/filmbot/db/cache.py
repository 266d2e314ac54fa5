"""The database tier of the TMDB cache: responses survive a restart."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects import mysql, postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from filmbot.db.models import TmdbCacheEntry

_NATIVE_UPSERT = ("sqlite", "postgresql", "mysql", "mariadb")


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
            row = (await session.execute(query)).first()
        if row is None:
            return None
        return row.value, row.expires_at

    async def set(self, key: str, value: dict[str, Any], expires_at: datetime) -> None:
        """Insert or replace the payload under `key`."""
        async with self._sessionmaker.begin() as session:
            dialect = session.get_bind().dialect.name
            if dialect in _NATIVE_UPSERT:
                await session.execute(_upsert(dialect, key, value, expires_at))
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


def _upsert(dialect: str, key: str, value: dict[str, Any], expires_at: datetime) -> Any:
    """Build a native INSERT ... ON CONFLICT / ON DUPLICATE KEY UPDATE statement."""
    row = {"key": key, "value": value, "expires_at": expires_at}
    if dialect in ("mysql", "mariadb"):
        stmt = mysql.insert(TmdbCacheEntry).values(row)
        return stmt.on_duplicate_key_update(
            value=stmt.inserted.value, expires_at=stmt.inserted.expires_at
        )
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    pg_stmt = insert(TmdbCacheEntry).values(row)
    return pg_stmt.on_conflict_do_update(
        index_elements=[TmdbCacheEntry.key],
        set_={"value": pg_stmt.excluded.value, "expires_at": pg_stmt.excluded.expires_at},
    )
