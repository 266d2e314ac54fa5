"""Search and discovery: /search, /movie, /tv, /trending, /similar."""

from discord.ext import commands

from filmbot.exts.search._cog import Search


async def setup(bot: commands.Bot) -> None:
    """Load the extension."""
    await bot.add_cog(Search(bot))
