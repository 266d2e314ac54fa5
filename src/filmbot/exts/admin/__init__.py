"""Administration: /setup, /config, /stats."""

from discord.ext import commands

from filmbot.exts.admin._cog import Admin


async def setup(bot: commands.Bot) -> None:
    """Load the extension."""
    await bot.add_cog(Admin(bot))
