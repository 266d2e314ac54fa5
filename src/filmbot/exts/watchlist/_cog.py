"""Slash commands for a member's own watchlist in this server."""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from typing import Literal

import discord
from discord import app_commands
from discord.ext import commands

from filmbot.domain.errors import NotFoundError
from filmbot.domain.limits import clip
from filmbot.domain.models import Priority, TitleRef, WatchlistItem
from filmbot.domain.social import FeedKind
from filmbot.domain.titles import tmdb_url
from filmbot.exts._ui.context import TITLE_QUERY_HELP, bot_of, guild_of, title_autocomplete
from filmbot.exts._ui.embeds import new_embed
from filmbot.exts._ui.feed import feed_post, publish
from filmbot.exts._ui.pagination import send_paginated
from filmbot.exts._ui.picker import Reply, pick_or_run
from filmbot.exts.watchlist._views import RatePrompt
from filmbot.services.catalog import TitleSummary

PER_PAGE = 10
PRIORITY_MARK = {Priority.HIGH: "🔴 high", Priority.NORMAL: "🟡 normal", Priority.LOW: "🟢 low"}
OnTitle = Callable[[Reply, TitleSummary], Awaitable[None]]


def _line(item: WatchlistItem) -> str:
    state = "✅ watched" if item.watched else PRIORITY_MARK[item.priority]
    rating = f" · ★ {item.rating.score}/10" if item.rating else ""
    review = f"\n> {clip(item.rating.review, 150)}" if item.rating and item.rating.review else ""
    link = f"**[{clip(item.title, 100)}]({tmdb_url(item.ref)})**"
    return f"{link} · {item.media_type.label} · {state}{rating}{review}"


def _escape(text: str) -> str:
    return discord.utils.escape_markdown(text)


class Watchlist(commands.Cog):
    """Your watchlist: plan, watch, rate and prioritise titles."""

    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot

    async def _with_title(
        self, interaction: discord.Interaction, query: str, action: OnTitle
    ) -> None:
        """Resolve a title option (own items first), then run the action on it."""
        await interaction.response.defer(thinking=True, ephemeral=True)
        guild = await guild_of(interaction)
        services = bot_of(interaction).services
        parsed = await services.catalog.parse(query, language=guild.language)
        if isinstance(parsed, TitleRef):
            item = await services.watchlist.get(guild.id, interaction.user.id, parsed)
            if item is not None:
                summary = TitleSummary(item.ref, item.title, None, "", item.poster_path, 0.0, 0)
                await action(Reply(interaction, edit_original=False, ephemeral=True), summary)
                return
        resolution = await services.catalog.resolve(query, language=guild.language)
        await pick_or_run(
            interaction, resolution.choices, action, "Which title did you mean?", ephemeral=True
        )

    @app_commands.command(name="watchlist-add", description="Add a film or show to your watchlist")
    @app_commands.describe(query=TITLE_QUERY_HELP)
    @app_commands.autocomplete(query=title_autocomplete)
    @app_commands.guild_only()
    async def watchlist_add(self, interaction: discord.Interaction, query: str) -> None:
        """Add a title to your watchlist."""
        services = bot_of(interaction).services

        async def add(reply: Reply, title: TitleSummary) -> None:
            await services.watchlist.add(interaction.guild_id or 0, interaction.user.id, title)
            await reply.send(f"Added **{_escape(title.label)}** to your watchlist.")

        await self._with_title(interaction, query, add)

    @app_commands.command(name="watchlist", description="Show your watchlist")
    @app_commands.describe(show_watched="Include titles you have watched already")
    @app_commands.guild_only()
    async def watchlist(self, interaction: discord.Interaction, show_watched: bool = False) -> None:
        """Your watchlist, highest priority first."""
        await interaction.response.defer(thinking=True, ephemeral=True)
        items = await bot_of(interaction).services.watchlist.items(
            interaction.guild_id or 0, interaction.user.id, include_watched=show_watched
        )
        if not items:
            hint = "" if show_watched else " (try show_watched:True)"
            await interaction.followup.send(
                f"Your watchlist is empty{hint}. Add titles with /watchlist-add.", ephemeral=True
            )
            return
        name = interaction.user.display_name

        async def render(index: int) -> discord.Embed:
            chunk = items[index * PER_PAGE : (index + 1) * PER_PAGE]
            return new_embed(
                f"{name}'s watchlist · {len(items)} titles",
                description="\n".join(_line(i) for i in chunk),
            )

        await send_paginated(interaction, math.ceil(len(items) / PER_PAGE), render, ephemeral=True)

    @app_commands.command(name="watchlist-remove", description="Remove a title from your watchlist")
    @app_commands.describe(query="A title on your watchlist")
    @app_commands.guild_only()
    async def watchlist_remove(self, interaction: discord.Interaction, query: str) -> None:
        """Remove a title (and your rating of it)."""
        await interaction.response.defer(thinking=True, ephemeral=True)
        services = bot_of(interaction).services
        item = await self._own_item(interaction, query)
        await services.watchlist.remove(item.guild_id, item.user_id, item.ref)
        await interaction.followup.send(
            f"Removed **{_escape(item.title)}** from your watchlist.", ephemeral=True
        )

    @app_commands.command(
        name="watchlist-mark-watched", description="Mark a title as watched and rate it"
    )
    @app_commands.describe(query="A film or show: from your watchlist, or any title")
    @app_commands.autocomplete(query=title_autocomplete)
    @app_commands.guild_only()
    async def watchlist_mark_watched(self, interaction: discord.Interaction, query: str) -> None:
        """Mark watched (adding it first if needed) and offer to rate it."""
        services = bot_of(interaction).services

        async def mark(reply: Reply, title: TitleSummary) -> None:
            item, added = await services.watchlist.mark_watched(
                interaction.guild_id or 0, interaction.user.id, title
            )
            post = await feed_post(interaction, FeedKind.WATCHED, item.title)
            prefix = "Added and marked" if added else "Marked"
            prompt = RatePrompt(
                interaction.user.id,
                item.guild_id,
                TitleSummary(item.ref, item.title, None, "", item.poster_path, 0.0, 0),
            )
            await reply.send(
                f"{prefix} **{_escape(item.title)}** as watched. How was it?", view=prompt
            )
            await publish(interaction, post)

        await self._with_title(interaction, query, mark)

    @app_commands.command(
        name="watchlist-rate", description="Rate a title from 1 to 10, with an optional review"
    )
    @app_commands.describe(
        query="A film or show: from your watchlist, or any title",
        score="Your score from 1 (awful) to 10 (masterpiece)",
        review="A short review (optional)",
        spoilers="Your review gives away the story: the activity feed hides it behind a spoiler",
    )
    @app_commands.autocomplete(query=title_autocomplete)
    @app_commands.guild_only()
    async def watchlist_rate(
        self,
        interaction: discord.Interaction,
        query: str,
        score: app_commands.Range[int, 1, 10],
        review: app_commands.Range[str, 1, 1000] | None = None,
        spoilers: bool = False,
    ) -> None:
        """Rate a title; unrated titles not on the list are added as watched."""
        services = bot_of(interaction).services
        services.watchlist.check_score(score)

        async def rate(reply: Reply, title: TitleSummary) -> None:
            _item, rating = await services.watchlist.rate(
                interaction.guild_id or 0, interaction.user.id, title, score, review
            )
            post = await feed_post(
                interaction,
                FeedKind.RATED,
                title.title,
                score=rating.score,
                review=rating.review,
                spoilers=spoilers,
            )
            note = " with your review" if rating.review else ""
            await reply.send(f"Rated **{_escape(title.title)}** {rating.score}/10{note}.")
            await publish(interaction, post)

        await self._with_title(interaction, query, rate)

    @app_commands.command(name="watchlist-priority", description="Set a watchlist title's priority")
    @app_commands.describe(
        query="A title on your watchlist", priority="How soon you want to watch it"
    )
    @app_commands.guild_only()
    async def watchlist_priority(
        self,
        interaction: discord.Interaction,
        query: str,
        priority: Literal["low", "normal", "high"],
    ) -> None:
        """Change a title's priority."""
        await interaction.response.defer(thinking=True, ephemeral=True)
        item = await self._own_item(interaction, query)
        updated = await bot_of(interaction).services.watchlist.set_priority(
            item.guild_id, item.user_id, item.ref, Priority.parse(priority)
        )
        await interaction.followup.send(
            f"**{_escape(updated.title)}** now has {PRIORITY_MARK[updated.priority]} priority.",
            ephemeral=True,
        )

    @watchlist_remove.autocomplete("query")
    @watchlist_priority.autocomplete("query")
    async def _own_titles(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        items = await bot_of(interaction).services.watchlist.search(
            interaction.guild_id or 0, interaction.user.id, current
        )
        return [
            app_commands.Choice(
                name=clip(f"{i.title} · {i.media_type.label}", 100), value=str(i.ref)
            )
            for i in items[:25]
        ]

    async def _own_item(self, interaction: discord.Interaction, query: str) -> WatchlistItem:
        services = bot_of(interaction).services
        guild_id, user_id = interaction.guild_id or 0, interaction.user.id
        parsed = await services.catalog.parse(query)
        if isinstance(parsed, TitleRef):
            item = await services.watchlist.get(guild_id, user_id, parsed)
            if item is None:
                raise NotFoundError("That title is not on your watchlist.")
            return item
        matches = await services.watchlist.search(guild_id, user_id, parsed)
        exact = [m for m in matches if m.title.casefold() == parsed.casefold()]
        if len(exact) == 1 or len(matches) == 1:
            return (exact or matches)[0]
        if not matches:
            raise NotFoundError("No title on your watchlist matches that.")
        raise NotFoundError(
            "Several titles on your watchlist match; pick one from the suggestions."
        )
