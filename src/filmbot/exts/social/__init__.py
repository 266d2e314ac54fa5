"""Member to member: /recommend-to."""

from discord.ext import commands

from filmbot.exts.social._cog import Social


async def setup(bot: commands.Bot) -> None:
    """Load the extension."""
    await bot.add_cog(Social(bot))
