"""The server watchlist: /server-watchlist and the /server-watchlist-* commands."""

from discord.ext import commands

from filmbot.exts.server_watchlist._cog import ServerWatchlist


async def setup(bot: commands.Bot) -> None:
    """Load the extension."""
    await bot.add_cog(ServerWatchlist(bot))
