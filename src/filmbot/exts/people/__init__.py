"""People: /person."""

from discord.ext import commands

from filmbot.exts.people._cog import People


async def setup(bot: commands.Bot) -> None:
    """Load the extension."""
    await bot.add_cog(People(bot))
