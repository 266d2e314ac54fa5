"""Notification templates: /notification-template."""

from discord.ext import commands

from filmbot.exts.templates._cog import Templates


async def setup(bot: commands.Bot) -> None:
    """Load the extension."""
    await bot.add_cog(Templates(bot))
