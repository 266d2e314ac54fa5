"""Calendars: /upcoming (the server's) and /my-upcoming (a member's), as pages or .ics."""

from discord.ext import commands

from filmbot.exts.upcoming._cog import UpcomingCalendar


async def setup(bot: commands.Bot) -> None:
    """Load the extension."""
    await bot.add_cog(UpcomingCalendar(bot))
