"""One error handler for every app command: short ephemeral replies, logged ids for the rest."""

from __future__ import annotations

import logging
import uuid
from typing import Any

import discord
from discord import app_commands

from filmbot.domain.errors import ExternalServiceError, FilmBotError

log = logging.getLogger(__name__)

PERMISSION_NAMES = {"manage_guild": "Manage Server", "administrator": "Administrator"}


def permission_name(permission: str) -> str:
    """The permission as Discord's settings name it (`manage_guild` is Manage Server)."""
    return PERMISSION_NAMES.get(permission, permission.replace("_", " ").title())


def refusal(error: FilmBotError) -> str:
    """The member's one-line reply to a domain error (never a service's internal detail)."""
    if isinstance(error, ExternalServiceError):
        # The detail (URL, attempts, status) is for the log, not for the member.
        return f"⚠️ {error.user_message}"
    return f"⚠️ {error.message}"


def describe_error(error: app_commands.AppCommandError) -> tuple[str, bool]:
    """Return the user's message and whether the error was expected."""
    original = error.original if isinstance(error, app_commands.CommandInvokeError) else error
    if isinstance(original, FilmBotError):
        return refusal(original), True
    if isinstance(original, app_commands.MissingPermissions):
        needed = ", ".join(permission_name(p) for p in original.missing_permissions)
        return f"⛔ You need the {needed} permission for this command.", True
    if isinstance(original, app_commands.NoPrivateMessage):
        return "This command works in servers only.", True
    if isinstance(original, app_commands.CommandOnCooldown):
        return f"Slow down: try again in {original.retry_after:.0f} s.", True
    if isinstance(original, app_commands.TransformerError):
        return f"⚠️ `{str(original.value)[:50]}` is not a valid value here.", True
    if isinstance(original, app_commands.CheckFailure):
        return "⛔ You can't use this command here.", True
    return "", False


def unexpected(where: str, error: BaseException) -> str:
    """Log an unexpected error under a short id and return the reply that shows the id."""
    error_id = uuid.uuid4().hex[:8]
    log.error("Error %s in %s", error_id, where, exc_info=error)
    return f"💥 Something went wrong on our side (error id `{error_id}`). It has been logged."


async def component_error(interaction: discord.Interaction, error: Exception, where: str) -> None:
    """Answer a failed button, menu or form like a failed command."""
    message = refusal(error) if isinstance(error, FilmBotError) else unexpected(where, error)
    await reply_error(interaction, message)


class FilmBotView(discord.ui.View):
    """A view whose callback errors get the same short replies and error ids as commands."""

    async def on_error(
        self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item[Any]
    ) -> None:
        """Reply to the member instead of only logging."""
        await component_error(interaction, error, type(self).__name__)


class FilmBotModal(discord.ui.Modal):
    """A form whose submit errors get the same short replies and error ids as commands."""

    async def on_error(  # type: ignore[override]  # discord.py's Modal narrows BaseView's hook
        self, interaction: discord.Interaction, error: Exception
    ) -> None:
        """Reply to the member instead of only logging."""
        await component_error(interaction, error, type(self).__name__)


async def reply_error(interaction: discord.Interaction, message: str) -> None:
    """Reply ephemerally, whether or not the interaction was answered already."""
    try:
        if not interaction.response.is_done():
            await interaction.response.send_message(message, ephemeral=True)
            return
        if interaction.response.type is discord.InteractionResponseType.deferred_channel_message:
            await _drop_thinking(interaction)
        await interaction.followup.send(message, ephemeral=True)
    except discord.HTTPException:
        log.warning("Could not tell the user about an error", exc_info=True)


async def _drop_thinking(interaction: discord.Interaction) -> None:
    """Delete the deferred "thinking…" message, which the first follow-up would fill publicly."""
    try:
        await interaction.delete_original_response()
    except discord.HTTPException:
        log.debug("Could not delete the deferred reply", exc_info=True)


class FilmBotTree(app_commands.CommandTree[discord.Client]):
    """Command tree whose errors become short, safe replies."""

    async def on_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        """Turn domain errors into replies; log unexpected ones with an id the user sees."""
        message, expected = describe_error(error)
        if not expected:
            command = interaction.command.qualified_name if interaction.command else "?"
            message = unexpected(f"/{command}", getattr(error, "original", error))
        else:
            original = getattr(error, "original", error)
            log.debug("Refused /%s: %s", interaction.command and interaction.command.name, original)
        await reply_error(interaction, message)
