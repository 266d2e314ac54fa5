"""Slash commands that manage what the server follows."""

from __future__ import annotations

import math

import discord
from discord import app_commands
from discord.ext import commands

from filmbot.domain.limits import clip
from filmbot.domain.models import TitleRef
from filmbot.domain.titles import tmdb_url
from filmbot.exts._ui.context import bot_of, can_manage_server, guild_of, title_autocomplete
from filmbot.exts._ui.embeds import new_embed
from filmbot.exts._ui.pagination import send_paginated
from filmbot.exts._ui.picker import Reply, pick_or_run
from filmbot.services.catalog import TitleSummary
from filmbot.services.subscriptions import SubscriptionView

PER_PAGE = 10


def _what(releases: bool, updates: bool) -> str:
    parts = [p for p, on in (("releases", releases), ("updates and episodes", updates)) if on]
    return " and ".join(parts) if parts else "nothing (both notifications off)"


def _line(view: SubscriptionView) -> str:
    sub = view.subscription
    flags = _what(sub.notify_release, sub.notify_update)
    missing = " · ⚠️ no longer on TMDB" if sub.title_missing else ""
    hint = f"\n↳ next: {view.next_hint}" if view.next_hint else ""
    link = f"**[{clip(sub.title, 100)}]({tmdb_url(sub.ref)})**"
    return f"{link} · {sub.media_type.label} · {flags}{missing}{hint}"


class Subscriptions(commands.Cog):
    """Subscribe the server to titles and get told about releases and episodes."""

    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot

    @app_commands.command(name="subscribe", description="Follow a film or show in this server")
    @app_commands.describe(
        query="A film or show: type its title and pick it, or give its TMDB id or link",
        releases="Announce releases and upcoming releases (default on)",
        updates="Announce new episodes and status changes (default on)",
    )
    @app_commands.autocomplete(query=title_autocomplete)
    @app_commands.guild_only()
    async def subscribe(
        self,
        interaction: discord.Interaction,
        query: str,
        releases: bool = True,
        updates: bool = True,
    ) -> None:
        """Subscribe the server to a title."""
        await interaction.response.defer(thinking=True)
        guild = await guild_of(interaction)
        services = bot_of(interaction).services
        manager = can_manage_server(interaction)
        services.subscriptions.check_allowed(guild, manager)
        resolution = await services.catalog.resolve(query, language=guild.language)
        guild_name = interaction.guild.name if interaction.guild else ""

        async def run(reply: Reply, title: TitleSummary) -> None:
            _subscription, created = await services.subscriptions.subscribe(
                guild.id,
                title,
                can_manage_server=manager,
                guild_name=guild_name,
                releases=releases,
                updates=updates,
            )
            verb = "Subscribed!" if created else "Subscription updated."
            embed = new_embed(
                f"{verb} {title.label}",
                url=tmdb_url(title.ref),
                description=f"This server will hear about {_what(releases, updates)}.",
            )
            if guild.notification_channel_id is None:
                embed.add_field(
                    name="Heads-up",
                    value="No notification channel is set: an admin can run /setup.",
                )
            poster = services.catalog.image_url(title.poster_path, "w185")
            if poster:
                embed.set_thumbnail(url=poster)
            await reply.send(embed=embed)

        await pick_or_run(
            interaction,
            resolution.choices,
            run,
            "Several titles match. Which one should the server follow?",
        )

    @app_commands.command(
        name="unsubscribe", description="Stop following a film or show in this server"
    )
    @app_commands.describe(query="One of the server's subscriptions")
    @app_commands.guild_only()
    async def unsubscribe(self, interaction: discord.Interaction, query: str) -> None:
        """Remove a subscription."""
        await interaction.response.defer(thinking=True)
        services = bot_of(interaction).services
        parsed = await services.catalog.parse(query)
        if isinstance(parsed, TitleRef):
            ref = parsed
        else:
            matches = await services.subscriptions.search(interaction.guild_id or 0, parsed)
            if len(matches) != 1:
                found = "several" if matches else "none"
                await interaction.followup.send(
                    f"That matches {found} of this server's subscriptions; pick one from the list."
                )
                return
            ref = matches[0].ref
        removed = await services.subscriptions.unsubscribe(
            interaction.guild_id or 0, ref, can_manage_server=can_manage_server(interaction)
        )
        await interaction.followup.send(
            f"Unsubscribed from **{discord.utils.escape_markdown(removed.title)}**."
        )

    @unsubscribe.autocomplete("query")
    async def _unsubscribe_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        subs = await bot_of(interaction).services.subscriptions.search(
            interaction.guild_id or 0, current
        )
        return [
            app_commands.Choice(
                name=clip(f"{s.title} · {s.media_type.label}", 100), value=str(s.ref)
            )
            for s in subs[:25]
        ]

    @app_commands.command(name="subscriptions", description="List what this server follows")
    @app_commands.guild_only()
    async def subscriptions(self, interaction: discord.Interaction) -> None:
        """The server's subscriptions with what each will notify about next."""
        await interaction.response.defer(thinking=True)
        guild = await guild_of(interaction)
        views = await bot_of(interaction).services.subscriptions.overview(guild.id)
        if not views:
            await interaction.followup.send("This server follows nothing yet. Try /subscribe.")
            return
        total = math.ceil(len(views) / PER_PAGE)

        async def render(index: int) -> discord.Embed:
            chunk = views[index * PER_PAGE : (index + 1) * PER_PAGE]
            return new_embed(
                f"This server follows {len(views)} title{'s' if len(views) != 1 else ''}",
                description="\n".join(_line(v) for v in chunk),
            )

        await send_paginated(interaction, total, render)
