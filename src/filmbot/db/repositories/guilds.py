"""Guild settings."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from filmbot.db.models import GuildRow
from filmbot.db.repositories._integrity import guarded
from filmbot.db.repositories.community import ratings_changed
from filmbot.domain.clock import utcnow
from filmbot.domain.errors import InvalidInputError
from filmbot.domain.models import Guild, SubscribePermission

EDITABLE_FIELDS = frozenset(
    {
        "name",
        "prefix",
        "notification_channel_id",
        "notification_role_id",
        "auto_update",
        "language",
        "region",
        "timezone",
        "subscribe_permission",
        "delivery_problem",
        "left_at",
        "movie_channel_id",
        "tv_channel_id",
        "notification_templates",
        "activity_channel_id",
    }
)


def to_guild(row: GuildRow) -> Guild:
    """Convert a row to the domain object."""
    return Guild(
        id=row.id,
        name=row.name,
        prefix=row.prefix,
        notification_channel_id=row.notification_channel_id,
        notification_role_id=row.notification_role_id,
        auto_update=row.auto_update,
        language=row.language,
        region=row.region,
        timezone=row.timezone,
        subscribe_permission=SubscribePermission(row.subscribe_permission),
        delivery_problem=row.delivery_problem,
        activity_channel_id=row.activity_channel_id,
        left_at=row.left_at,
        created_at=row.created_at,
        updated_at=row.updated_at,
        movie_channel_id=row.movie_channel_id,
        tv_channel_id=row.tv_channel_id,
        notification_templates=dict(row.notification_templates or {}),
    )


class GuildRepository:
    """Read and change guild settings."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, guild_id: int) -> Guild | None:
        """Return the guild, or None when FilmBot has never seen it."""
        row = await self._session.get(GuildRow, guild_id)
        return to_guild(row) if row else None

    async def ensure(self, guild_id: int, name: str = "") -> Guild:
        """Return the guild, creating it with default settings when new."""
        row = await self._session.get(GuildRow, guild_id)
        if row is None:
            row = GuildRow(id=guild_id, name=name[:100])
            async with guarded(self._session):
                self._session.add(row)
            await self._session.refresh(row)
        elif name and row.name != name[:100]:
            row.name = name[:100]
            await self._session.flush()
        return to_guild(row)

    async def update(self, guild_id: int, **changes: Any) -> Guild:
        """Change settings by field name; unknown fields are refused."""
        unknown = set(changes) - EDITABLE_FIELDS
        if unknown:
            raise InvalidInputError(f"Unknown guild setting: {', '.join(sorted(unknown))}")
        await self.ensure(guild_id)
        row = await self._session.get(GuildRow, guild_id)
        assert row is not None
        for key, value in changes.items():
            setattr(row, key, value.value if isinstance(value, SubscribePermission) else value)
        row.updated_at = utcnow()
        async with guarded(self._session):
            await self._session.flush()
        return to_guild(row)

    async def count(self) -> int:
        """Count guilds."""
        return int(await self._session.scalar(select(func.count()).select_from(GuildRow)) or 0)

    async def delete(self, guild_id: int) -> bool:
        """Delete the guild and, by cascade, everything stored for it."""
        result = await self._session.execute(delete(GuildRow).where(GuildRow.id == guild_id))
        if result.rowcount:  # type: ignore[attr-defined]
            await ratings_changed(self._session, [guild_id], deleted=True)
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def left_before(self, cutoff: datetime) -> list[int]:
        """Return ids of guilds the bot left before the cutoff."""
        rows = await self._session.scalars(
            select(GuildRow.id).where(GuildRow.left_at.is_not(None), GuildRow.left_at < cutoff)
        )
        return list(rows)
