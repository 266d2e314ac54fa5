"""Slash commands for the titles a server plans to watch together."""

from __future__ import annotations

import math

import discord
from discord import app_commands
from discord.ext import commands

from filmbot.domain.limits import clip
from filmbot.domain.server_watchlist import ServerWatchlistEntry
from filmbot.domain.titles import parse_title_query, tmdb_url
from filmbot.exts._ui.context import (
    TITLE_QUERY_HELP,
    bot_of,
    can_manage_server,
    guild_of,
    title_autocomplete,
)
from filmbot.exts._ui.embeds import new_embed
from filmbot.exts._ui.pagination import send_paginated
from filmbot.exts._ui.picker import Reply, pick_or_run
from filmbot.services.catalog import TitleSummary

PER_PAGE = 10


def _escape(text: str) -> str:
    return discord.utils.escape_markdown(text)


def entry_line(entry: ServerWatchlistEntry, number: int) -> str:
    """One numbered line of the server watchlist."""
    link = f"**{number}. [{clip(entry.title, 100)}]({tmdb_url(entry.ref)})**"
    if entry.average_rating is None:
        rating = "not rated yet"
    else:
        rating = f"★ {entry.average_rating:.1f}/10 ({entry.ratings} rated)"
    who = f"<@{entry.added_by}>" if entry.added_by is not None else "a former member"
    line = f"{link} · {rating}\nadded by {who} <t:{int(entry.added_at.timestamp())}:d>"
    if entry.picked_at is not None:
        line += f" · 🍿 picked <t:{int(entry.picked_at.timestamp())}:d>"
    if entry.note:
        line += f"\n> {clip(entry.note, 150)}"
    return line


class ServerWatchlist(commands.Cog):
    """The server's shared watchlist."""

    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot

    @app_commands.command(
        name="server-watchlist-add", description="Add a film or show to the server watchlist"
    )
    @app_commands.describe(
        query=TITLE_QUERY_HELP,
        note="Why the server should watch it (optional)",
    )
    @app_commands.autocomplete(query=title_autocomplete)
    @app_commands.guild_only()
    async def server_watchlist_add(
        self,
        interaction: discord.Interaction,
        query: str,
        note: app_commands.Range[str, 1, 200] | None = None,
    ) -> None:
        """Add a title to the list the whole server shares."""
        services = bot_of(interaction).services
        services.server_watchlist.check_note(note)
        await interaction.response.defer(thinking=True)
        guild = await guild_of(interaction)

        async def add(reply: Reply, title: TitleSummary) -> None:
            await services.server_watchlist.add(guild.id, interaction.user.id, title, note)
            await reply.send(f"Added **{_escape(title.label)}** to the server watchlist.")

        resolution = await services.catalog.resolve(query, language=guild.language)
        await pick_or_run(interaction, resolution.choices, add, "Which title did you mean?")

    @app_commands.command(name="server-watchlist", description="Show the server watchlist")
    @app_commands.guild_only()
    async def server_watchlist(self, interaction: discord.Interaction) -> None:
        """The server's list: who added each title, when, and how members rated it."""
        await interaction.response.defer(thinking=True)
        guild = await guild_of(interaction)
        entries = await bot_of(interaction).services.server_watchlist.entries(guild.id)
        if not entries:
            await interaction.followup.send(
                "The server watchlist is empty. Add titles with /server-watchlist-add."
            )
            return
        server = interaction.guild.name if interaction.guild else "This server"

        async def render(index: int) -> discord.Embed:
            start = index * PER_PAGE
            chunk = entries[start : start + PER_PAGE]
            lines = [entry_line(e, start + n + 1) for n, e in enumerate(chunk)]
            return new_embed(
                f"{server}'s watchlist · {len(entries)} titles", description="\n".join(lines)
            )

        await send_paginated(interaction, math.ceil(len(entries) / PER_PAGE), render)

    @app_commands.command(
        name="server-watchlist-remove", description="Remove a title from the server watchlist"
    )
    @app_commands.describe(query="A title on the server watchlist")
    @app_commands.guild_only()
    async def server_watchlist_remove(self, interaction: discord.Interaction, query: str) -> None:
        """Remove a title you added (Manage Server may remove any)."""
        await interaction.response.defer(thinking=True, ephemeral=True)
        guild = await guild_of(interaction)
        entry = await bot_of(interaction).services.server_watchlist.remove(
            guild.id,
            parse_title_query(query),
            interaction.user.id,
            can_manage=can_manage_server(interaction),
        )
        await interaction.followup.send(
            f"Removed **{_escape(entry.title)}** from the server watchlist.", ephemeral=True
        )

    @server_watchlist_remove.autocomplete("query")
    async def _listed_titles(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None:
            return []
        entries = await bot_of(interaction).services.server_watchlist.search(
            interaction.guild_id, current
        )
        return [
            app_commands.Choice(
                name=clip(f"{e.title} · {e.ref.media_type.label}", 100), value=str(e.ref)
            )
            for e in entries
        ]
