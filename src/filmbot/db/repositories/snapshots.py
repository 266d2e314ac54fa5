"""Stored title snapshots: what each engine scope last learned about the titles it follows."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator, Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from filmbot.db.dialects import chunks, upsert
from filmbot.db.models import TitleSnapshotRow
from filmbot.db.repositories.changes import ChangeCounters
from filmbot.domain.models import MediaType, TitleRef
from filmbot.domain.updates import StoredSnapshot

BATCH = 500
MAX_COUNTER_NAME = 40


class SnapshotRepository:
    """Batch reads and writes of one scope's title snapshots."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def scope_batches(
        self, scope: str, size: int = BATCH
    ) -> AsyncIterator[list[tuple[TitleRef, StoredSnapshot]]]:
        """Stream the scope's snapshots in batches, letting other tasks run between them."""
        row = TitleSnapshotRow
        query = select(row.media_type, row.tmdb_id, row.data, row.fetched_at).where(
            row.scope == scope
        )
        result = await self._session.stream(query.execution_options(yield_per=size))
        async for rows in result.partitions(size):
            yield list(_by_ref(rows).items())
            await asyncio.sleep(0)

    async def fingerprint(self, scope: str) -> tuple[int, datetime | None, int]:
        """Return how many snapshots the scope has, the newest fetch time and its write count.

        The write count goes up with every save or delete, whichever process makes it, so a
        process that keeps parsed snapshots can tell whether anyone else wrote some.
        """
        row = TitleSnapshotRow
        query = select(func.count(), func.max(row.fetched_at)).where(row.scope == scope)
        count, newest = (await self._session.execute(query)).one()
        writes = await ChangeCounters(self._session).value(writes_counter(scope))
        return int(count or 0), newest, writes

    async def of_titles(
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
        return _by_ref(await self._session.execute(query))

    async def across_scopes(self, refs: Sequence[TitleRef]) -> dict[TitleRef, list[StoredSnapshot]]:
        """Return every scope's snapshot of each title, newest first.

        Members' personal follows are checked by the process owning shard 0, so another
        process reads what that one stored.
        """
        row = TitleSnapshotRow
        found: list[Sequence[Any]] = []
        for chunk in chunks(sorted(refs, key=str)):
            pairs = [(r.media_type.value, r.tmdb_id) for r in chunk]
            query = select(row.media_type, row.tmdb_id, row.data, row.fetched_at).where(
                tuple_(row.media_type, row.tmdb_id).in_(pairs)
            )
            found.extend(await self._session.execute(query))
        return newest_first(found)

    async def delete(self, scope: str, refs: Sequence[TitleRef]) -> int:
        """Forget the scope's snapshots of titles nobody follows any more."""
        row = TitleSnapshotRow
        removed = 0
        for chunk in chunks(sorted(refs, key=str)):
            pairs = [(r.media_type.value, r.tmdb_id) for r in chunk]
            result = await self._session.execute(
                delete(row).where(
                    row.scope == scope, tuple_(row.media_type, row.tmdb_id).in_(pairs)
                )
            )
            removed += int(result.rowcount)  # type: ignore[attr-defined]
        if removed:
            await ChangeCounters(self._session).bump(writes_counter(scope))
        return removed

    async def save(
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
        dialect = self._session.get_bind().dialect.name
        for chunk in chunks(rows):
            statement = upsert(dialect, TitleSnapshotRow, ["scope", "media_type", "tmdb_id"])
            await self._session.execute(statement, chunk)
        if rows:
            await ChangeCounters(self._session).bump(writes_counter(scope))


def writes_counter(scope: str) -> str:
    """The change counter of a scope's snapshot writes (names fit the counter's 40 characters)."""
    name = f"snapshots:{scope}"
    if len(name) <= MAX_COUNTER_NAME:
        return name
    return "snapshots#" + hashlib.sha1(scope.encode(), usedforsecurity=False).hexdigest()[:30]


def _by_ref(rows: Any) -> dict[TitleRef, StoredSnapshot]:
    """Key (media_type, tmdb_id, data, fetched_at) rows by title."""
    return dict(_copy(row) for row in rows)


def _copy(row: Sequence[Any]) -> tuple[TitleRef, StoredSnapshot]:
    """A (media_type, tmdb_id, data, fetched_at) row as the title and its stored copy."""
    media_type, tmdb_id, data, fetched = row
    return TitleRef(MediaType(media_type), int(tmdb_id)), StoredSnapshot(data, fetched)


def newest_first(rows: Iterable[Sequence[Any]]) -> dict[TitleRef, list[StoredSnapshot]]:
    """Group (media_type, tmdb_id, data, fetched_at) rows by title, each title's newest first."""
    found: dict[TitleRef, list[StoredSnapshot]] = {}
    for ref, copy in map(_copy, rows):
        found.setdefault(ref, []).append(copy)
    for copies in found.values():
        copies.sort(key=lambda copy: copy.fetched_at, reverse=True)
    return found
