"""A two-button confirmation for destructive actions."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import discord

from filmbot.exts._ui.errors import FilmBotView

CONFIRM_TIMEOUT = 60.0
OnConfirm = Callable[[discord.Interaction], Awaitable[str]]
Allowed = Callable[[discord.Interaction], bool]


class Confirm(FilmBotView):
    """Run `on_confirm` (which returns the closing message) or change nothing."""

    def __init__(
        self,
        owner_id: int,
        on_confirm: OnConfirm,
        *,
        confirm: tuple[str, str],
        cancel: tuple[str, str],
        allowed: Allowed | None = None,
    ) -> None:
        super().__init__(timeout=CONFIRM_TIMEOUT)
        self.owner_id = owner_id
        self.on_confirm = on_confirm
        self.allowed = allowed
        for (label, custom_id), style, callback in (
            (confirm, discord.ButtonStyle.danger, self._confirmed),
            (cancel, discord.ButtonStyle.secondary, self._cancelled),
        ):
            button: discord.ui.Button[Confirm] = discord.ui.Button(
                label=label, style=style, custom_id=custom_id
            )
            button.callback = callback  # type: ignore[method-assign]
            self.add_item(button)

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        """Only the member who asked (and, where required, still allowed) may answer."""
        if interaction.user.id != self.owner_id:
            return False
        return self.allowed is None or self.allowed(interaction)

    async def _confirmed(self, interaction: discord.Interaction) -> None:
        self.stop()
        message = await self.on_confirm(interaction)
        await interaction.response.edit_message(content=message, view=None)

    async def _cancelled(self, interaction: discord.Interaction) -> None:
        self.stop()
        await interaction.response.edit_message(content="Nothing was deleted.", view=None)
