"""Movie-night polls until their winner is announced, claimed so that happens exactly once."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from filmbot.db.models import MovieNightRow
from filmbot.domain.movienight import ANNOUNCING, DONE, GONE, OPEN, Candidate, MovieNight


def to_night(row: MovieNightRow) -> MovieNight:
    """Convert a row to the domain object."""
    return MovieNight(
        id=row.id,
        guild_id=row.guild_id,
        channel_id=row.channel_id,
        message_id=row.message_id,
        candidates=tuple(Candidate(**c) for c in row.candidates),
        expires_at=row.expires_at,
        starts_at=row.starts_at,
        status=row.status,
    )


class MovieNightRepository:
    """Open and finished movie-night polls."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(
        self,
        guild_id: int,
        channel_id: int,
        message_id: int,
        *,
        candidates: list[Candidate],
        expires_at: datetime,
        starts_at: datetime | None,
    ) -> MovieNight:
        """Remember a poll just posted."""
        row = MovieNightRow(
            guild_id=guild_id,
            channel_id=channel_id,
            message_id=message_id,
            candidates=[asdict(c) for c in candidates],
            expires_at=expires_at,
            starts_at=starts_at,
            status=OPEN,
        )
        self._session.add(row)
        await self._session.flush()
        return to_night(row)

    async def by_message(self, message_id: int) -> MovieNight | None:
        """The poll posted as this message, if it is one of ours."""
        row = await self._session.scalar(
            select(MovieNightRow).where(MovieNightRow.message_id == message_id)
        )
        return to_night(row) if row else None

    async def unfinished(self, now: datetime, *, due_only: bool = False) -> list[MovieNight]:
        """Polls still to announce (claimable now), earliest expiry first.

        `due_only` keeps those whose time is up and those whose announcing try lapsed (a
        poll ended early whose finish failed is due again when its claim lapses).
        """
        query = (
            select(MovieNightRow)
            .where(self._claimable(now))
            .order_by(MovieNightRow.expires_at, MovieNightRow.id)
        )
        if due_only:
            query = query.where(
                (MovieNightRow.expires_at <= now) | (MovieNightRow.status == ANNOUNCING)
            )
        return [to_night(row) for row in await self._session.scalars(query)]

    async def next_due(self) -> datetime | None:
        """When a poll next needs attention: the earliest open expiry or lapsing claim."""
        expiry = await self._session.scalar(
            select(func.min(MovieNightRow.expires_at)).where(MovieNightRow.status == OPEN)
        )
        lapse = await self._session.scalar(
            select(func.min(MovieNightRow.claimed_until)).where(MovieNightRow.status == ANNOUNCING)
        )
        due = [when for when in (expiry, lapse) if when is not None]
        return min(due) if due else None

    async def claim(self, night_id: int, now: datetime, lease: timedelta) -> bool:
        """Take the poll for announcing; False when another path holds or finished it."""
        result = await self._session.execute(
            update(MovieNightRow)
            .where(MovieNightRow.id == night_id, self._claimable(now))
            .values(status=ANNOUNCING, claimed_until=now + lease)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def retry_at(self, night_id: int, when: datetime) -> None:
        """Keep a claimed poll for another try at `when` (its results are not final yet)."""
        await self._session.execute(
            update(MovieNightRow)
            .where(MovieNightRow.id == night_id, MovieNightRow.status == ANNOUNCING)
            .values(claimed_until=when)
        )

    async def reopen(self, night_id: int) -> None:
        """Give a claimed poll back until its end (it is still running)."""
        await self._session.execute(
            update(MovieNightRow)
            .where(MovieNightRow.id == night_id, MovieNightRow.status == ANNOUNCING)
            .values(status=OPEN, claimed_until=None)
        )

    async def finish(
        self, night_id: int, now: datetime, winner_title: str | None, *, gone: bool = False
    ) -> None:
        """Record the announced winner (or that the poll message is gone)."""
        await self._session.execute(
            update(MovieNightRow)
            .where(MovieNightRow.id == night_id)
            .values(
                status=GONE if gone else DONE,
                winner_title=winner_title[:255] if winner_title else None,
                finished_at=now,
                claimed_until=None,
            )
        )

    @staticmethod
    def _claimable(now: datetime) -> ColumnElement[bool]:
        return or_(
            MovieNightRow.status == OPEN,
            (MovieNightRow.status == ANNOUNCING) & (MovieNightRow.claimed_until < now),
        )
