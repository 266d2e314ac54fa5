"""The "➕ Subscribe the server" button under a followed person's new-title notification.

Its custom_id names the announced title (`filmbot:subscribe:<media>:<id>`); the bot registers
this dynamic item at start, so clicks on messages posted before a restart are answered too.
The server's subscribe permission applies as for /subscribe.
"""

from __future__ import annotations

import re

import discord

from filmbot.domain.errors import AlreadyExistsError
from filmbot.domain.models import TitleRef
from filmbot.domain.person_follows import SUBSCRIBE_LABEL, SUBSCRIBE_TEMPLATE, subscribe_custom_id
from filmbot.exts._ui.context import bot_of, can_manage_server, guild_of
from filmbot.exts._ui.errors import component_error
from filmbot.exts._ui.title_buttons import ref_of, title_button
from filmbot.services.catalog import summarise


class SubscribeButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]], template=SUBSCRIBE_TEMPLATE
):
    """Subscribe the server to the button's title (idempotent; says so when it already does)."""

    def __init__(self, ref: TitleRef) -> None:
        super().__init__(title_button(SUBSCRIBE_LABEL, subscribe_custom_id(ref)))
        self.ref = ref

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction,
        item: discord.ui.Item[discord.ui.View],
        match: re.Match[str],
        /,
    ) -> SubscribeButton:
        """Rebuild the button from the custom_id of the clicked message's button."""
        return cls(ref_of(match))

    async def callback(self, interaction: discord.Interaction) -> None:
        """Subscribe the server and confirm ephemerally."""
        try:
            await interaction.response.defer(ephemeral=True, thinking=True)
            services = bot_of(interaction).services
            guild = await guild_of(interaction)
            title = summarise(await services.catalog.details(self.ref, language=guild.language))
            try:
                await services.subscriptions.subscribe(
                    guild.id,
                    title,
                    can_manage_server=can_manage_server(interaction),
                    guild_name=interaction.guild.name if interaction.guild else "",
                    only_new=True,
                )
            except AlreadyExistsError:
                await interaction.followup.send(
                    f"This server already follows **{title.label}**.", ephemeral=True
                )
                return
            await interaction.followup.send(
                f"➕ This server now follows **{title.label}**: its releases and updates come to "
                "the server's notification channels. `/subscriptions` lists them.",
                ephemeral=True,
            )
        except Exception as exc:
            await component_error(interaction, exc, "the Subscribe button")
