"""History: /import from Letterboxd, IMDb or Trakt, and /export."""

from discord.ext import commands

from filmbot.exts.history._cog import History


async def setup(bot: commands.Bot) -> None:
    """Load the extension."""
    await bot.add_cog(History(bot))
