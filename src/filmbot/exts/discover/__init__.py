"""Filtered discovery: /discover."""

from discord.ext import commands

from filmbot.exts.discover._cog import Discover


async def setup(bot: commands.Bot) -> None:
    """Load the extension."""
    await bot.add_cog(Discover(bot))
