"""The /recommend command."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import discord
from discord import app_commands
from discord.ext import commands

from filmbot.domain.limits import clip
from filmbot.domain.models import MediaType
from filmbot.domain.recommend import RecommendationResult
from filmbot.domain.social import MemberRecommendation
from filmbot.domain.titles import tmdb_url
from filmbot.exts._ui.context import bot_of, guild_of, title_autocomplete
from filmbot.exts._ui.embeds import new_embed
from filmbot.services.recommendations import WATCHLIST


def recommendation_embed(
    name: str,
    result: RecommendationResult,
    basis: str,
    from_members: Sequence[MemberRecommendation] = (),
) -> discord.Embed:
    """The recommendations, numbered, each with why; what members sent first."""
    lines = [
        f"💌 [{discord.utils.escape_markdown(clip(r.line, 250))}]({tmdb_url(r.ref)})"
        for r in from_members
    ]
    if lines:
        lines.append("")
    if result.message:
        lines.append(f"*{result.message}*\n")
    for number, item in enumerate(result.items, start=1):
        link = f"**{number}. [{clip(item.title, 100)}]({tmdb_url(item.ref)})**"
        lines.append(f"{link} · {item.ref.media_type.label}\n↳ {clip(item.explanation, 200)}")
    if not result.items:
        lines.append("Nothing new to recommend yet: rate a few titles with /watchlist-rate.")
    return new_embed(f"Recommended for {name} · {basis}", description="\n".join(lines))


class Recommend(commands.Cog):
    """Personal recommendations."""

    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot

    @app_commands.command(name="recommend", description="Films and shows picked for you")
    @app_commands.describe(
        based_on="`watchlist` (your ratings, the default) or a title for more like it",
        media_type="Films, TV shows or both",
    )
    @app_commands.guild_only()
    async def recommend(
        self,
        interaction: discord.Interaction,
        based_on: app_commands.Range[str, 1, 200] | None = None,
        media_type: Literal["all", "movie", "tv"] = "all",
    ) -> None:
        """Recommend titles from your ratings, TMDB and what this server likes."""
        await interaction.response.defer(thinking=True)
        guild = await guild_of(interaction)
        result = await bot_of(interaction).services.recommendations.recommend(
            guild.id,
            interaction.user.id,
            based_on=based_on,
            media_type=None if media_type == "all" else MediaType(media_type),
            language=guild.language,
        )
        basis = (
            "your watchlist"
            if not based_on or based_on.strip().casefold() == WATCHLIST
            else "more like it"
        )
        from_members = await bot_of(interaction).services.social.take_pending(
            guild.id, interaction.user.id
        )
        await interaction.followup.send(
            embed=recommendation_embed(interaction.user.display_name, result, basis, from_members)
        )

    @recommend.autocomplete("based_on")
    async def _based_on(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        choices = [app_commands.Choice(name="watchlist (my ratings)", value=WATCHLIST)]
        if current.strip() and WATCHLIST.startswith(current.strip().casefold()):
            return choices
        titles = await title_autocomplete(interaction, current) if current.strip() else []
        return (choices + titles)[:25]
