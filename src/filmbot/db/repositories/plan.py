"""What an update cycle checks: the guilds with auto-update on and the titles they follow.

One home for the rule "a guild takes part in update cycles while auto-update is on and the
bot has not left it", shared by the guild and the subscription queries.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from filmbot.db.models import GuildRow, SubscriptionRow
from filmbot.db.repositories.guilds import to_guild
from filmbot.domain.models import Guild, MediaType, TitleRef
from filmbot.domain.updates import SubscriptionLine

BATCH = 2000


class PlanRepository:
    """The batch reads that decide what an update cycle looks at."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def active_guilds(self) -> list[Guild]:
        """Return guilds with auto-update on that the bot has not left."""
        query = select(GuildRow).where(*_taking_part())
        return [to_guild(row) for row in await self._session.scalars(query)]

    async def active_subscription_batches(
        self, size: int = BATCH
    ) -> AsyncIterator[list[SubscriptionLine]]:
        """Stream the subscriptions of guilds with auto-update on that the bot has not left."""
        sub = SubscriptionRow
        query = (
            select(
                sub.guild_id,
                sub.media_type,
                sub.tmdb_id,
                sub.title,
                sub.poster_path,
                sub.notify_release,
                sub.notify_update,
            )
            .join(GuildRow, GuildRow.id == sub.guild_id)
            .where(*_taking_part())
            .where(sub.title_missing.is_(False))
        )
        refs: dict[tuple[str, int], TitleRef] = {}
        result = await self._session.stream(query.execution_options(yield_per=size))
        async for rows in result.partitions(size):
            yield [
                SubscriptionLine(int(g), _ref(refs, m, t), title, poster, bool(r), bool(u))
                for g, m, t, title, poster, r, u in rows
            ]
            await asyncio.sleep(0)

    async def missing_titles(self, limit: int) -> list[TitleRef]:
        """Titles whose subscriptions are marked as deleted on TMDB."""
        sub = SubscriptionRow
        query = (
            select(sub.media_type, sub.tmdb_id)
            .where(sub.title_missing.is_(True))
            .distinct()
            .order_by(sub.media_type, sub.tmdb_id)
            .limit(limit)
        )
        rows = await self._session.execute(query)
        return [TitleRef(MediaType(m), int(t)) for m, t in rows]


def _ref(refs: dict[tuple[str, int], TitleRef], media: Any, tmdb_id: int) -> TitleRef:
    """Return one shared TitleRef per title (a title has many subscriptions)."""
    key = (media, tmdb_id)
    ref = refs.get(key)
    if ref is None:
        ref = refs[key] = TitleRef(MediaType(media), int(tmdb_id))
    return ref


def _taking_part() -> tuple[Any, ...]:
    """The conditions on a guild row for taking part in update cycles."""
    return (GuildRow.auto_update.is_(True), GuildRow.left_at.is_(None))
