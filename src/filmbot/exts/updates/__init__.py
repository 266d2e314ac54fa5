"""Automatic updates: the background loop that announces releases and episodes."""

from discord.ext import commands

from filmbot.exts.updates._cog import Updates


async def setup(bot: commands.Bot) -> None:
    """Load the extension."""
    await bot.add_cog(Updates(bot))
