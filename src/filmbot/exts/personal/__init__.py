"""Personal notifications by DM: /notify-me, /notify-me-remove, /my-notifications,
/notify-settings and the "Notify me too" button under server notifications."""

from discord.ext import commands

from filmbot.exts.personal._button import NotifyMeButton
from filmbot.exts.personal._cog import Personal


async def setup(bot: commands.Bot) -> None:
    """Load the extension; the button answers clicks on messages posted before a restart."""
    bot.add_dynamic_items(NotifyMeButton)
    await bot.add_cog(Personal(bot))


async def teardown(bot: commands.Bot) -> None:
    """Unload the extension."""
    bot.remove_dynamic_items(NotifyMeButton)
