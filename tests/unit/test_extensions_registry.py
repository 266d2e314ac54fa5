"""Every extension loads into a bot that never connects, and its commands are well formed."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from discord import app_commands

from filmbot.bot import EXTENSIONS, FilmBot
from filmbot.config import load_settings
from filmbot.db.session import engine_for_url
from filmbot.services.container import build_services

NAME = re.compile(r"^[-_a-z0-9]{1,32}$")
SPEC_OPTIONS = {
    "search": ["query", "media_type"],
    "movie": ["movie_id"],
    "tv": ["tv_id"],
    "trending": ["media_type", "time_window"],
    "similar": ["query"],
    "subscribe": ["query", "releases", "updates", "channel"],
    "unsubscribe": ["query"],
    "subscriptions": [],
    "watchlist-add": ["query"],
    "watchlist": ["show_watched"],
    "watchlist-remove": ["query"],
    "watchlist-mark-watched": ["query"],
    "watchlist-rate": ["query", "score", "review"],
    "watchlist-priority": ["query", "priority"],
    "setup": [],
    "config": ["setting", "value"],
    "stats": [],
    "notification-template": ["kind", "text", "reset"],
}
TITLE_OPTIONS = {"query", "movie_id", "tv_id"}
ADMIN = ("setup", "config", "notification-template")


@pytest.fixture
async def loaded_bot() -> AsyncIterator[FilmBot]:
    """A FilmBot with every extension loaded; its settings point nowhere and it never connects."""
    settings = load_settings(
        env_file=None,
        discord_token="unused",
        tmdb_api_key="unused",
        tmdb_base_url="http://127.0.0.1:9/3",
        database_url="postgresql+asyncpg://filmbot@127.0.0.1:9/nowhere",
        redis_enabled=False,
        sync_commands=False,
    )
    services = build_services(settings, engine_for_url(settings.database_url))
    bot = FilmBot(settings, services)
    for name in EXTENSIONS:
        await bot.load_extension(name)
    try:
        yield bot
    finally:
        for name in EXTENSIONS:  # stops background loops that extensions start on load
            await bot.unload_extension(name)
        await asyncio.sleep(0)
        await services.close()


def slash_commands(bot: FilmBot) -> list[app_commands.Command[Any, ..., Any]]:
    """Every invocable slash command, subcommands included."""
    return [c for c in bot.tree.walk_commands() if isinstance(c, app_commands.Command)]


async def test_every_extension_loads(loaded_bot: FilmBot) -> None:
    assert sorted(loaded_bot.extensions) == sorted(EXTENSIONS)
    assert len(loaded_bot.cogs) == len(EXTENSIONS)


async def test_no_two_commands_share_a_name(loaded_bot: FilmBot) -> None:
    top_level = [command.name for command in loaded_bot.tree.get_commands()]
    assert len(top_level) == len(set(top_level)), top_level
    qualified = [command.qualified_name for command in loaded_bot.tree.walk_commands()]
    assert len(qualified) == len(set(qualified)), qualified


async def test_commands_and_options_match_the_public_contract(loaded_bot: FilmBot) -> None:
    found = {c.qualified_name: [p.name for p in c.parameters] for c in slash_commands(loaded_bot)}
    assert {name: found.get(name) for name in SPEC_OPTIONS} == SPEC_OPTIONS


async def test_names_are_lowercase_and_descriptions_fit_discord(loaded_bot: FilmBot) -> None:
    for command in loaded_bot.tree.walk_commands():
        assert NAME.fullmatch(command.name), command.name
        assert 1 <= len(command.description) <= 100, command.name
        assert command.description != "…", f"/{command.name} has no description"
        if not isinstance(command, app_commands.Command):
            continue
        for param in command.parameters:
            where = f"/{command.name} {param.name}"
            assert NAME.fullmatch(param.name), where
            assert 1 <= len(param.description) <= 100, where
            assert param.description != "…", f"{where} has no description"
            assert all(1 <= len(choice.name) <= 100 for choice in param.choices), where


async def test_every_title_option_autocompletes(loaded_bot: FilmBot) -> None:
    title_params = [
        (command.name, param)
        for command in slash_commands(loaded_bot)
        for param in command.parameters
        if param.name in TITLE_OPTIONS
    ]
    assert len(title_params) >= 11
    assert all(param.autocomplete for _, param in title_params), [
        name for name, param in title_params if not param.autocomplete
    ]


async def test_admin_commands_carry_default_member_permissions(loaded_bot: FilmBot) -> None:
    commands = {c.name: c for c in slash_commands(loaded_bot)}
    setup, config = commands["setup"].default_permissions, commands["config"].default_permissions
    assert setup is not None and setup.administrator
    assert config is not None and config.manage_guild and not config.administrator
    template = commands["notification-template"].default_permissions
    assert template is not None and template.manage_guild and not template.administrator
    others = [c for name, c in commands.items() if name in SPEC_OPTIONS and name not in ADMIN]
    assert all(c.default_permissions is None for c in others)


async def test_score_is_limited_to_1_to_10_and_choices_are_fixed(loaded_bot: FilmBot) -> None:
    commands = {c.name: c for c in slash_commands(loaded_bot)}
    score = commands["watchlist-rate"].get_parameter("score")
    assert score is not None and (score.min_value, score.max_value) == (1, 10)
    priority = commands["watchlist-priority"].get_parameter("priority")
    assert priority is not None
    assert [c.value for c in priority.choices] == ["low", "normal", "high"]
    window = commands["trending"].get_parameter("time_window")
    assert window is not None and [c.value for c in window.choices] == ["day", "week"]
    media = commands["search"].get_parameter("media_type")
    assert media is not None and [c.value for c in media.choices] == ["all", "movie", "tv"]
