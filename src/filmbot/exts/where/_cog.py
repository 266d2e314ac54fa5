"""/where: where a film or show streams, is free, rents and sells in a region."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from filmbot.domain.guild_settings import parse_region
from filmbot.exts._ui.context import TITLE_QUERY_HELP, bot_of, guild_of, title_autocomplete
from filmbot.exts._ui.picker import Reply, pick_or_run
from filmbot.exts._ui.watch import first_logo, where_embed
from filmbot.services.catalog import TitleSummary


class Where(commands.Cog):
    """Where to watch a title, from TMDB's watch-provider data (by JustWatch)."""

    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot

    @app_commands.command(name="where", description="Where a film or show streams, rents or sells")
    @app_commands.describe(
        query=TITLE_QUERY_HELP,
        region="A two-letter country code such as US or DE (default: this server's region)",
    )
    @app_commands.autocomplete(query=title_autocomplete)
    @app_commands.guild_only()
    async def where(
        self,
        interaction: discord.Interaction,
        query: str,
        region: app_commands.Range[str, 2, 2] | None = None,
    ) -> None:
        """Streaming, free, ads, rent and buy offers, with TMDB's watch page."""
        wanted = parse_region(region) if region else None
        await interaction.response.defer(thinking=True)
        guild = await guild_of(interaction)
        where = wanted or guild.region
        catalog = bot_of(interaction).services.catalog
        resolution = await catalog.resolve(query, language=guild.language)

        async def show(reply: Reply, title: TitleSummary) -> None:
            details = await catalog.details(title.ref, language=guild.language)
            poster = catalog.image_url(details.poster_path, "w185")
            logo = catalog.image_url(first_logo(details, where), "w92")
            await reply.send(embed=where_embed(details, where, poster, logo))

        await pick_or_run(interaction, resolution.choices, show, "Which title did you mean?")
