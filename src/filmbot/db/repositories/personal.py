"""Members' personal follows and notification settings (with the state of their DMs)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import date, datetime, time

from sqlalchemy import ColumnElement, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from filmbot.db.dialects import insert_ignore
from filmbot.db.models import MemberNotifySettingsRow, PersonalFollowRow
from filmbot.domain.clock import utcnow
from filmbot.domain.models import MediaType, TitleRef
from filmbot.domain.personal import (
    DigestMode,
    FollowLine,
    MemberState,
    NotifySettings,
    PersonalFollow,
    format_clock,
    parse_clock,
)

BATCH = 2000


def _follow(row: PersonalFollowRow) -> PersonalFollow:
    return PersonalFollow(
        user_id=row.user_id,
        ref=TitleRef(MediaType(row.media_type), row.tmdb_id),
        title=row.title,
        poster_path=row.poster_path,
        notify_release=row.notify_release,
        notify_update=row.notify_update,
        followed_at=row.followed_at,
    )


def _clock(text: str | None) -> time | None:
    return parse_clock(text) if text else None


def _state(row: MemberNotifySettingsRow) -> MemberState:
    try:
        settings = NotifySettings(
            timezone=row.timezone,
            quiet_start=_clock(row.quiet_start),
            quiet_end=_clock(row.quiet_end),
            digest=DigestMode(row.digest),
            region=row.region,
        )
    except ValueError:
        settings = NotifySettings()
    return MemberState(
        user_id=row.user_id,
        settings=settings,
        dm_channel_id=row.dm_channel_id,
        dm_blocked=row.dm_blocked_at is not None,
        block_told=row.dm_block_told,
        digest_day=date.fromisoformat(row.digest_day) if row.digest_day else None,
    )


class FollowRepository:
    """Add, list and remove personal follows."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, follow: PersonalFollow) -> bool:
        """Follow the title, or update the flags of an existing follow; True when created."""
        row = PersonalFollowRow
        existing = await self._session.scalar(
            select(row).where(*_same(follow.user_id, follow.ref)).with_for_update()
        )
        if existing is not None:
            existing.notify_release = follow.notify_release
            existing.notify_update = follow.notify_update
            return False
        statement = insert_ignore(self._session.get_bind().dialect.name, row)
        result = await self._session.execute(
            statement.values(
                user_id=follow.user_id,
                media_type=follow.ref.media_type,
                tmdb_id=follow.ref.tmdb_id,
                title=follow.title[:255],
                poster_path=follow.poster_path,
                notify_release=follow.notify_release,
                notify_update=follow.notify_update,
                followed_at=follow.followed_at or utcnow(),
            )
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def get(self, user_id: int, ref: TitleRef) -> PersonalFollow | None:
        """The member's follow of the title."""
        row = await self._session.scalar(select(PersonalFollowRow).where(*_same(user_id, ref)))
        return None if row is None else _follow(row)

    async def remove(self, user_id: int, ref: TitleRef) -> bool:
        """Stop following; True when there was a follow."""
        result = await self._session.execute(delete(PersonalFollowRow).where(*_same(user_id, ref)))
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def list_for(self, user_id: int) -> list[PersonalFollow]:
        """The member's follows, newest first."""
        row = PersonalFollowRow
        query = select(row).where(row.user_id == user_id).order_by(row.followed_at.desc(), row.id)
        return [_follow(r) for r in await self._session.scalars(query)]

    async def search(self, user_id: int, text: str, limit: int = 25) -> list[PersonalFollow]:
        """The member's follows whose title contains the text."""
        row = PersonalFollowRow
        query = (
            select(row)
            .where(row.user_id == user_id, func.lower(row.title).contains(text.lower()))
            .order_by(row.title)
            .limit(limit)
        )
        return [_follow(r) for r in await self._session.scalars(query)]

    async def delete_user(self, user_id: int) -> int:
        """Delete every follow of the member; count them."""
        result = await self._session.execute(
            delete(PersonalFollowRow).where(PersonalFollowRow.user_id == user_id)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def line_batches(self, size: int = BATCH) -> AsyncIterator[list[FollowLine]]:
        """Stream every follow as the columns an update cycle needs."""
        row = PersonalFollowRow
        query = select(
            row.user_id,
            row.media_type,
            row.tmdb_id,
            row.title,
            row.poster_path,
            row.notify_release,
            row.notify_update,
        )
        refs: dict[tuple[str, int], TitleRef] = {}
        result = await self._session.stream(query.execution_options(yield_per=size))
        async for rows in result.partitions(size):
            batch = []
            for u, m, t, title, poster, r, n in rows:
                ref = refs.get((m, t))
                if ref is None:
                    ref = refs[(m, t)] = TitleRef(MediaType(m), int(t))
                batch.append(FollowLine(int(u), ref, title, poster, bool(r), bool(n)))
            yield batch


def _same(user_id: int, ref: TitleRef) -> tuple[ColumnElement[bool], ...]:
    row = PersonalFollowRow
    return (row.user_id == user_id, row.media_type == ref.media_type, row.tmdb_id == ref.tmdb_id)


class MemberSettingsRepository:
    """Members' notification settings, DM channel cache and DM refusal flag."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, user_id: int) -> MemberState | None:
        """The member's settings, or None when they never set any."""
        query = (
            select(MemberNotifySettingsRow)
            .where(MemberNotifySettingsRow.user_id == user_id)
            .execution_options(populate_existing=True)
        )
        row = await self._session.scalar(query)
        return None if row is None else _state(row)

    async def many(self, user_ids: Sequence[int]) -> dict[int, MemberState]:
        """The settings of these members (those who have any)."""
        found: dict[int, MemberState] = {}
        ids = sorted(set(user_ids))
        for start in range(0, len(ids), 500):
            query = select(MemberNotifySettingsRow).where(
                MemberNotifySettingsRow.user_id.in_(ids[start : start + 500])
            )
            for row in await self._session.scalars(query):
                found[row.user_id] = _state(row)
        return found

    async def ensure(self, user_id: int, timezone: str, region: str) -> MemberState:
        """Create the member's settings with these defaults unless they exist."""
        statement = insert_ignore(
            self._session.get_bind().dialect.name, MemberNotifySettingsRow, keep="user_id"
        )
        await self._session.execute(
            statement,
            [
                {
                    "user_id": user_id,
                    "timezone": timezone,
                    "region": region,
                    "digest": DigestMode.OFF.value,
                    "dm_block_told": False,
                    "updated_at": utcnow(),
                }
            ],
        )
        state = await self.get(user_id)
        assert state is not None
        return state

    async def save(self, user_id: int, settings: NotifySettings) -> None:
        """Store the member's quiet hours, time zone and digest choice."""
        await self._set(
            user_id,
            timezone=settings.timezone,
            quiet_start=format_clock(settings.quiet_start) if settings.quiet_start else None,
            quiet_end=format_clock(settings.quiet_end) if settings.quiet_end else None,
            digest=settings.digest.value,
        )

    async def cache_dm_channel(self, user_id: int, channel_id: int) -> None:
        """Remember the member's DM channel (creating it costs a Discord call)."""
        await self._set(user_id, dm_channel_id=channel_id)

    async def forget_dm_channel(self, user_id: int) -> None:
        """Drop the cached DM channel (Discord no longer knows it)."""
        await self._set(user_id, dm_channel_id=None)

    async def mark_blocked(self, user_id: int, now: datetime) -> None:
        """Discord refused to DM the member: stop trying until they ask again."""
        await self._set(user_id, dm_blocked_at=now, dm_block_told=False)

    async def unblock(self, user_id: int) -> None:
        """Try DMs again (the member used a notification command)."""
        await self._set(user_id, dm_blocked_at=None, dm_block_told=False)

    async def take_block_notice(self, user_id: int) -> bool:
        """True once after DMs to the member were refused: the caller tells them."""
        row = MemberNotifySettingsRow
        result = await self._session.execute(
            update(row)
            .where(
                row.user_id == user_id,
                row.dm_blocked_at.is_not(None),
                row.dm_block_told.is_(False),
            )
            .values(dm_block_told=True)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def take_digest_day(self, user_id: int, day: date) -> bool:
        """Claim the member's digest of `day`: True for exactly one caller, once per day."""
        row = MemberNotifySettingsRow
        text = day.isoformat()
        result = await self._session.execute(
            update(row)
            .where(row.user_id == user_id, or_(row.digest_day.is_(None), row.digest_day < text))
            .values(digest_day=text)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def delete(self, user_id: int) -> int:
        """Delete the member's settings."""
        result = await self._session.execute(
            delete(MemberNotifySettingsRow).where(MemberNotifySettingsRow.user_id == user_id)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def _set(self, user_id: int, **values: object) -> None:
        await self.ensure_default(user_id)
        row = MemberNotifySettingsRow
        await self._session.execute(
            update(row).where(row.user_id == user_id).values(**values, updated_at=utcnow())
        )

    async def ensure_default(self, user_id: int) -> None:
        """Create UTC/US settings for the member unless they have settings."""
        if await self.get(user_id) is None:
            await self.ensure(user_id, "UTC", "US")
