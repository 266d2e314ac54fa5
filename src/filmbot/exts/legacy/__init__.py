"""Legacy prefix commands (`!search`, `!movie`, `!tv`, `!trending`, `!help`)."""

from discord.ext import commands

from filmbot.exts.legacy._cog import Legacy


async def setup(bot: commands.Bot) -> None:
    """Load the extension."""
    await bot.add_cog(Legacy(bot))
