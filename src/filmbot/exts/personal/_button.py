"""The "🔔 Notify me too" button under server notifications, answered after restarts too.

The button's custom_id names the title (`filmbot:notify-me:<media>:<id>`); the bot registers
this dynamic item at start, so a click on a message posted by an earlier process is routed
here without any view kept in memory.
"""

from __future__ import annotations

import re

import discord

from filmbot.domain.errors import AlreadyExistsError
from filmbot.domain.models import TitleRef
from filmbot.domain.personal import NOTIFY_ME_LABEL, NOTIFY_ME_TEMPLATE, notify_me_custom_id
from filmbot.exts._ui.context import bot_of
from filmbot.exts._ui.errors import component_error
from filmbot.exts._ui.title_buttons import ref_of, title_button
from filmbot.exts.personal._origin import origin_of
from filmbot.services.catalog import summarise


class NotifyMeButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]], template=NOTIFY_ME_TEMPLATE
):
    """Follow the button's title personally (idempotent; says so when already followed)."""

    def __init__(self, ref: TitleRef) -> None:
        super().__init__(title_button(NOTIFY_ME_LABEL, notify_me_custom_id(ref)))
        self.ref = ref

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction,
        item: discord.ui.Item[discord.ui.View],
        match: re.Match[str],
        /,
    ) -> NotifyMeButton:
        """Rebuild the button from the custom_id of the clicked message's button."""
        return cls(ref_of(match))

    async def callback(self, interaction: discord.Interaction) -> None:
        """Add the personal follow and confirm ephemerally."""
        try:
            await interaction.response.defer(ephemeral=True, thinking=True)
            services = bot_of(interaction).services
            origin = await origin_of(interaction)
            title = summarise(await services.catalog.details(self.ref, language=origin.language))
            try:
                await services.personal.follow(
                    interaction.user.id, title, origin.defaults, only_new=True
                )
            except AlreadyExistsError:
                await interaction.followup.send(
                    f"You already follow **{title.label}** personally.", ephemeral=True
                )
                return
            await interaction.followup.send(
                f"🔔 You now follow **{title.label}** personally: I will tell you by direct "
                "message. `/my-notifications` lists your follows.",
                ephemeral=True,
            )
        except Exception as exc:
            await component_error(interaction, exc, "the Notify me too button")
