"""ORM models for FilmBot's schema."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Enum,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from filmbot.db.base import Base
from filmbot.db.types import UTCDateTime
from filmbot.domain.clock import utcnow
from filmbot.domain.models import MediaType

MEDIA_TYPE = Enum(
    MediaType,
    name="media_type",
    native_enum=False,
    length=8,
    values_callable=lambda enum: [member.value for member in enum],
    validate_strings=True,
)


class GuildRow(Base):
    """A Discord server and its settings."""

    __tablename__ = "guilds"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(100), default="")
    prefix: Mapped[str] = mapped_column(String(5), default="!")
    notification_channel_id: Mapped[int | None] = mapped_column(BigInteger)
    notification_role_id: Mapped[int | None] = mapped_column(BigInteger)
    auto_update: Mapped[bool] = mapped_column(Boolean, default=True)
    language: Mapped[str] = mapped_column(String(10), default="en-US")
    region: Mapped[str] = mapped_column(String(2), default="US")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    subscribe_permission: Mapped[str] = mapped_column(String(20), default="everyone")
    delivery_problem: Mapped[str | None] = mapped_column(String(300))
    activity_channel_id: Mapped[int | None] = mapped_column(BigInteger)
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    movie_channel_id: Mapped[int | None] = mapped_column(BigInteger)
    tv_channel_id: Mapped[int | None] = mapped_column(BigInteger)
    notification_templates: Mapped[dict[str, str] | None] = mapped_column(JSON)

    subscriptions: Mapped[list[SubscriptionRow]] = relationship(
        back_populates="guild", cascade="all, delete-orphan", passive_deletes=True
    )
    watchlist_items: Mapped[list[WatchlistRow]] = relationship(
        back_populates="guild", cascade="all, delete-orphan", passive_deletes=True
    )


class SubscriptionRow(Base):
    """A server's subscription to a title."""

    __tablename__ = "subscriptions"
    __table_args__ = (
        UniqueConstraint("guild_id", "tmdb_id", "media_type"),
        Index(None, "tmdb_id", "media_type"),
        Index(None, "guild_id", "subscribed_at", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    guild_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("guilds.id", ondelete="CASCADE"), index=True
    )
    tmdb_id: Mapped[int] = mapped_column(Integer)
    media_type: Mapped[MediaType] = mapped_column(MEDIA_TYPE)
    title: Mapped[str] = mapped_column(String(255))
    poster_path: Mapped[str | None] = mapped_column(String(255))
    subscribed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    notify_release: Mapped[bool] = mapped_column(Boolean, default=True)
    notify_update: Mapped[bool] = mapped_column(Boolean, default=True)
    title_missing: Mapped[bool] = mapped_column(Boolean, default=False)
    channel_id: Mapped[int | None] = mapped_column(BigInteger)

    guild: Mapped[GuildRow] = relationship(back_populates="subscriptions")


class WatchlistRow(Base):
    """One title on a user's watchlist in one server."""

    __tablename__ = "watchlists"
    __table_args__ = (UniqueConstraint("guild_id", "user_id", "tmdb_id", "media_type"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    guild_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("guilds.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    tmdb_id: Mapped[int] = mapped_column(Integer)
    media_type: Mapped[MediaType] = mapped_column(MEDIA_TYPE)
    title: Mapped[str] = mapped_column(String(255))
    poster_path: Mapped[str | None] = mapped_column(String(255))
    priority: Mapped[int] = mapped_column(SmallInteger, default=1)
    watched: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    watched_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    notes: Mapped[str | None] = mapped_column(Text)

    guild: Mapped[GuildRow] = relationship(back_populates="watchlist_items")
    rating: Mapped[RatingRow | None] = relationship(
        back_populates="watchlist_item",
        cascade="all, delete-orphan",
        passive_deletes=True,
        uselist=False,
        lazy="selectin",
    )


class RatingRow(Base):
    """A user's rating (1..10) and optional review of a watchlist item."""

    __tablename__ = "ratings"
    __table_args__ = (CheckConstraint("score >= 1 AND score <= 10", name="score_range"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    watchlist_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("watchlists.id", ondelete="CASCADE"), unique=True
    )
    user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    tmdb_id: Mapped[int] = mapped_column(Integer, index=True)
    media_type: Mapped[MediaType] = mapped_column(MEDIA_TYPE)
    score: Mapped[int] = mapped_column(SmallInteger)
    review: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow, index=True
    )

    watchlist_item: Mapped[WatchlistRow] = relationship(back_populates="rating")


class TmdbCacheEntry(Base):
    """A cached TMDB response (the database tier of the cache)."""

    __tablename__ = "tmdb_cache"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    value: Mapped[dict[str, Any]] = mapped_column(JSON)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class TitleSnapshotRow(Base):
    """What the update engine last learned about a title, per engine scope (shard set)."""

    __tablename__ = "title_snapshots"

    scope: Mapped[str] = mapped_column(String(64), primary_key=True)
    media_type: Mapped[MediaType] = mapped_column(MEDIA_TYPE, primary_key=True)
    tmdb_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime())


class LedgerColumns:
    """The columns both delivery ledgers share: the event, and the state of sending it."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    media_type: Mapped[MediaType] = mapped_column(MEDIA_TYPE)
    tmdb_id: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    event_key: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(10), default="pending")
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(String(40))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(300))
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    message_id: Mapped[int | None] = mapped_column(BigInteger)


class UpdateDeliveryRow(LedgerColumns, Base):
    """The delivery ledger: one notification for one guild, created before it is sent."""

    __tablename__ = "update_deliveries"
    __table_args__ = (
        UniqueConstraint("guild_id", "media_type", "tmdb_id", "kind", "event_key"),
        Index(None, "status", "guild_id"),
    )

    guild_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("guilds.id", ondelete="CASCADE"), index=True
    )
    channel_id: Mapped[int | None] = mapped_column(BigInteger)


class ChangeCounterRow(Base):
    """A counter bumped whenever a kind of data changes, so readers can keep copies."""

    __tablename__ = "change_counters"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


class UpdateCycleRow(Base):
    """The last update cycle of one engine scope: when it ran and what it did."""

    __tablename__ = "update_cycles"

    scope: Mapped[str] = mapped_column(String(64), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime())
    changes_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    stats: Mapped[dict[str, Any]] = mapped_column(JSON)


class PersonalFollowRow(Base):
    """A member's personal follow of a title, announced by direct message."""

    __tablename__ = "personal_follows"
    __table_args__ = (
        UniqueConstraint("user_id", "media_type", "tmdb_id"),
        Index(None, "media_type", "tmdb_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    media_type: Mapped[MediaType] = mapped_column(MEDIA_TYPE)
    tmdb_id: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(255))
    poster_path: Mapped[str | None] = mapped_column(String(255))
    notify_release: Mapped[bool] = mapped_column(Boolean, default=True)
    notify_update: Mapped[bool] = mapped_column(Boolean, default=True)
    followed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class MemberNotifySettingsRow(Base):
    """A member's notification settings and the state of their direct messages."""

    __tablename__ = "member_notify_settings"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    region: Mapped[str] = mapped_column(String(2), default="US")
    quiet_start: Mapped[str | None] = mapped_column(String(5))
    quiet_end: Mapped[str | None] = mapped_column(String(5))
    digest: Mapped[str] = mapped_column(String(10), default="off")
    dm_channel_id: Mapped[int | None] = mapped_column(BigInteger)
    dm_blocked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    dm_block_told: Mapped[bool] = mapped_column(Boolean, default=False)
    digest_day: Mapped[str | None] = mapped_column(String(10))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class MemberDeliveryRow(LedgerColumns, Base):
    """The delivery ledger of direct messages: one notification for one member.

    The same columns and life cycle as `update_deliveries`, with the member as recipient;
    `digest_day` names the member-local day of the digest a row was taken into.
    """

    __tablename__ = "member_deliveries"
    __table_args__ = (
        UniqueConstraint("user_id", "media_type", "tmdb_id", "kind", "event_key"),
        Index(None, "status", "user_id"),
    )

    user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    digest_day: Mapped[str | None] = mapped_column(String(10))


class MemberPreferenceRow(Base):
    """What a member allows FilmBot to do with them, in every server."""

    __tablename__ = "member_preferences"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    recommendations: Mapped[bool] = mapped_column(Boolean, default=True)
    activity: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class MemberRecommendationRow(Base):
    """A title one member recommended to another in a server."""

    __tablename__ = "member_recommendations"
    __table_args__ = (
        Index(None, "sender_id", "recipient_id", "created_at"),
        Index(None, "guild_id", "recipient_id", "shown_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    guild_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("guilds.id", ondelete="CASCADE"))
    sender_id: Mapped[int] = mapped_column(BigInteger)
    sender_name: Mapped[str] = mapped_column(String(100))
    recipient_id: Mapped[int] = mapped_column(BigInteger, index=True)
    tmdb_id: Mapped[int] = mapped_column(Integer)
    media_type: Mapped[MediaType] = mapped_column(MEDIA_TYPE)
    title: Mapped[str] = mapped_column(String(255))
    note: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    shown_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ServerWatchlistRow(Base):
    """One title on a server's shared watchlist; `added_by` is None once anonymised."""

    __tablename__ = "server_watchlist"
    __table_args__ = (UniqueConstraint("guild_id", "tmdb_id", "media_type"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    guild_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("guilds.id", ondelete="CASCADE"), index=True
    )
    tmdb_id: Mapped[int] = mapped_column(Integer)
    media_type: Mapped[MediaType] = mapped_column(MEDIA_TYPE)
    title: Mapped[str] = mapped_column(String(255))
    poster_path: Mapped[str | None] = mapped_column(String(255))
    note: Mapped[str | None] = mapped_column(String(200))
    added_by: Mapped[int | None] = mapped_column(BigInteger, index=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    picked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class MovieNightRow(Base):
    """A movie-night poll, kept until its winner is announced (survives restarts)."""

    __tablename__ = "movie_nights"
    __table_args__ = (Index(None, "status", "expires_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    guild_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("guilds.id", ondelete="CASCADE"), index=True
    )
    channel_id: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    candidates: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(12), default="open")
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    winner_title: Mapped[str | None] = mapped_column(String(255))
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PersonFollowRow(Base):
    """A followed person: by a server (`guild_id`) or by a member personally (`user_id`).

    Exactly one of the two is set; each recipient follows a person at most once.
    """

    __tablename__ = "person_follows"
    __table_args__ = (
        UniqueConstraint("guild_id", "person_id"),
        UniqueConstraint("user_id", "person_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    guild_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("guilds.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    person_id: Mapped[int] = mapped_column(Integer, index=True)
    name: Mapped[str] = mapped_column(String(255))
    profile_path: Mapped[str | None] = mapped_column(String(255))
    followed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PersonSnapshotRow(Base):
    """The credits of a followed person the update engine already knows, per engine scope.

    `known` lists the qualifying credits ("movie:1", "tv:2") seen so far; only credits not
    in it are announced.
    """

    __tablename__ = "person_snapshots"

    scope: Mapped[str] = mapped_column(String(64), primary_key=True)
    person_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(255))
    known: Mapped[list[str]] = mapped_column(JSON)
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime())


class TitleGenreRow(Base):
    """One of a title's TMDB genre ids; genre id 0 marks a title TMDB lists without genres.

    Shared by every server and member (genres are facts about the title), filled when a
    title is added, marked watched, rated or imported, and backfilled by the bot.
    """

    __tablename__ = "title_genres"

    media_type: Mapped[MediaType] = mapped_column(MEDIA_TYPE, primary_key=True)
    tmdb_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    genre_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)


class GenreNameRow(Base):
    """A TMDB genre's name in one language, as the bot last fetched it (/genre/*/list)."""

    __tablename__ = "genre_names"

    language: Mapped[str] = mapped_column(String(16), primary_key=True)
    genre_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(100))
