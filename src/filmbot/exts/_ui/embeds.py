"""Embeds that stay within Discord's limits and credit TMDB."""

from __future__ import annotations

import discord

from filmbot.domain.limits import (
    DESCRIPTION_LIMIT,
    FIELD_COUNT_LIMIT,
    FIELD_NAME_LIMIT,
    FIELD_VALUE_LIMIT,
    MESSAGE_TOTAL_LIMIT,
    TITLE_LIMIT,
    clip,
)
from filmbot.domain.titles import TMDB_ATTRIBUTION

TMDB_COLOUR = discord.Colour(0x01B4E4)


def new_embed(
    title: str, *, description: str | None = None, url: str | None = None
) -> discord.Embed:
    """An embed in FilmBot's colour with the TMDB footer."""
    embed = discord.Embed(
        title=clip(title, TITLE_LIMIT),
        description=clip(description, DESCRIPTION_LIMIT) if description else None,
        url=url,
        colour=TMDB_COLOUR,
    )
    embed.set_footer(text=TMDB_ATTRIBUTION)
    return embed


def add_field(embed: discord.Embed, name: str, value: str | None, *, inline: bool = True) -> None:
    """Add a field unless it is empty or the embed is full."""
    if not value or len(embed.fields) >= FIELD_COUNT_LIMIT:
        return
    embed.add_field(
        name=clip(name, FIELD_NAME_LIMIT), value=clip(value, FIELD_VALUE_LIMIT), inline=inline
    )


def fit_embed(embed: discord.Embed, limit: int = MESSAGE_TOTAL_LIMIT) -> discord.Embed:
    """Shorten the description, then drop the last fields, until the embed fits the limit."""
    excess = len(embed) - limit
    if excess > 0 and embed.description:
        embed.description = clip(embed.description, max(len(embed.description) - excess, 200))
    while len(embed) > limit and embed.fields:
        embed.remove_field(len(embed.fields) - 1)
    return embed


def fit_message(embeds: list[discord.Embed]) -> list[discord.Embed]:
    """Trim embeds so that together they stay under the 6,000-character message limit."""
    kept: list[discord.Embed] = []
    total = 0
    for embed in embeds[:10]:
        size = len(embed)
        if total + size > MESSAGE_TOTAL_LIMIT:
            room = MESSAGE_TOTAL_LIMIT - total - (size - len(embed.description or ""))
            if room < 50:
                break
            embed.description = clip(embed.description, room)
            size = len(embed)
        kept.append(embed)
        total += size
    return kept


def stars(vote_average: float, vote_count: int) -> str:
    """`★ 8.2/10 (12,345 votes)`."""
    if not vote_count:
        return "no votes yet"
    return f"★ {vote_average:.1f}/10 ({vote_count:,} votes)"


def money(amount: int) -> str | None:
    """`$165,000,000`, or None when TMDB does not know."""
    return f"${amount:,}" if amount else None
