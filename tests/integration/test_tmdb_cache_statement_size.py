"""The cache's multi-row upserts stay under a size cap, whatever the payloads weigh.

MariaDB refuses a statement larger than its max_allowed_packet (16 MB by default): the
round below weighs about 20 MB, which one statement of 25 rows would carry whole. A payload
larger than one statement may carry is not stored at all (tests/integration/
test_tmdb_cache_refused_rows.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from filmbot.db.cache import BYTES_PER_STATEMENT, MAX_VALUE_CHARS, DatabaseCache

KEY_PREFIX = "tmdb:movie/"


@contextmanager
def inserts(engine: AsyncEngine) -> Iterator[list[tuple[int, int]]]:
    """Record each INSERT into tmdb_cache as (rows, characters of its text values)."""
    seen: list[tuple[int, int]] = []

    def on_statement(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if not statement.lstrip().upper().startswith("INSERT") or "tmdb_cache" not in statement:
            return
        values = parameters.values() if isinstance(parameters, dict) else parameters
        texts = [value for value in values if isinstance(value, str)]
        rows = sum(1 for text in texts if text.startswith(KEY_PREFIX))
        seen.append((rows, sum(map(len, texts))))

    event.listen(engine.sync_engine, "before_cursor_execute", on_statement)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", on_statement)


def payload(n: int, size: int) -> dict[str, Any]:
    return {"id": n, "overview": "x" * size}


async def test_upserts_are_capped_by_size_and_a_row_larger_than_the_cap_goes_alone(
    engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    cache = DatabaseCache(sessionmaker)
    expires = datetime.now(UTC) + timedelta(hours=1)
    sizes = [BYTES_PER_STATEMENT // 3 - 4096] * 12
    sizes[5] = MAX_VALUE_CHARS - 64  # the largest text stored, over the cap with its key
    keys = [f"{KEY_PREFIX}{n:02}:x" for n in range(len(sizes))]
    with inserts(engine) as seen:
        await asyncio.gather(
            *(cache.set(key, payload(n, sizes[n]), expires) for n, key in enumerate(keys))
        )

    assert sum(rows for rows, _ in seen) == len(keys)
    assert all(chars <= BYTES_PER_STATEMENT or rows == 1 for rows, chars in seen), seen
    assert any(rows == 1 and chars > sizes[5] for rows, chars in seen)  # the big one, alone
    assert max(rows for rows, _ in seen) == 3  # as many of the others as fit
    restarted = DatabaseCache(sessionmaker)
    now = datetime.now(UTC)
    rows = await asyncio.gather(*(restarted.get(key, now) for key in keys))
    assert [len(row[0]["overview"]) if row else None for row in rows] == sizes
