"""FilmBot settings: read once at start from the environment and an optional .env file."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from filmbot.domain.windows import (
    DEFAULT_EPISODE_NOTIFY_DAYS,
    DEFAULT_RELEASE_NOTIFY_DAYS,
    DEFAULT_UPCOMING_NOTIFY_DAYS,
)

LogLevel = Literal["CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG"]

_PLACEHOLDERS = {
    "changeme",
    "your_token_here",
    "your_discord_bot_token",
    "your_tmdb_api_key",
    "xxx",
}


class SettingsError(Exception):
    """A setting is missing or invalid; the message names the variable."""


class Settings(BaseSettings):
    """Every FilmBot setting, validated. Construct with `load_settings()`."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        case_sensitive=False,
        hide_input_in_errors=True,
    )

    discord_token: SecretStr | None = None
    tmdb_api_key: SecretStr | None = None
    tmdb_read_access_token: SecretStr | None = None
    prefix: str = Field(default="!", min_length=1, max_length=5)

    database_url: str = "sqlite+aiosqlite:///./filmbot.db"
    database_echo: bool = False

    update_interval_hours: float = Field(default=6.0, gt=0, le=24 * 7)
    auto_update_enabled: bool = True
    release_notify_days: int = Field(default=DEFAULT_RELEASE_NOTIFY_DAYS, ge=0, le=60)
    episode_notify_days: int = Field(default=DEFAULT_EPISODE_NOTIFY_DAYS, ge=0, le=60)
    upcoming_notify_days: int = Field(default=DEFAULT_UPCOMING_NOTIFY_DAYS, ge=0, le=60)
    full_refresh_hours: float = Field(default=24.0, gt=0)
    delivery_lease_seconds: float = Field(default=60.0, gt=0, le=120)
    max_watchlist_items: int = Field(default=100, ge=1, le=10_000)

    log_level: LogLevel = "INFO"
    log_dir: Path = Path("./logs")

    redis_enabled: bool = False
    redis_url: str = "redis://localhost:6379/0"

    sync_commands: bool = True
    message_content_intent: bool = False

    tmdb_base_url: str = "https://api.themoviedb.org/3"
    # TMDB allows "somewhere in the 40 requests per second range": stay a quarter below it.
    tmdb_rate_limit: int = Field(default=30, ge=1, le=10_000)
    tmdb_rate_period: float = Field(default=1.0, gt=0)
    tmdb_timeout_seconds: float = Field(default=10.0, gt=0)
    tmdb_max_retries: int = Field(default=4, ge=0, le=10)
    tmdb_retry_deadline_seconds: float = Field(default=30.0, gt=0)
    cache_ttl_seconds: int = Field(default=3600, ge=0)

    discord_api_base_url: str = "https://discord.com/api/v10"
    discord_gateway_url: str = "wss://gateway.discord.gg/"

    shard_count: int | None = Field(default=None, ge=1)
    shard_ids: Annotated[list[int] | None, NoDecode] = None

    recommend_genre_weight: float = Field(default=0.4, ge=0)
    recommend_rating_weight: float = Field(default=0.3, ge=0)
    recommend_type_weight: float = Field(default=0.3, ge=0)
    recommend_cross_guild: bool = False

    guild_data_grace_days: int = Field(default=30, ge=0)
    health_file: Path | None = None
    max_server_watchlist_items: int = Field(default=500, ge=1, le=10_000)

    web_host: str = "127.0.0.1"
    web_port: int = Field(default=8080, ge=1, le=65535)
    web_base_url: str | None = None
    discord_client_id: str | None = None
    discord_client_secret: SecretStr | None = None
    web_session_secret: SecretStr | None = None
    discord_oauth_authorize_url: str = "https://discord.com/oauth2/authorize"

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_level(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator(
        "health_file",
        "shard_count",
        "web_base_url",
        "discord_client_id",
        "discord_client_secret",
        "web_session_secret",
        mode="before",
    )
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("shard_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p.strip() for p in value.replace(";", ",").split(",") if p.strip()]
            return [int(p) for p in parts] if parts else None
        return value

    @field_validator("database_url")
    @classmethod
    def _known_driver(cls, value: str) -> str:
        allowed = (
            "sqlite+aiosqlite://",
            "postgresql+asyncpg://",
            "mysql+asyncmy://",
            "mariadb+asyncmy://",
            "mysql+aiomysql://",
            "mariadb+aiomysql://",
        )
        if value.startswith(("postgresql://", "postgres://")):
            return "postgresql+asyncpg://" + value.split("://", 1)[1]
        if value.startswith(("mysql://", "mariadb://")):
            return "mysql+asyncmy://" + value.split("://", 1)[1]
        if value.startswith("sqlite://"):
            return "sqlite+aiosqlite://" + value.split("://", 1)[1]
        if not value.startswith(allowed):
            raise ValueError(
                "expected sqlite+aiosqlite://, postgresql+asyncpg:// or mysql+asyncmy:// URL"
            )
        return value

    @field_validator("tmdb_base_url", "discord_api_base_url", "discord_oauth_authorize_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("expected an http:// or https:// URL")
        return value.rstrip("/")

    @field_validator("web_base_url")
    @classmethod
    def _base_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("expected the dashboard's public http:// or https:// URL")
        return value.rstrip("/") if value else None

    @field_validator("discord_gateway_url")
    @classmethod
    def _ws_url(cls, value: str) -> str:
        if not value.startswith(("ws://", "wss://")):
            raise ValueError("expected a ws:// or wss:// URL")
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis_url(cls, value: str) -> str:
        if not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("expected a redis:// URL")
        return value

    @field_validator(
        "discord_token",
        "tmdb_api_key",
        "tmdb_read_access_token",
        "discord_client_secret",
        "web_session_secret",
    )
    @classmethod
    def _no_placeholder(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None:
            return None
        secret = value.get_secret_value().strip()
        if not secret:
            return None
        if secret.lower() in _PLACEHOLDERS:
            raise ValueError("is still the placeholder from .env.example; set the real value")
        return SecretStr(secret)

    @model_validator(mode="after")
    def _shards_consistent(self) -> Settings:
        if self.shard_ids is not None:
            if self.shard_count is None:
                raise ValueError("SHARD_IDS needs SHARD_COUNT")
            bad = [i for i in self.shard_ids if not 0 <= i < self.shard_count]
            if bad:
                raise ValueError(f"SHARD_IDS {bad} outside 0..{self.shard_count - 1}")
        return self

    @property
    def update_interval(self) -> timedelta:
        """The update cycle's period (UPDATE_INTERVAL_HOURS), for the loop and shared data."""
        return timedelta(hours=self.update_interval_hours)

    @property
    def delivery_lease(self) -> timedelta:
        """How long one update message's claim lasts unless renewed (DELIVERY_LEASE_SECONDS)."""
        return timedelta(seconds=self.delivery_lease_seconds)

    def require_runtime_secrets(self) -> None:
        """Raise SettingsError unless the secrets that `run` needs are present."""
        if self.discord_token is None:
            raise SettingsError(
                "DISCORD_TOKEN: required to run the bot "
                "(the bot token from the Discord developer portal)"
            )
        self.require_tmdb_credentials()

    def require_web_settings(self) -> None:
        """Raise SettingsError naming the first setting `filmbot web` needs that is missing."""
        needed = {
            "WEB_BASE_URL": (
                self.web_base_url,
                "the dashboard's public URL, e.g. https://films.example.org",
            ),
            "DISCORD_CLIENT_ID": (
                self.discord_client_id,
                "OAuth2 client id from the developer portal",
            ),
            "DISCORD_CLIENT_SECRET": (
                self.discord_client_secret,
                "OAuth2 client secret from the developer portal",
            ),
            "WEB_SESSION_SECRET": (
                self.web_session_secret,
                "a long random string that signs the session cookies",
            ),
        }
        for name, (value, what) in needed.items():
            if value is None:
                raise SettingsError(f"{name}: required to run the dashboard ({what})")
        secret = self.web_session_secret
        if secret is not None and len(secret.get_secret_value()) < 32:
            raise SettingsError("WEB_SESSION_SECRET: use at least 32 characters")

    def require_tmdb_credentials(self) -> None:
        """Raise SettingsError unless a TMDB credential is present."""
        if self.tmdb_api_key is None and self.tmdb_read_access_token is None:
            raise SettingsError(
                "TMDB_API_KEY or TMDB_READ_ACCESS_TOKEN: one is required "
                "(from your TMDB account's API settings)"
            )


def load_settings(env_file: str | Path | None = ".env", **overrides: Any) -> Settings:
    """Read and validate the settings; raise SettingsError with one clear line on failure."""
    try:
        return Settings(_env_file=env_file, **overrides)
    except ValidationError as exc:
        raise SettingsError(_describe(exc)) from None


def _describe(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors():
        name = "_".join(str(p) for p in error["loc"]).upper() or "settings"
        message = str(error["msg"]).removeprefix("Value error, ")
        parts.append(f"{name}: {message}")
    return "; ".join(parts)
