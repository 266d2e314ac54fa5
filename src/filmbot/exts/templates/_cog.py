"""The /notification-template command: the text a server puts above each kind of notification."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from filmbot.domain.errors import InvalidInputError
from filmbot.domain.limits import FIELD_VALUE_LIMIT, clip
from filmbot.domain.templates import TEMPLATE_LIMIT, TemplateKind, allowed_placeholders
from filmbot.exts._ui.context import bot_of, guild_of
from filmbot.exts._ui.embeds import new_embed
from filmbot.services.templates import TemplateView

KIND_CHOICES = [app_commands.Choice(name=kind.value, value=kind.value) for kind in TemplateKind]


def template_embed(view: TemplateView, heading: str) -> discord.Embed:
    """The template as written and as it would look, with the placeholders it may use."""
    shown = view.text.replace("`", "ˋ")
    default = " (default)" if view.is_default else ""
    embed = new_embed(f"{heading}: {view.kind.value}")
    embed.add_field(name=f"Template{default}", value=f"```\n{shown}\n```", inline=False)
    preview = clip(view.preview, FIELD_VALUE_LIMIT) or "(no text)"
    embed.add_field(name="Preview", value=preview, inline=False)
    embed.set_footer(text=allowed_placeholders().replace("`", ""))
    return embed


class Templates(commands.Cog):
    """Notification templates."""

    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot

    @app_commands.command(
        name="notification-template",
        description="Show or change the text above a kind of notification (Manage Server)",
    )
    @app_commands.describe(
        kind="Which notifications",
        text=f"The new text (up to {TEMPLATE_LIMIT} characters) with placeholders like {{title}}",
        reset="Go back to the default text",
    )
    @app_commands.choices(kind=KIND_CHOICES)
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.checks.has_permissions(manage_guild=True)
    @app_commands.guild_only()
    async def notification_template(
        self,
        interaction: discord.Interaction,
        kind: app_commands.Choice[str],
        text: str | None = None,
        reset: bool = False,
    ) -> None:
        """Show the template with a preview, change it, or reset it to the default."""
        if text is not None and reset:
            raise InvalidInputError("Give either `text` or `reset`, not both.")
        bot = bot_of(interaction)
        guild = await guild_of(interaction)
        chosen = TemplateKind(kind.value)
        templates = bot.services.templates
        if reset:
            view, heading = await templates.reset(guild.id, chosen), "✅ Template reset"
        elif text is not None:
            view, heading = await templates.set(guild.id, chosen, text), "✅ Template saved"
        else:
            view, heading = await templates.show(guild.id, chosen), "Notification template"
        if text is not None or reset:
            bot.forget_guild_config(guild.id)
        await interaction.response.send_message(embed=template_embed(view, heading), ephemeral=True)
