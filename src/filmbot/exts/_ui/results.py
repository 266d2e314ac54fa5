"""Pages of TMDB results (20 a page) shown as Discord pages of 10, fetched as members page."""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable

import discord

from filmbot.exts._ui.pagination import send_paginated
from filmbot.exts._ui.titles import PER_PAGE, list_embed, page_title
from filmbot.services.catalog import SearchPage

TMDB_PAGE_SIZE = 20
FetchPage = Callable[[int], Awaitable[SearchPage]]


async def paged_results(
    interaction: discord.Interaction, title: str, fetch: FetchPage, note: str
) -> None:
    """Show TMDB result pages of 20 as Discord pages of 10, fetched as the user pages."""
    first = await fetch(1)
    if not first.items:
        await interaction.followup.send(f"Nothing found for {title}.")
        return
    total = max(1, min(math.ceil(first.total_results / PER_PAGE), first.total_pages * 2))
    pages: dict[int, SearchPage] = {1: first}

    async def render(index: int) -> discord.Embed:
        tmdb_page = index * PER_PAGE // TMDB_PAGE_SIZE + 1
        if tmdb_page not in pages:
            pages[tmdb_page] = await fetch(tmdb_page)
        start = index * PER_PAGE % TMDB_PAGE_SIZE
        items = pages[tmdb_page].items[start : start + PER_PAGE]
        return list_embed(f"{title} · {page_title(first)}", items, index * PER_PAGE + 1, note)

    await send_paginated(interaction, total, render)
