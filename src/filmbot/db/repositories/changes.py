"""Change counters: a cheap way for a process to tell whether data it keeps a copy of changed.

A writer bumps the counter in the same transaction as its change, so a reader that sees an
unchanged value knows its copy is current, whichever process made the change.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from filmbot.db.dialects import insert_ignore
from filmbot.db.models import ChangeCounterRow

SUBSCRIPTIONS = "subscriptions"


class ChangeCounters:
    """Read and bump named change counters."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def value(self, name: str) -> int:
        """Return the counter's value (0 before its first bump)."""
        query = select(ChangeCounterRow.value).where(ChangeCounterRow.name == name)
        return int(await self._session.scalar(query) or 0)

    async def bump(self, name: str) -> None:
        """Add one to the counter, creating it when it is missing."""
        row = ChangeCounterRow
        result = await self._session.execute(
            update(row).where(row.name == name).values(value=row.value + 1)
        )
        if result.rowcount:  # type: ignore[attr-defined]
            return
        dialect = self._session.get_bind().dialect.name
        statement = insert_ignore(dialect, row, keep="name")
        await self._session.execute(statement, [{"name": name, "value": 1}])
