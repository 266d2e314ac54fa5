"""Plain domain objects returned by the data layer."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime


class MediaType(str, enum.Enum):
    """The kind of TMDB title."""

    MOVIE = "movie"
    TV = "tv"

    @property
    def label(self) -> str:
        """The word shown to users."""
        return "Movie" if self is MediaType.MOVIE else "TV"


class Priority(int, enum.Enum):
    """Watchlist priority; higher sorts first."""

    LOW = 0
    NORMAL = 1
    HIGH = 2

    @classmethod
    def parse(cls, text: str) -> Priority:
        """Parse 'low', 'normal' or 'high'."""
        return cls[text.strip().upper()]


class SubscribePermission(str, enum.Enum):
    """Who may subscribe the server to titles."""

    EVERYONE = "everyone"
    MANAGE_SERVER = "manage_server"


@dataclass(frozen=True, slots=True)
class TitleRef:
    """A TMDB title identity."""

    media_type: MediaType
    tmdb_id: int

    def __str__(self) -> str:
        return f"{self.media_type.value}:{self.tmdb_id}"


@dataclass(slots=True)
class Guild:
    """A Discord server and its FilmBot settings."""

    id: int
    name: str = ""
    prefix: str = "!"
    notification_channel_id: int | None = None
    notification_role_id: int | None = None
    auto_update: bool = True
    language: str = "en-US"
    region: str = "US"
    timezone: str = "UTC"
    subscribe_permission: SubscribePermission = SubscribePermission.EVERYONE
    delivery_problem: str | None = None
    left_at: datetime | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    movie_channel_id: int | None = None
    tv_channel_id: int | None = None
    notification_templates: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class Subscription:
    """A server's subscription to one title."""

    id: int
    guild_id: int
    tmdb_id: int
    media_type: MediaType
    title: str
    poster_path: str | None = None
    notify_release: bool = True
    notify_update: bool = True
    subscribed_at: datetime | None = None
    title_missing: bool = False
    channel_id: int | None = None

    @property
    def ref(self) -> TitleRef:
        """The title this subscription follows."""
        return TitleRef(self.media_type, self.tmdb_id)


@dataclass(slots=True)
class Rating:
    """A user's 1..10 rating of a watchlist item."""

    id: int
    watchlist_id: int
    user_id: int
    tmdb_id: int
    media_type: MediaType
    score: int
    review: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(slots=True)
class WatchlistItem:
    """One title on a user's watchlist in one server."""

    id: int
    guild_id: int
    user_id: int
    tmdb_id: int
    media_type: MediaType
    title: str
    poster_path: str | None = None
    priority: Priority = Priority.NORMAL
    watched: bool = False
    added_at: datetime | None = None
    watched_at: datetime | None = None
    notes: str | None = None
    rating: Rating | None = field(default=None)

    @property
    def ref(self) -> TitleRef:
        """The title on the list."""
        return TitleRef(self.media_type, self.tmdb_id)
