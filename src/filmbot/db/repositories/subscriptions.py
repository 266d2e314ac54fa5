"""Server subscriptions to titles."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Select, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from filmbot.db.dialects import chunks
from filmbot.db.models import SubscriptionRow
from filmbot.db.repositories._integrity import guarded
from filmbot.db.repositories.changes import SUBSCRIPTIONS, ChangeCounters
from filmbot.domain.models import MediaType, Subscription, TitleRef


def to_subscription(row: SubscriptionRow) -> Subscription:
    """Convert a row to the domain object."""
    return Subscription(
        id=row.id,
        guild_id=row.guild_id,
        tmdb_id=row.tmdb_id,
        media_type=row.media_type,
        title=row.title,
        poster_path=row.poster_path,
        notify_release=row.notify_release,
        notify_update=row.notify_update,
        subscribed_at=row.subscribed_at,
        title_missing=row.title_missing,
        channel_id=row.channel_id,
    )


class SubscriptionRepository:
    """Add, list and remove subscriptions; every change bumps the subscriptions counter."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._changes = ChangeCounters(session)

    async def add(
        self,
        guild_id: int,
        ref: TitleRef,
        title: str,
        poster_path: str | None = None,
        *,
        notify_release: bool = True,
        notify_update: bool = True,
        channel_id: int | None = None,
    ) -> Subscription:
        """Subscribe the guild; AlreadyExistsError when it already follows the title."""
        row = SubscriptionRow(
            guild_id=guild_id,
            tmdb_id=ref.tmdb_id,
            media_type=ref.media_type,
            title=title[:255],
            poster_path=poster_path,
            notify_release=notify_release,
            notify_update=notify_update,
            channel_id=channel_id,
        )
        async with guarded(
            self._session, duplicate_message=f"This server already follows {title}."
        ):
            self._session.add(row)
        await self._changes.bump(SUBSCRIPTIONS)
        return to_subscription(row)

    async def get(self, guild_id: int, ref: TitleRef) -> Subscription | None:
        """Return the guild's subscription to the title, if any."""
        row = await self._session.scalar(self._by_ref(guild_id, ref))
        return to_subscription(row) if row else None

    async def set_flags(
        self, guild_id: int, ref: TitleRef, *, notify_release: bool, notify_update: bool
    ) -> Subscription | None:
        """Change what a subscription notifies about."""
        row = await self._session.scalar(self._by_ref(guild_id, ref))
        if row is None:
            return None
        row.notify_release, row.notify_update = notify_release, notify_update
        await self._session.flush()
        await self._changes.bump(SUBSCRIPTIONS)
        return to_subscription(row)

    async def set_channel(
        self, guild_id: int, ref: TitleRef, channel_id: int | None
    ) -> Subscription | None:
        """Give a subscription its own channel (None: the server's channels)."""
        row = await self._session.scalar(self._by_ref(guild_id, ref))
        if row is None:
            return None
        row.channel_id = channel_id
        await self._session.flush()
        return to_subscription(row)

    async def channel_overrides(self, guild_ids: Iterable[int]) -> dict[tuple[int, TitleRef], int]:
        """Map (guild, title) to the subscription's own channel, for those that have one."""
        row = SubscriptionRow
        found: dict[tuple[int, TitleRef], int] = {}
        for chunk in chunks(sorted(set(guild_ids))):
            query = select(row.guild_id, row.media_type, row.tmdb_id, row.channel_id).where(
                row.guild_id.in_(chunk), row.channel_id.is_not(None)
            )
            for g, m, t, c in await self._session.execute(query):
                if c is not None:
                    found[(int(g), TitleRef(MediaType(m), int(t)))] = int(c)
        return found

    async def remove(self, guild_id: int, ref: TitleRef) -> bool:
        """Remove a subscription; False when there was none."""
        result = await self._session.execute(
            delete(SubscriptionRow).where(
                SubscriptionRow.guild_id == guild_id,
                SubscriptionRow.tmdb_id == ref.tmdb_id,
                SubscriptionRow.media_type == ref.media_type,
            )
        )
        removed = bool(result.rowcount)  # type: ignore[attr-defined]
        if removed:
            await self._changes.bump(SUBSCRIPTIONS)
        return removed

    async def list_for_guild(
        self, guild_id: int, *, limit: int | None = None, offset: int = 0
    ) -> list[Subscription]:
        """Return the guild's subscriptions, newest first."""
        query = (
            select(SubscriptionRow)
            .where(SubscriptionRow.guild_id == guild_id)
            .order_by(SubscriptionRow.subscribed_at.desc(), SubscriptionRow.id.desc())
            .offset(offset)
        )
        if limit is not None:
            query = query.limit(limit)
        return [to_subscription(row) for row in await self._session.scalars(query)]

    async def search_for_guild(
        self, guild_id: int, text: str, limit: int = 25
    ) -> list[Subscription]:
        """Return the guild's subscriptions whose title contains the text."""
        query = (
            select(SubscriptionRow)
            .where(SubscriptionRow.guild_id == guild_id)
            .where(func.lower(SubscriptionRow.title).contains(text.lower(), autoescape=True))
            .order_by(SubscriptionRow.title)
            .limit(limit)
        )
        return [to_subscription(row) for row in await self._session.scalars(query)]

    async def count(self, guild_id: int | None = None) -> int:
        """Count subscriptions, of one guild or of all."""
        query = select(func.count()).select_from(SubscriptionRow)
        if guild_id is not None:
            query = query.where(SubscriptionRow.guild_id == guild_id)
        return int(await self._session.scalar(query) or 0)

    async def list_all(self, guild_ids: Iterable[int] | None = None) -> list[Subscription]:
        """Return every subscription (optionally of some guilds) in one query."""
        query = select(SubscriptionRow).order_by(SubscriptionRow.id)
        if guild_ids is not None:
            query = query.where(SubscriptionRow.guild_id.in_(list(guild_ids)))
        return [to_subscription(row) for row in await self._session.scalars(query)]

    async def mark_missing(self, ref: TitleRef, missing: bool = True) -> None:
        """Flag every subscription to a title that TMDB no longer has."""
        result = await self._session.execute(
            update(SubscriptionRow)
            .where(
                SubscriptionRow.tmdb_id == ref.tmdb_id, SubscriptionRow.media_type == ref.media_type
            )
            .values(title_missing=missing)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount:  # type: ignore[attr-defined]
            await self._changes.bump(SUBSCRIPTIONS)

    @staticmethod
    def _by_ref(guild_id: int, ref: TitleRef) -> Select[SubscriptionRow]:
        return select(SubscriptionRow).where(
            SubscriptionRow.guild_id == guild_id,
            SubscriptionRow.tmdb_id == ref.tmdb_id,
            SubscriptionRow.media_type == ref.media_type,
        )
