"""Build and close the services the bot holds."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncEngine

from filmbot.config import Settings
from filmbot.db.session import create_sessionmaker
from filmbot.services._uow import Sessions
from filmbot.services.admin import AdminService
from filmbot.services.catalog import CatalogService
from filmbot.services.privacy import PrivacyService
from filmbot.services.recommendations import RecommendationService
from filmbot.services.subscriptions import SubscriptionService
from filmbot.services.watchlist import WatchlistService
from filmbot.tmdb import TMDBClient
from filmbot.tmdb.client import redis_from_url

if TYPE_CHECKING:
    from redis.asyncio import Redis

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Services:
    """Every use case, wired to one database, one TMDB client and (optionally) Redis."""

    settings: Settings
    engine: AsyncEngine
    sessions: Sessions
    tmdb: TMDBClient
    catalog: CatalogService
    subscriptions: SubscriptionService
    watchlist: WatchlistService
    admin: AdminService
    privacy: PrivacyService
    recommendations: RecommendationService
    redis: Redis | None = None
    status_source: Callable[[], Awaitable[str]] | None = None

    async def update_status(self) -> str:
        """How the last update cycle went, for /stats."""
        if not self.settings.auto_update_enabled:
            return "automatic updates are off (AUTO_UPDATE_ENABLED=false)"
        if self.status_source is None:
            return "no update cycle has run yet"
        return await self.status_source()

    async def close(self) -> None:
        """Close the TMDB session, Redis and the database pool."""
        await self.tmdb.close()
        if self.redis is not None:
            await self.redis.aclose()
        await self.engine.dispose()


def build_services(settings: Settings, engine: AsyncEngine) -> Services:
    """Wire the services for the settings."""
    sessions = create_sessionmaker(engine)
    redis = redis_from_url(settings.redis_url) if settings.redis_enabled else None
    tmdb = TMDBClient.from_settings(settings, sessionmaker=sessions, redis=redis)
    catalog = CatalogService(tmdb)
    return Services(
        settings=settings,
        engine=engine,
        sessions=sessions,
        tmdb=tmdb,
        catalog=catalog,
        subscriptions=SubscriptionService(sessions),
        watchlist=WatchlistService(sessions, settings.max_watchlist_items),
        admin=AdminService(sessions),
        privacy=PrivacyService(sessions, settings.guild_data_grace_days),
        recommendations=RecommendationService(sessions, tmdb, catalog, settings),
        redis=redis,
    )
