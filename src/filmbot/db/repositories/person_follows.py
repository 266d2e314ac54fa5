"""Followed people (by servers and by members) and the credits the engine already knows."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from filmbot.db.dialects import chunks, insert_ignore, upsert
from filmbot.db.models import PersonFollowRow, PersonSnapshotRow
from filmbot.domain.clock import utcnow
from filmbot.domain.person_follows import PersonFollow


def _follow(row: PersonFollowRow) -> PersonFollow:
    return PersonFollow(
        person_id=row.person_id,
        name=row.name,
        guild_id=row.guild_id,
        user_id=row.user_id,
        profile_path=row.profile_path,
        followed_at=row.followed_at,
    )


def _owner(follow: PersonFollow) -> ColumnElement[bool]:
    row = PersonFollowRow
    if follow.guild_id is not None:
        return row.guild_id == follow.guild_id
    return row.user_id == follow.user_id


class PersonFollowRepository:
    """Add, list and remove person follows."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, follow: PersonFollow) -> bool:
        """Follow the person; True when created, False when already followed."""
        statement = insert_ignore(self._session.get_bind().dialect.name, PersonFollowRow)
        result = await self._session.execute(
            statement.values(
                guild_id=follow.guild_id,
                user_id=follow.user_id,
                person_id=follow.person_id,
                name=follow.name[:255],
                profile_path=follow.profile_path,
                followed_at=follow.followed_at or utcnow(),
            )
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def remove(self, follow: PersonFollow) -> PersonFollow | None:
        """Stop following; the removed follow, or None when there was none."""
        row = PersonFollowRow
        where = (_owner(follow), row.person_id == follow.person_id)
        existing = await self._session.scalar(select(row).where(*where))
        if existing is None:
            return None
        removed = _follow(existing)
        await self._session.execute(delete(row).where(*where))
        return removed

    async def for_guild(self, guild_id: int) -> list[PersonFollow]:
        """The server's person follows, by name."""
        row = PersonFollowRow
        query = select(row).where(row.guild_id == guild_id).order_by(row.name, row.id)
        return [_follow(r) for r in await self._session.scalars(query)]

    async def for_user(self, user_id: int) -> list[PersonFollow]:
        """The member's personal person follows, by name."""
        row = PersonFollowRow
        query = select(row).where(row.user_id == user_id).order_by(row.name, row.id)
        return [_follow(r) for r in await self._session.scalars(query)]

    async def search(self, owner: PersonFollow, text: str, limit: int = 25) -> list[PersonFollow]:
        """The owner's person follows whose name contains the text."""
        row = PersonFollowRow
        query = (
            select(row)
            .where(_owner(owner), func.lower(row.name).contains(text.lower()))
            .order_by(row.name)
            .limit(limit)
        )
        return [_follow(r) for r in await self._session.scalars(query)]

    async def every(self) -> list[PersonFollow]:
        """Every person follow (an update cycle filters the recipients it owns)."""
        query = select(PersonFollowRow).order_by(PersonFollowRow.id)
        return [_follow(r) for r in await self._session.scalars(query)]

    async def delete_user(self, user_id: int) -> int:
        """Delete the member's person follows; count them."""
        result = await self._session.execute(
            delete(PersonFollowRow).where(PersonFollowRow.user_id == user_id)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]


class PersonSnapshotRepository:
    """The credits of followed people an engine scope has seen, and when it fetched them."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def for_scope(self, scope: str) -> dict[int, tuple[frozenset[str], datetime]]:
        """Each person's known credit keys and last fetch time."""
        row = PersonSnapshotRow
        result = await self._session.execute(
            select(row.person_id, row.known, row.fetched_at).where(row.scope == scope)
        )
        return {int(p): (frozenset(str(k) for k in known), at) for p, known, at in result}

    async def save(
        self, scope: str, snapshots: Sequence[tuple[int, str, Sequence[str], datetime]]
    ) -> None:
        """Insert or replace (person id, name, known credits, fetch time) snapshots."""
        rows = [
            {
                "scope": scope,
                "person_id": person_id,
                "name": name[:255],
                "known": sorted(known),
                "fetched_at": at,
            }
            for person_id, name, known, at in sorted(snapshots, key=lambda s: s[0])
        ]
        dialect = self._session.get_bind().dialect.name
        for chunk in chunks(rows):
            statement = upsert(dialect, PersonSnapshotRow, ["scope", "person_id"])
            await self._session.execute(statement, chunk)

    async def delete(self, scope: str, person_ids: Sequence[int]) -> None:
        """Forget the snapshots of people nobody in the scope follows any more."""
        row = PersonSnapshotRow
        for chunk in chunks(sorted(person_ids)):
            await self._session.execute(
                delete(row).where(row.scope == scope, row.person_id.in_(chunk))
            )
