"""Paginated embeds with first/previous/next/last buttons, usable only by the caller."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

import discord

from filmbot.exts._ui.errors import FilmBotView

log = logging.getLogger(__name__)

PageRenderer = Callable[[int], Awaitable[discord.Embed]]
VIEW_TIMEOUT = 180.0


class Paginator(FilmBotView):
    """Page through `total` pages rendered on demand; 0-based page numbers."""

    def __init__(
        self, owner_id: int, total: int, render: PageRenderer, *, timeout: float = VIEW_TIMEOUT
    ) -> None:
        super().__init__(timeout=timeout)
        self.owner_id = owner_id
        self.total = max(total, 1)
        self.render = render
        self.page = 0
        self.message: discord.Message | discord.InteractionMessage | None = None
        self._sync()

    async def first_embed(self) -> discord.Embed:
        """Render the first page."""
        return await self.render(0)

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        """Only the member who ran the command may turn pages."""
        if interaction.user.id == self.owner_id:
            return True
        await interaction.response.send_message(
            "Only the person who ran the command can turn these pages.", ephemeral=True
        )
        return False

    async def on_timeout(self) -> None:
        """Disable the buttons when the view expires."""
        for item in self.children:
            if isinstance(item, discord.ui.Button):
                item.disabled = True
        if self.message is not None:
            try:
                await self.message.edit(view=self)
            except discord.HTTPException:
                log.debug("Could not disable pagination buttons", exc_info=True)

    async def _show(self, interaction: discord.Interaction, page: int) -> None:
        self.page = min(max(page, 0), self.total - 1)
        self._sync()
        await interaction.response.defer()
        embed = await self.render(self.page)
        await interaction.edit_original_response(embed=embed, view=self)

    def _sync(self) -> None:
        at_start, at_end = self.page == 0, self.page >= self.total - 1
        self.first.disabled = self.previous.disabled = at_start
        self.next.disabled = self.last.disabled = at_end
        self.counter.label = f"{self.page + 1}/{self.total}"

    @discord.ui.button(emoji="⏮️", style=discord.ButtonStyle.secondary, custom_id="page:first")
    async def first(
        self, interaction: discord.Interaction, _button: discord.ui.Button[Paginator]
    ) -> None:
        """Go to the first page."""
        await self._show(interaction, 0)

    @discord.ui.button(emoji="◀️", style=discord.ButtonStyle.primary, custom_id="page:previous")
    async def previous(
        self, interaction: discord.Interaction, _button: discord.ui.Button[Paginator]
    ) -> None:
        """Go back a page."""
        await self._show(interaction, self.page - 1)

    @discord.ui.button(
        label="1/1", style=discord.ButtonStyle.secondary, disabled=True, custom_id="page:counter"
    )
    async def counter(
        self, interaction: discord.Interaction, _button: discord.ui.Button[Paginator]
    ) -> None:
        """Show the page number (never clickable)."""
        await interaction.response.defer()

    @discord.ui.button(emoji="▶️", style=discord.ButtonStyle.primary, custom_id="page:next")
    async def next(
        self, interaction: discord.Interaction, _button: discord.ui.Button[Paginator]
    ) -> None:
        """Go forward a page."""
        await self._show(interaction, self.page + 1)

    @discord.ui.button(emoji="⏭️", style=discord.ButtonStyle.secondary, custom_id="page:last")
    async def last(
        self, interaction: discord.Interaction, _button: discord.ui.Button[Paginator]
    ) -> None:
        """Go to the last page."""
        await self._show(interaction, self.total - 1)


async def send_paginated(
    interaction: discord.Interaction, total: int, render: PageRenderer, *, ephemeral: bool = False
) -> None:
    """Send page one as the (deferred) reply, with buttons when there is more than one page."""
    paginator = Paginator(interaction.user.id, total, render)
    embed = await paginator.first_embed()
    if paginator.total == 1:
        await interaction.followup.send(embed=embed, ephemeral=ephemeral)
        return
    paginator.message = await interaction.followup.send(
        embed=embed, view=paginator, ephemeral=ephemeral, wait=True
    )
