"""Embeds that stay within Discord's limits and credit TMDB."""

from __future__ import annotations

import discord

TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FIELD_COUNT_LIMIT = 25
FOOTER_LIMIT = 2048
MESSAGE_TOTAL_LIMIT = 6000
ATTRIBUTION = (
    "Data from TMDB · This product uses the TMDB API but is not endorsed or certified by TMDB."
)
TMDB_COLOUR = discord.Colour(0x01B4E4)


def clip(text: str | None, limit: int) -> str:
    """Shorten text to the limit, ending with an ellipsis when cut."""
    text = text or ""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit * 0.6:
        cut = cut[:space]
    return cut.rstrip() + "…"


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
    embed.set_footer(text=ATTRIBUTION)
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
