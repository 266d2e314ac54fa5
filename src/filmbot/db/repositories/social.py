"""Member preferences and member-to-member recommendations."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from filmbot.db.models import MemberPreferenceRow, MemberRecommendationRow
from filmbot.domain.clock import utcnow
from filmbot.domain.models import TitleRef
from filmbot.domain.social import MemberPreferences, MemberRecommendation

PENDING_SHOWN = 10


def to_recommendation(row: MemberRecommendationRow) -> MemberRecommendation:
    """Convert a row to the domain object."""
    return MemberRecommendation(
        id=row.id,
        guild_id=row.guild_id,
        sender_id=row.sender_id,
        sender_name=row.sender_name,
        recipient_id=row.recipient_id,
        ref=TitleRef(row.media_type, row.tmdb_id),
        title=row.title,
        note=row.note,
        created_at=row.created_at,
        shown_at=row.shown_at,
    )


class PreferenceRepository:
    """A member's opt-ins, the same in every server."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, user_id: int) -> MemberPreferences:
        """The member's preferences (the defaults when they never changed them)."""
        row = await self._session.get(MemberPreferenceRow, user_id)
        if row is None:
            return MemberPreferences()
        return MemberPreferences(recommendations=row.recommendations, activity=row.activity)

    async def stored(self, user_id: int) -> bool:
        """Whether the member ever changed a preference (then a row is stored)."""
        return await self._session.get(MemberPreferenceRow, user_id) is not None

    async def set(self, user_id: int, preferences: MemberPreferences) -> MemberPreferences:
        """Store the member's preferences."""
        row = await self._session.get(MemberPreferenceRow, user_id)
        if row is None:
            row = MemberPreferenceRow(user_id=user_id)
            self._session.add(row)
        row.recommendations = preferences.recommendations
        row.activity = preferences.activity
        row.updated_at = utcnow()
        await self._session.flush()
        return preferences

    async def delete(self, user_id: int) -> int:
        """Forget the member's preferences; return how many rows went."""
        result = await self._session.execute(
            delete(MemberPreferenceRow).where(MemberPreferenceRow.user_id == user_id)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]


class MemberRecommendationRepository:
    """Recommendations members send each other."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(
        self,
        guild_id: int,
        *,
        sender: tuple[int, str],
        recipient_id: int,
        ref: TitleRef,
        title: str,
        note: str | None,
        at: datetime,
    ) -> MemberRecommendation:
        """Store a recommendation sent at `at`."""
        row = MemberRecommendationRow(
            guild_id=guild_id,
            sender_id=sender[0],
            sender_name=sender[1][:100],
            recipient_id=recipient_id,
            tmdb_id=ref.tmdb_id,
            media_type=ref.media_type,
            title=title[:255],
            note=note,
            created_at=at,
        )
        self._session.add(row)
        await self._session.flush()
        return to_recommendation(row)

    async def sent_since(
        self, sender_id: int, recipient_id: int, since: datetime
    ) -> list[datetime]:
        """When the sender sent the recipient recommendations after `since`."""
        row = MemberRecommendationRow
        query = select(row.created_at).where(
            row.sender_id == sender_id, row.recipient_id == recipient_id, row.created_at > since
        )
        return list(await self._session.scalars(query))

    async def take_pending(self, guild_id: int, recipient_id: int) -> list[MemberRecommendation]:
        """The newest recommendations the recipient has not seen here, marked as seen now."""
        row = MemberRecommendationRow
        query = (
            select(row)
            .where(
                row.guild_id == guild_id, row.recipient_id == recipient_id, row.shown_at.is_(None)
            )
            .order_by(row.created_at.desc(), row.id.desc())
        )
        rows = list(await self._session.scalars(query))
        if rows:
            now = utcnow()
            await self._session.execute(
                update(row).where(row.id.in_([r.id for r in rows])).values(shown_at=now)
            )
        return [to_recommendation(r) for r in rows[:PENDING_SHOWN]]

    async def involving(self, user_id: int) -> list[MemberRecommendation]:
        """Every recommendation the member sent or received, oldest first."""
        row = MemberRecommendationRow
        query = (
            select(row)
            .where(or_(row.sender_id == user_id, row.recipient_id == user_id))
            .order_by(row.created_at, row.id)
        )
        return [to_recommendation(r) for r in await self._session.scalars(query)]

    async def delete_involving(self, user_id: int) -> int:
        """Delete every recommendation the member sent or received; return how many."""
        row = MemberRecommendationRow
        result = await self._session.execute(
            delete(row).where(or_(row.sender_id == user_id, row.recipient_id == user_id))
        )
        return int(result.rowcount)  # type: ignore[attr-defined]
