"""A select menu that lets the caller pick one title when free text matched several."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

import discord

from filmbot.domain.errors import FilmBotError
from filmbot.domain.limits import clip
from filmbot.exts._ui.errors import FilmBotView, refusal
from filmbot.services.catalog import TitleSummary

log = logging.getLogger(__name__)

OnPick = Callable[["Reply", TitleSummary], Awaitable[None]]
PICKER_TIMEOUT = 120.0


class Reply:
    """Where the outcome of a title command goes: the deferred reply, or the picker message."""

    def __init__(
        self, interaction: discord.Interaction, *, edit_original: bool, ephemeral: bool = False
    ) -> None:
        self.interaction = interaction
        self._edit = edit_original
        self._ephemeral = ephemeral

    async def send(
        self,
        content: str | None = None,
        *,
        embed: discord.Embed | None = None,
        view: discord.ui.View | None = None,
    ) -> None:
        """Send (or put in place of the picker) the final message."""
        if self._edit:
            message = await self.interaction.edit_original_response(
                content=content, embed=embed, view=view
            )
        else:
            kwargs: dict[str, object] = {
                "content": content,
                "wait": True,
                "ephemeral": self._ephemeral,
            }
            if embed is not None:
                kwargs["embed"] = embed
            if view is not None:
                kwargs["view"] = view
            message = await self.interaction.followup.send(**kwargs)  # type: ignore[call-overload]
        if view is not None and hasattr(view, "message"):
            view.message = message


class TitlePicker(FilmBotView):
    """Pick one of up to 25 titles; only the caller can pick."""

    def __init__(self, owner_id: int, choices: list[TitleSummary], on_pick: OnPick) -> None:
        super().__init__(timeout=PICKER_TIMEOUT)
        self.owner_id = owner_id
        self.choices = {str(c.ref): c for c in choices[:25]}
        self.on_pick = on_pick
        self.message: discord.Message | discord.InteractionMessage | None = None
        self.menu: discord.ui.Select[TitlePicker] = discord.ui.Select(
            placeholder="Several titles match: pick one",
            custom_id="title:pick",
            options=[
                discord.SelectOption(
                    label=clip(c.label, 100),
                    value=str(c.ref),
                    description=clip(c.overview, 100) or None,
                )
                for c in self.choices.values()
            ],
        )
        self.menu.callback = self._picked  # type: ignore[method-assign]
        self.add_item(self.menu)

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        """Only the member who ran the command may pick."""
        if interaction.user.id == self.owner_id:
            return True
        await interaction.response.send_message(
            "Only the person who ran the command can pick here.", ephemeral=True
        )
        return False

    async def _picked(self, interaction: discord.Interaction) -> None:
        """Run the command for the chosen title."""
        choice = self.choices[self.menu.values[0]]
        self.stop()
        await interaction.response.defer()
        reply = Reply(interaction, edit_original=True)
        try:
            await self.on_pick(reply, choice)
        except FilmBotError as exc:
            await interaction.edit_original_response(content=refusal(exc), embed=None, view=None)

    async def on_timeout(self) -> None:
        """Disable the menu when it expires."""
        self.menu.disabled = True
        if self.message is not None:
            try:
                await self.message.edit(
                    content="The choice timed out; run the command again.", view=self
                )
            except discord.HTTPException:
                log.debug("Could not disable the title picker", exc_info=True)


async def pick_or_run(
    interaction: discord.Interaction,
    choices: list[TitleSummary],
    on_pick: OnPick,
    prompt: str,
    *,
    ephemeral: bool = False,
) -> None:
    """Run `on_pick` at once for a single match, else offer a picker (after defer)."""
    if len(choices) == 1:
        await on_pick(Reply(interaction, edit_original=False, ephemeral=ephemeral), choices[0])
        return
    picker = TitlePicker(interaction.user.id, choices, on_pick)
    picker.message = await interaction.followup.send(
        prompt, view=picker, wait=True, ephemeral=ephemeral
    )
