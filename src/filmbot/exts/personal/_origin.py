"""Where a personal command was used: a server (its time zone, region, language) or a DM."""

from __future__ import annotations

from dataclasses import dataclass

import discord

from filmbot.exts._ui.context import guild_of
from filmbot.services.personal import Origin


@dataclass(frozen=True, slots=True)
class Place:
    """The defaults a member's first settings take, and the language for TMDB."""

    defaults: Origin
    language: str | None


async def origin_of(interaction: discord.Interaction) -> Place:
    """The server's time zone and region (UTC/US in a DM), and its language."""
    if interaction.guild_id is None:
        return Place(Origin(), None)
    guild = await guild_of(interaction)
    return Place(Origin(guild.timezone, guild.region), guild.language)
