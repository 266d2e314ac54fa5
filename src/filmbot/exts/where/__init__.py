"""Where to watch: /where."""

from discord.ext import commands

from filmbot.exts.where._cog import Where


async def setup(bot: commands.Bot) -> None:
    """Load the extension."""
    await bot.add_cog(Where(bot))
