"""Settings are validated with messages that name the variable."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from filmbot.config import SettingsError, load_settings

ENV_VARS = (
    "DISCORD_TOKEN",
    "TMDB_API_KEY",
    "TMDB_READ_ACCESS_TOKEN",
    "DATABASE_URL",
    "UPDATE_INTERVAL_HOURS",
    "LOG_LEVEL",
    "SHARD_IDS",
    "SHARD_COUNT",
    "REDIS_URL",
    "TMDB_BASE_URL",
    "DISCORD_GATEWAY_URL",
)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ENV_VARS:
        monkeypatch.delenv(name, raising=False)


def test_defaults_match_the_documented_table() -> None:
    settings = load_settings(None)
    assert settings.prefix == "!"
    assert settings.database_url == "sqlite+aiosqlite:///./filmbot.db"
    assert settings.update_interval_hours == 6
    assert settings.max_watchlist_items == 100
    assert (settings.tmdb_rate_limit, settings.tmdb_rate_period) == (30, 1)
    assert settings.discord_api_base_url == "https://discord.com/api/v10"
    assert settings.discord_gateway_url == "wss://gateway.discord.gg/"
    assert settings.redis_enabled is False and settings.sync_commands is True


def test_run_requires_discord_token_and_a_tmdb_credential(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(SettingsError, match="^DISCORD_TOKEN"):
        load_settings(None).require_runtime_secrets()
    monkeypatch.setenv("DISCORD_TOKEN", "a-real-looking-token")
    with pytest.raises(SettingsError, match="TMDB_API_KEY or TMDB_READ_ACCESS_TOKEN"):
        load_settings(None).require_runtime_secrets()
    monkeypatch.setenv("TMDB_READ_ACCESS_TOKEN", "eyJhbGciOiJIUzI1NiJ9.x.y")
    load_settings(None).require_runtime_secrets()


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("UPDATE_INTERVAL_HOURS", "soon", "UPDATE_INTERVAL_HOURS"),
        ("UPDATE_INTERVAL_HOURS", "0", "UPDATE_INTERVAL_HOURS"),
        ("DATABASE_URL", "oracle://x", "DATABASE_URL"),
        ("LOG_LEVEL", "LOUD", "LOG_LEVEL"),
        ("TMDB_BASE_URL", "ftp://tmdb", "TMDB_BASE_URL"),
        ("DISCORD_GATEWAY_URL", "http://x", "DISCORD_GATEWAY_URL"),
        ("DISCORD_TOKEN", "your_discord_bot_token", "DISCORD_TOKEN"),
    ],
)
def test_invalid_value_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, expected: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as info:
        load_settings(None)
    assert str(info.value).startswith(expected)
    assert "\n" not in str(info.value)


def test_fractional_interval_and_plain_database_urls_are_accepted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("UPDATE_INTERVAL_HOURS", "0.25")
    monkeypatch.setenv("DATABASE_URL", "postgresql://bot@db/filmbot")
    settings = load_settings(None)
    assert settings.update_interval == timedelta(minutes=15)
    assert settings.database_url == "postgresql+asyncpg://bot@db/filmbot"


def test_secrets_never_appear_in_repr_or_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "MTIzNDU2.secret-token-value")
    monkeypatch.setenv("TMDB_API_KEY", "0123456789abcdef")
    settings = load_settings(None)
    assert "secret-token-value" not in repr(settings)
    assert "0123456789abcdef" not in repr(settings)
    monkeypatch.setenv("UPDATE_INTERVAL_HOURS", "x")
    with pytest.raises(SettingsError) as info:
        load_settings(None)
    assert "secret-token-value" not in str(info.value)


def test_env_file_is_read_and_environment_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("PREFIX=?\nMAX_WATCHLIST_ITEMS=7\n")
    monkeypatch.setenv("MAX_WATCHLIST_ITEMS", "9")
    settings = load_settings(env_file)
    assert (settings.prefix, settings.max_watchlist_items) == ("?", 9)


def test_shard_ids_parse_and_must_fit_the_count(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHARD_COUNT", "4")
    monkeypatch.setenv("SHARD_IDS", "0, 2")
    assert load_settings(None).shard_ids == [0, 2]
    monkeypatch.setenv("SHARD_IDS", "4")
    with pytest.raises(SettingsError, match="SHARD_IDS"):
        load_settings(None)


def test_env_example_documents_every_setting_and_loads() -> None:
    from filmbot.config import Settings

    example = Path(__file__).resolve().parents[2] / ".env.example"
    text = example.read_text()
    for name in Settings.model_fields:
        assert f"{name.upper()}=" in text, f"{name.upper()} missing from .env.example"
    settings = load_settings(example)
    assert settings.discord_token is None
