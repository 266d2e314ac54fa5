"""Recommendations: /recommend."""

from discord.ext import commands

from filmbot.exts.recommend._cog import Recommend


async def setup(bot: commands.Bot) -> None:
    """Load the extension."""
    await bot.add_cog(Recommend(bot))
