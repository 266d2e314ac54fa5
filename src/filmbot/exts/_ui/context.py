"""Reach the bot's services and the server's settings from an interaction."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

import discord
from discord import app_commands

from filmbot.domain.errors import FilmBotError
from filmbot.domain.models import Guild, MediaType

if TYPE_CHECKING:
    from filmbot.bot import FilmBot

T = TypeVar("T")

TITLE_QUERY_HELP = "A film or show: type its title and pick it, or give its TMDB or IMDb id or link"
"""The description of every option that takes one film or show (see `parse_title_query`)."""
PERSON_OR_TITLE_HELP = "A film or show (title, TMDB or IMDb id or link), or a person as person:ID"
"""The description of an option that follows a film, a show or a person."""


def bot_of(interaction: discord.Interaction) -> FilmBot:
    """The FilmBot that received the interaction."""
    return interaction.client  # type: ignore[return-value]


async def guild_of(interaction: discord.Interaction) -> Guild:
    """The server's FilmBot settings; FilmBotError outside a server."""
    if interaction.guild_id is None:
        raise FilmBotError("This command works in servers only.")
    name = interaction.guild.name if interaction.guild else ""
    return await bot_of(interaction).guild_config(interaction.guild_id, name)


def everywhere(command: T) -> T:
    """Let a command be used in servers, in DMs with the bot and as a user-installed app."""
    command = app_commands.allowed_contexts(guilds=True, dms=True, private_channels=True)(command)
    return app_commands.allowed_installs(guilds=True, users=True)(command)


def can_manage_server(interaction: discord.Interaction) -> bool:
    """Whether the caller has Manage Server (or Administrator) here."""
    permissions = interaction.permissions
    return permissions.manage_guild or permissions.administrator


async def _titles(
    interaction: discord.Interaction, current: str, media: MediaType | None
) -> list[app_commands.Choice[str]]:
    if interaction.guild_id is None:
        return []
    guild = await guild_of(interaction)
    pairs = await bot_of(interaction).services.catalog.autocomplete(
        current, language=guild.language, media=media
    )
    return [app_commands.Choice(name=label, value=value) for label, value in pairs]


async def title_autocomplete(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    """Movies and TV shows matching what the user typed."""
    return await _titles(interaction, current, None)


async def movie_autocomplete(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    """Movies matching what the user typed."""
    return await _titles(interaction, current, MediaType.MOVIE)


async def tv_autocomplete(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    """TV shows matching what the user typed."""
    return await _titles(interaction, current, MediaType.TV)


async def person_autocomplete(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    """People matching what the user typed, as `person:ID` values."""
    if interaction.guild_id is None:
        return []
    guild = await guild_of(interaction)
    pairs = await bot_of(interaction).services.people.autocomplete(current, language=guild.language)
    return [app_commands.Choice(name=label, value=value) for label, value in pairs]
