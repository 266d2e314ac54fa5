"""Privacy: /privacy show, /privacy delete, and deleting the data of servers the bot left."""

from discord.ext import commands

from filmbot.exts.privacy._cog import Privacy


async def setup(bot: commands.Bot) -> None:
    """Load the extension."""
    await bot.add_cog(Privacy(bot))
