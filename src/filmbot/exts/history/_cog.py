"""The /import and /export commands."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Literal

import discord
from discord import app_commands
from discord.ext import commands

from filmbot.domain.history import MAX_FILE_BYTES, HistoryFileError, Source
from filmbot.domain.history.export import ExportFormat
from filmbot.exts._ui.context import bot_of, guild_of
from filmbot.exts.history._progress import TOKEN_LIFETIME, ImportReply, summary


class History(commands.Cog):
    """Bring your ratings and watch history in from other services, and take them out."""

    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot
        self.token_lifetime: timedelta = TOKEN_LIFETIME

    @app_commands.command(name="import", description="Import your ratings and watch history")
    @app_commands.describe(
        source="Where the file comes from: Letterboxd, IMDb or Trakt",
        file="The export file: Letterboxd's zip or a CSV, IMDb's CSV, or Trakt's JSON",
    )
    @app_commands.guild_only()
    async def import_history(
        self,
        interaction: discord.Interaction,
        source: Literal["letterboxd", "imdb", "trakt"],
        file: discord.Attachment,
    ) -> None:
        """Import an export file into your watchlist and ratings in this server."""
        if file.size > MAX_FILE_BYTES:
            raise HistoryFileError(f"That file is over the {MAX_FILE_BYTES // 2**20} MB limit.")
        services = bot_of(interaction).services
        services.imports.claim(interaction.user.id)
        try:
            await interaction.response.defer(thinking=True, ephemeral=True)
            guild = await guild_of(interaction)
            data = await file.read()
            reply = ImportReply(interaction, self.token_lifetime)
            report = await services.imports.run(
                guild.id,
                interaction.user.id,
                Source(source),
                file.filename,
                data,
                language=guild.language,
                progress=reply.update,
            )
            await reply.finish(summary(report, services.imports.limit), report)
        finally:
            services.imports.release(interaction.user.id)

    @app_commands.command(name="export", description="Download your watchlist and ratings")
    @app_commands.describe(
        fmt="letterboxd (for Letterboxd's importer, films only), csv or json (everything)"
    )
    @app_commands.rename(fmt="format")
    @app_commands.guild_only()
    async def export(
        self,
        interaction: discord.Interaction,
        fmt: Literal["letterboxd", "csv", "json"],
    ) -> None:
        """Your watchlist and ratings in this server as a file."""
        await interaction.response.defer(thinking=True, ephemeral=True)
        guild = await guild_of(interaction)
        exported = await bot_of(interaction).services.exports.export(
            guild.id, interaction.user.id, ExportFormat(fmt)
        )
        text = f"Your {exported.items:,} titles with {exported.ratings:,} ratings."
        if exported.left_out:
            text += (
                f" {exported.left_out:,} TV shows are not in it: Letterboxd has films only"
                " (`/export format:csv` has everything)."
            )
        files = [discord.File(io.BytesIO(exported.data), filename=exported.filename)]
        if exported.watchlist_file is not None:
            name, data = exported.watchlist_file
            files.append(discord.File(io.BytesIO(data), filename=name))
            text += (
                f"\nLetterboxd logs every film of an import as watched, so your watchlist is in"
                f" `{name}`: import `{exported.filename}` at letterboxd.com/import and `{name}`"
                " with your watchlist's own import."
            )
        await interaction.followup.send(text, files=files, ephemeral=True)
