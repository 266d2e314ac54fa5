"""The /setup wizard: channel and role selects, auto-update, then timezone, language and region."""

from __future__ import annotations

import contextlib

import discord

from filmbot.domain.errors import FilmBotError
from filmbot.domain.guild_settings import Setting
from filmbot.domain.models import Guild
from filmbot.exts._ui.confirm import Confirm
from filmbot.exts._ui.context import bot_of
from filmbot.exts._ui.embeds import new_embed
from filmbot.exts._ui.errors import FilmBotModal, FilmBotView, refusal
from filmbot.exts.admin._checks import checked_role, postable_channel
from filmbot.services.admin import describe

WIZARD_TIMEOUT = 600.0
_CONTROLS = (discord.ui.Button, discord.ui.Select, discord.ui.ChannelSelect, discord.ui.RoleSelect)


def summary_embed(guild: Guild, title: str = "FilmBot settings") -> discord.Embed:
    """Every setting with its current value."""
    embed = new_embed(title)
    for setting in Setting:
        embed.add_field(name=setting.label, value=describe(guild, setting))
    if guild.delivery_problem:
        embed.add_field(name="⚠️ Delivery problem", value=guild.delivery_problem, inline=False)
    return embed


class LocaleModal(FilmBotModal, title="Timezone, language and region"):
    """Free-text settings of the wizard."""

    timezone: discord.ui.TextInput[LocaleModal] = discord.ui.TextInput(
        label="Timezone (IANA, e.g. Europe/Berlin)", custom_id="setup:timezone", max_length=64
    )
    language: discord.ui.TextInput[LocaleModal] = discord.ui.TextInput(
        label="Language (e.g. en-US, de-DE)", custom_id="setup:language", max_length=10
    )
    region: discord.ui.TextInput[LocaleModal] = discord.ui.TextInput(
        label="Region (ISO code, e.g. US, DE)", custom_id="setup:region", max_length=2
    )

    def __init__(self, wizard: SetupWizard) -> None:
        super().__init__(timeout=WIZARD_TIMEOUT)
        self.wizard = wizard
        self.timezone.default = wizard.values.get(Setting.TIMEZONE, wizard.guild.timezone)  # type: ignore[assignment]
        self.language.default = wizard.values.get(Setting.LANGUAGE, wizard.guild.language)  # type: ignore[assignment]
        self.region.default = wizard.values.get(Setting.REGION, wizard.guild.region)  # type: ignore[assignment]

    async def on_submit(self, interaction: discord.Interaction) -> None:
        """Remember the values; they are validated when the wizard saves."""
        self.wizard.values[Setting.TIMEZONE] = self.timezone.value
        self.wizard.values[Setting.LANGUAGE] = self.language.value
        self.wizard.values[Setting.REGION] = self.region.value
        await interaction.response.edit_message(embed=self.wizard.draft_embed(), view=self.wizard)


class SetupWizard(FilmBotView):
    """Collect the settings, then save them all at once and show a summary."""

    def __init__(self, owner_id: int, guild: Guild, *, timeout: float = WIZARD_TIMEOUT) -> None:
        super().__init__(timeout=timeout)
        self.owner_id = owner_id
        self.guild = guild
        self.values: dict[Setting, str | int | None] = {}
        self.message: discord.InteractionMessage | None = None

    async def on_timeout(self) -> None:
        """Disable the controls and say that nothing unsaved was kept."""
        for item in self.children:
            if isinstance(item, _CONTROLS):
                item.disabled = True
        if self.message is not None:
            with contextlib.suppress(discord.HTTPException):
                await self.message.edit(
                    content="The setup timed out; unsaved choices were dropped. Run /setup again.",
                    view=self,
                )

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        """Only the admin who started the wizard may use it."""
        if interaction.user.id == self.owner_id and interaction.permissions.administrator:
            return True
        await interaction.response.send_message(
            "Only the admin who ran /setup can use this wizard.", ephemeral=True
        )
        return False

    def draft_embed(self) -> discord.Embed:
        """What will be saved."""
        embed = new_embed("FilmBot setup", description="Choose below, then press **Save**.")
        for setting in Setting:
            if setting is Setting.SUBSCRIBE_PERMISSION:
                continue
            chosen = self.values.get(setting)
            current = describe(self.guild, setting)
            value = current if chosen is None else _show(setting, chosen)
            embed.add_field(name=setting.label, value=value)
        return embed

    @discord.ui.select(
        cls=discord.ui.ChannelSelect,
        channel_types=[discord.ChannelType.text, discord.ChannelType.news],
        placeholder="Notification channel",
        custom_id="setup:channel",
        row=0,
    )
    async def channel(
        self, interaction: discord.Interaction, select: discord.ui.ChannelSelect[SetupWizard]
    ) -> None:
        """Pick the channel notifications go to."""
        assert interaction.guild is not None
        picked = select.values[0]
        try:
            channel = postable_channel(interaction.guild, picked.resolve() or picked)
        except FilmBotError as exc:
            await interaction.response.send_message(refusal(exc), ephemeral=True)
            return
        self.values[Setting.NOTIFICATION_CHANNEL] = channel.id
        await interaction.response.edit_message(embed=self.draft_embed(), view=self)

    @discord.ui.select(
        cls=discord.ui.RoleSelect,
        placeholder="Role to mention (optional)",
        custom_id="setup:role",
        row=1,
    )
    async def role(
        self, interaction: discord.Interaction, select: discord.ui.RoleSelect[SetupWizard]
    ) -> None:
        """Pick the role notifications mention."""
        try:
            role = checked_role(select.values[0])
        except FilmBotError as exc:
            await interaction.response.send_message(refusal(exc), ephemeral=True)
            return
        self.values[Setting.NOTIFICATION_ROLE] = role.id
        await interaction.response.edit_message(embed=self.draft_embed(), view=self)

    @discord.ui.select(
        placeholder="Automatic updates",
        custom_id="setup:auto_update",
        row=2,
        options=[
            discord.SelectOption(label="Automatic updates on", value="on"),
            discord.SelectOption(label="Automatic updates off", value="off"),
        ],
    )
    async def auto_update(
        self, interaction: discord.Interaction, select: discord.ui.Select[SetupWizard]
    ) -> None:
        """Turn the update cycle on or off for this server."""
        self.values[Setting.AUTO_UPDATE] = select.values[0]
        await interaction.response.edit_message(embed=self.draft_embed(), view=self)

    @discord.ui.button(
        label="Timezone, language, region…",
        style=discord.ButtonStyle.secondary,
        custom_id="setup:locale",
        row=3,
    )
    async def locale(
        self, interaction: discord.Interaction, _button: discord.ui.Button[SetupWizard]
    ) -> None:
        """Open the form for the free-text settings."""
        await interaction.response.send_modal(LocaleModal(self))

    @discord.ui.button(
        label="Save", style=discord.ButtonStyle.success, custom_id="setup:save", row=3
    )
    async def save(
        self, interaction: discord.Interaction, _button: discord.ui.Button[SetupWizard]
    ) -> None:
        """Validate and store everything, then show the summary."""
        bot = bot_of(interaction)
        try:
            guild = await bot.services.admin.apply(self.guild.id, self.values)
        except FilmBotError as exc:
            await interaction.response.send_message(
                f"{refusal(exc)} Nothing was saved.", ephemeral=True
            )
            return
        bot.forget_guild_config(self.guild.id)
        self.stop()
        await interaction.response.edit_message(
            embed=summary_embed(guild, "✅ FilmBot is set up"), view=None
        )

    @discord.ui.button(
        label="Cancel", style=discord.ButtonStyle.danger, custom_id="setup:cancel", row=3
    )
    async def cancel(
        self, interaction: discord.Interaction, _button: discord.ui.Button[SetupWizard]
    ) -> None:
        """Leave without saving."""
        self.stop()
        await interaction.response.edit_message(
            content="Setup cancelled; nothing changed.", embed=None, view=None
        )


def _show(setting: Setting, value: str | int | None) -> str:
    if setting is Setting.NOTIFICATION_CHANNEL:
        return f"<#{value}>"
    if setting is Setting.NOTIFICATION_ROLE:
        return f"<@&{value}>"
    return str(value)


def confirm_server_deletion(owner_id: int, guild_id: int) -> Confirm:
    """Ask before deleting everything FilmBot stores for this server."""

    async def delete(interaction: discord.Interaction) -> str:
        bot = bot_of(interaction)
        await bot.services.admin.delete_guild_data(guild_id)
        bot.forget_guild_config(guild_id)
        return "🗑️ Deleted this server's FilmBot data. Settings are back to defaults."

    return Confirm(
        owner_id,
        delete,
        confirm=("Delete all server data", "config:delete"),
        cancel=("Keep it", "config:keep"),
        allowed=lambda i: i.permissions.manage_guild or i.permissions.administrator,
    )
