"""The record of each engine scope's last update cycle."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from filmbot.db.dialects import upsert
from filmbot.db.models import UpdateCycleRow
from filmbot.domain.updates import CycleState


class CycleRepository:
    """Read and replace a scope's last cycle."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def last(self, scope: str) -> CycleState | None:
        """Return the scope's last cycle, if any."""
        row = await self._session.get(UpdateCycleRow, scope)
        if row is None:
            return None
        return _state(row)

    async def every(self) -> list[CycleState]:
        """Return every scope's last cycle (one per process of a sharded bot)."""
        return [_state(row) for row in await self._session.scalars(select(UpdateCycleRow))]

    async def save(self, state: CycleState) -> None:
        """Insert or replace the scope's cycle record."""
        values = {
            "scope": state.scope,
            "started_at": state.started_at,
            "finished_at": state.finished_at,
            "changes_since": state.changes_since,
            "stats": state.stats,
        }
        dialect = self._session.get_bind().dialect.name
        await self._session.execute(upsert(dialect, UpdateCycleRow, ["scope"]), [values])


def _state(row: UpdateCycleRow) -> CycleState:
    return CycleState(row.scope, row.started_at, row.finished_at, row.changes_since, row.stats)
