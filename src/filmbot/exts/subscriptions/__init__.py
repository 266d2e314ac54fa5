"""Server subscriptions: /subscribe, /unsubscribe, /subscriptions."""

from discord.ext import commands

from filmbot.exts.subscriptions._cog import Subscriptions


async def setup(bot: commands.Bot) -> None:
    """Load the extension."""
    await bot.add_cog(Subscriptions(bot))
