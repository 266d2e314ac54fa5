"""Server administration: settings and statistics."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from filmbot.db.repositories import (
    GuildRepository,
    RatingRepository,
    SubscriptionRepository,
    WatchlistRepository,
)
from filmbot.db.session import Sessions
from filmbot.domain import guild_settings as rules
from filmbot.domain.guild_settings import Setting
from filmbot.domain.models import Guild


@dataclass(frozen=True, slots=True)
class Counts:
    """Row counts for /stats, for one server and for the whole bot."""

    guilds: int
    subscriptions: int
    watchlist_items: int
    ratings: int
    guild_subscriptions: int
    guild_watchlist_items: int
    guild_ratings: int


class AdminService:
    """Read and change a server's FilmBot settings; gather statistics."""

    def __init__(self, sessions: Sessions) -> None:
        self._sessions = sessions
        self.started_monotonic = time.monotonic()

    async def guild(self, guild_id: int, name: str = "") -> Guild:
        """The server's settings (created with defaults on first use)."""
        async with self._sessions.begin() as session:
            return await GuildRepository(session).ensure(guild_id, name)

    async def set(self, guild_id: int, setting: Setting, value: str | int | None) -> Guild:
        """Validate and store one setting. Channel and role ids are checked by the caller."""
        changes = self._changes(setting, value)
        async with self._sessions.begin() as session:
            return await GuildRepository(session).update(guild_id, **changes)

    async def apply(self, guild_id: int, values: dict[Setting, str | int | None]) -> Guild:
        """Validate every value first, then store them together (the /setup wizard)."""
        changes: dict[str, Any] = {}
        for setting, value in values.items():
            changes.update(self._changes(setting, value))
        async with self._sessions.begin() as session:
            return await GuildRepository(session).update(guild_id, **changes)

    async def mark_left(self, guild_id: int, when: datetime | None) -> None:
        """Record when the bot left the server (None: it is back)."""
        async with self._sessions.begin() as session:
            await GuildRepository(session).update(guild_id, left_at=when)

    async def delete_guild_data(self, guild_id: int) -> bool:
        """Delete everything stored for the server at once."""
        async with self._sessions.begin() as session:
            return await GuildRepository(session).delete(guild_id)

    async def counts(self, guild_id: int) -> Counts:
        """Counts for /stats."""
        async with self._sessions() as session:
            subs, items, ratings = (
                SubscriptionRepository(session),
                WatchlistRepository(session),
                RatingRepository(session),
            )
            return Counts(
                guilds=await GuildRepository(session).count(),
                subscriptions=await subs.count(),
                watchlist_items=await items.count(),
                ratings=await ratings.count(),
                guild_subscriptions=await subs.count(guild_id),
                guild_watchlist_items=await items.count(guild_id),
                guild_ratings=await ratings.count(guild_id),
            )

    def uptime_seconds(self) -> float:
        """Seconds since the services started."""
        return time.monotonic() - self.started_monotonic

    @staticmethod
    def _changes(setting: Setting, value: str | int | None) -> dict[str, Any]:
        text = "" if value is None else str(value)
        match setting:
            case Setting.NOTIFICATION_CHANNEL:
                return {
                    "notification_channel_id": int(value) if value else None,
                    "delivery_problem": None,
                }
            case Setting.NOTIFICATION_ROLE:
                return {"notification_role_id": int(value) if value else None}
            case Setting.AUTO_UPDATE:
                return {"auto_update": rules.parse_switch(text)}
            case Setting.LANGUAGE:
                return {"language": rules.parse_language(text)}
            case Setting.REGION:
                return {"region": rules.parse_region(text)}
            case Setting.TIMEZONE:
                return {"timezone": rules.parse_timezone(text)}
            case Setting.SUBSCRIBE_PERMISSION:
                return {"subscribe_permission": rules.parse_subscribe_permission(text)}
            case Setting.MOVIE_CHANNEL:
                return {"movie_channel_id": int(value) if value else None, "delivery_problem": None}
            case Setting.TV_CHANNEL:
                return {"tv_channel_id": int(value) if value else None, "delivery_problem": None}


def describe(guild: Guild, setting: Setting) -> str:
    """A setting's current value as /config shows it."""
    match setting:
        case Setting.NOTIFICATION_CHANNEL:
            return (
                f"<#{guild.notification_channel_id}>"
                if guild.notification_channel_id
                else "not set"
            )
        case Setting.NOTIFICATION_ROLE:
            return (
                f"<@&{guild.notification_role_id}>"
                if guild.notification_role_id
                else "no role (no ping)"
            )
        case Setting.AUTO_UPDATE:
            return "on" if guild.auto_update else "off"
        case Setting.LANGUAGE:
            return guild.language
        case Setting.REGION:
            return guild.region
        case Setting.TIMEZONE:
            return guild.timezone
        case Setting.SUBSCRIBE_PERMISSION:
            return guild.subscribe_permission.value
        case Setting.MOVIE_CHANNEL:
            return _kind_channel(guild.movie_channel_id)
        case Setting.TV_CHANNEL:
            return _kind_channel(guild.tv_channel_id)


def _kind_channel(channel_id: int | None) -> str:
    return f"<#{channel_id}>" if channel_id else "not set (the notification channel)"
