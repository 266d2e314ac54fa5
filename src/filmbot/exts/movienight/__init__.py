"""Movie nights: /movienight posts a poll; its winner is announced and scheduled."""

from discord.ext import commands

from filmbot.exts.movienight._cog import MovieNight


async def setup(bot: commands.Bot) -> None:
    """Load the extension."""
    await bot.add_cog(MovieNight(bot))
