"""Server subscriptions: /subscribe, /unsubscribe, /subscriptions."""

from discord.ext import commands

from filmbot.exts.subscriptions._button import SubscribeButton
from filmbot.exts.subscriptions._cog import Subscriptions


async def setup(bot: commands.Bot) -> None:
    """Load the extension; the Subscribe button answers clicks from before a restart too."""
    bot.add_dynamic_items(SubscribeButton)
    await bot.add_cog(Subscriptions(bot))


async def teardown(bot: commands.Bot) -> None:
    """Unload the extension."""
    bot.remove_dynamic_items(SubscribeButton)
