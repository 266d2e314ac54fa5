"""FilmBot's TMDB v3 client: typed models, a two-tier cache and a shared rate limiter."""

from filmbot.tmdb.cache import MemoryTier, TMDBCache, cache_key
from filmbot.tmdb.client import DEFAULT_LANGUAGE, MAX_CHANGES_WINDOW, DetailsBatch, TMDBClient
from filmbot.tmdb.errors import TMDBAuthError, TMDBError, TMDBNotFound, TMDBUnavailable
from filmbot.tmdb.gate import RequestGate
from filmbot.tmdb.limiter import LocalRateLimiter, RateLimiter
from filmbot.tmdb.models import (
    Episode,
    Genre,
    MovieDetails,
    MovieResult,
    MultiPage,
    PersonResult,
    ReleaseType,
    Suggestion,
    TitleDetails,
    TitlePage,
    TVDetails,
    TVResult,
)
from filmbot.tmdb.regional import Decoder, regional_decoder
from filmbot.tmdb.shared_limiter import RedisRateLimiter
from filmbot.tmdb.stats import TMDBStats
from filmbot.tmdb.transport import Credentials, RetryPolicy

__all__ = [
    "DEFAULT_LANGUAGE",
    "MAX_CHANGES_WINDOW",
    "Credentials",
    "Decoder",
    "DetailsBatch",
    "Episode",
    "Genre",
    "LocalRateLimiter",
    "MemoryTier",
    "MovieDetails",
    "MovieResult",
    "MultiPage",
    "PersonResult",
    "RateLimiter",
    "RedisRateLimiter",
    "ReleaseType",
    "RequestGate",
    "RetryPolicy",
    "Suggestion",
    "TMDBAuthError",
    "TMDBCache",
    "TMDBClient",
    "TMDBError",
    "TMDBNotFound",
    "TMDBStats",
    "TMDBUnavailable",
    "TVDetails",
    "TVResult",
    "TitleDetails",
    "TitlePage",
    "cache_key",
    "regional_decoder",
]
