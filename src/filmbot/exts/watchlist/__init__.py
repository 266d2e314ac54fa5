"""Personal watchlists: /watchlist and the /watchlist-* commands."""

from discord.ext import commands

from filmbot.exts.watchlist._cog import Watchlist


async def setup(bot: commands.Bot) -> None:
    """Load the extension."""
    await bot.add_cog(Watchlist(bot))
