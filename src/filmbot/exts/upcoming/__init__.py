"""The server's calendar: /upcoming, as pages or as an iCalendar file."""

from discord.ext import commands

from filmbot.exts.upcoming._cog import UpcomingCalendar


async def setup(bot: commands.Bot) -> None:
    """Load the extension."""
    await bot.add_cog(UpcomingCalendar(bot))
