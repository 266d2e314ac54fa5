"""Build and close the services the bot holds, with the TMDB and Redis clients they share."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncEngine

from filmbot.config import Settings
from filmbot.db.cache import DatabaseCache
from filmbot.db.session import Sessions, create_sessionmaker, read_only_sessionmaker
from filmbot.services.activity import ActivityService
from filmbot.services.admin import AdminService
from filmbot.services.catalog import CatalogService
from filmbot.services.dashboard import DashboardService
from filmbot.services.discovery import DiscoveryService
from filmbot.services.history import ExportService, ImportBudget, ImportService, import_share
from filmbot.services.movienight import MovieNightService
from filmbot.services.notifications import NotificationSender
from filmbot.services.people import PeopleService
from filmbot.services.person_follows import PersonFollowService
from filmbot.services.personal import PersonalService
from filmbot.services.privacy import PrivacyService
from filmbot.services.recommendations import RecommendationService
from filmbot.services.server_watchlist import ServerWatchlistService
from filmbot.services.social import SocialService
from filmbot.services.subscriptions import SubscriptionService
from filmbot.services.templates import TemplateService
from filmbot.services.upcoming import UpcomingService
from filmbot.services.updates import (
    UpdateEngine,
    UpdateStatus,
    shard_filter,
    shard_scope,
    title_source,
)
from filmbot.services.updates.plan import Windows
from filmbot.services.watchlist import WatchlistService
from filmbot.tmdb import (
    LocalRateLimiter,
    RateLimiter,
    RedisRateLimiter,
    RetryPolicy,
    TMDBClient,
)

if TYPE_CHECKING:
    from pydantic import SecretStr
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
    updates: UpdateStatus
    imports: ImportService
    exports: ExportService
    templates: TemplateService
    personal: PersonalService
    upcoming: UpcomingService
    social: SocialService
    activity: ActivityService
    people: PeopleService
    discovery: DiscoveryService
    redis: Redis | None = None
    server_watchlist: ServerWatchlistService = field(init=False)
    movienight: MovieNightService = field(init=False)
    person_follows: PersonFollowService = field(init=False)

    def __post_init__(self) -> None:
        self.server_watchlist = ServerWatchlistService(
            self.sessions, self.settings.max_server_watchlist_items
        )
        self.movienight = MovieNightService(self.sessions, self.catalog, self.tmdb)
        self.person_follows = PersonFollowService(self.sessions, self.people)

    async def update_status(self) -> str:
        """How the last update cycle went, for /stats."""
        if not self.settings.auto_update_enabled:
            return "automatic updates are off (AUTO_UPDATE_ENABLED=false)"
        return await self.updates.describe()

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
    tmdb = build_tmdb(settings, sessions, redis)
    catalog = CatalogService(tmdb)
    people = PeopleService(tmdb)
    updates = UpdateStatus(sessions, shard_scope(settings))
    return Services(
        settings=settings,
        engine=engine,
        sessions=sessions,
        tmdb=tmdb,
        catalog=catalog,
        subscriptions=SubscriptionService(sessions, updates.next_hints),
        watchlist=WatchlistService(sessions, settings.max_watchlist_items),
        admin=AdminService(sessions),
        privacy=PrivacyService(sessions, settings.guild_data_grace_days),
        recommendations=RecommendationService(sessions, tmdb, catalog, settings),
        updates=updates,
        imports=build_imports(settings, sessions, tmdb, redis),
        exports=ExportService(sessions),
        templates=TemplateService(sessions),
        personal=PersonalService(sessions, updates, update_windows(settings)),
        upcoming=UpcomingService(sessions, shard_scope(settings)),
        social=SocialService(sessions),
        activity=ActivityService(sessions),
        people=people,
        discovery=DiscoveryService(tmdb, people),
        redis=redis,
    )


def build_dashboard(engine: AsyncEngine) -> DashboardService:
    """Wire the web dashboard's service: it reads the database and needs no TMDB client."""
    reads = read_only_sessionmaker(engine)
    writes = create_sessionmaker(engine)
    return DashboardService(
        reads, UpdateStatus(reads), AdminService(writes), TemplateService(writes)
    )


def build_imports(
    settings: Settings, sessions: Sessions, tmdb: TMDBClient, redis: Redis | None = None
) -> ImportService:
    """The import service, with its share of the TMDB rate limit (shared through Redis)."""
    share = import_share(settings.tmdb_rate_limit)
    limiter = _tmdb_limiter(settings, redis, limit=share, key="tmdb:imports")
    return ImportService(sessions, tmdb, ImportBudget(limiter), settings.max_watchlist_items)


def build_update_engine(services: Services, sender: NotificationSender) -> UpdateEngine:
    """Wire the update engine to the services, delivering through `sender`, for its shards."""
    settings = services.settings
    return UpdateEngine(
        services.sessions,
        title_source(services.tmdb, services.redis, settings.update_interval),
        sender,
        settings,
        owns=shard_filter(settings),
        scope=shard_scope(settings),
        lease=settings.delivery_lease,
    )


def update_windows(settings: Settings) -> Windows:
    """The notification windows the settings configure."""
    return Windows(
        settings.release_notify_days, settings.episode_notify_days, settings.upcoming_notify_days
    )


def redis_from_url(url: str) -> Redis:
    """A Redis client that fails fast, so an outage costs milliseconds, not seconds."""
    from redis.asyncio import Redis
    from redis.asyncio.retry import Retry
    from redis.backoff import NoBackoff

    return Redis.from_url(
        url, socket_timeout=2.0, socket_connect_timeout=1.0, retry=Retry(NoBackoff(), 1)
    )


def build_tmdb(
    settings: Settings, sessions: Sessions | None = None, redis: Redis | None = None
) -> TMDBClient:
    """Build the TMDB client: database cache tier over `sessions`, Redis tiers over `redis`.

    The caller owns `redis` (None when REDIS_ENABLED is off) and closes it after the client.
    """
    settings.require_tmdb_credentials()
    return TMDBClient.create(
        settings.tmdb_base_url,
        api_key=_reveal(settings.tmdb_api_key),
        read_access_token=_reveal(settings.tmdb_read_access_token),
        limiter=_tmdb_limiter(settings, redis),
        policy=_tmdb_retry_policy(settings),
        redis=redis,
        database=DatabaseCache(sessions) if sessions is not None else None,
        ttl=float(settings.cache_ttl_seconds),
    )


def _tmdb_limiter(
    settings: Settings,
    redis: Redis | None,
    *,
    limit: int | None = None,
    key: str = "tmdb:ratelimit",
) -> RateLimiter:
    limit = settings.tmdb_rate_limit if limit is None else limit
    local = LocalRateLimiter(limit, settings.tmdb_rate_period)
    if redis is None:
        return local
    # A request holds its place until answered; a place older than this is taken to be
    # left by a process that died. No request outlives its timeout, so twice that is safe.
    longest = max(30.0, 2 * settings.tmdb_timeout_seconds)
    return RedisRateLimiter(
        redis,
        limit,
        settings.tmdb_rate_period,
        fallback=local,
        key=key,
        longest_request=longest,
    )


def _tmdb_retry_policy(settings: Settings) -> RetryPolicy:
    return RetryPolicy(
        max_retries=settings.tmdb_max_retries,
        deadline=settings.tmdb_retry_deadline_seconds,
        timeout=settings.tmdb_timeout_seconds,
    )


def _reveal(secret: SecretStr | None) -> str | None:
    return secret.get_secret_value() if secret else None
