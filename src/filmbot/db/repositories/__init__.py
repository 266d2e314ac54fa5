"""Data access: repositories that return plain domain objects."""

from filmbot.db.repositories.guilds import GuildRepository
from filmbot.db.repositories.subscriptions import SubscriptionRepository
from filmbot.db.repositories.watchlist import RatingRepository, WatchlistRepository

__all__ = ["GuildRepository", "RatingRepository", "SubscriptionRepository", "WatchlistRepository"]
