"""/upcoming and /my-upcoming: releases and episodes of the server's subscriptions, or of the
member's personal follows, in the next days."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Literal

import discord
from discord import app_commands
from discord.ext import commands

from filmbot.domain.limits import clip
from filmbot.domain.titles import tmdb_url
from filmbot.domain.upcoming import DEFAULT_DAYS, MAX_DAYS, UpcomingEvent, by_day, check_days
from filmbot.exts._ui.context import bot_of, everywhere, guild_of
from filmbot.exts._ui.embeds import new_embed
from filmbot.exts._ui.pagination import send_paginated
from filmbot.services.calendar_file import calendar_file
from filmbot.services.upcoming import Upcoming

DAYS_PER_PAGE = 7
EVENTS_PER_DAY = 12
ICS_NAME = "filmbot-upcoming.ics"
MY_ICS_NAME = "filmbot-my-upcoming.ics"
OPTION_HELP = {
    "days": f"How many days ahead, 1 to {MAX_DAYS} (default {DEFAULT_DAYS})",
    "format": "`list` (pages, the default) or `ics` (a calendar file to import)",
}
Format = Literal["list", "ics"]
PAGE_CHARACTERS = 3800


def _event_line(event: UpcomingEvent) -> str:
    link = f"[{discord.utils.escape_markdown(clip(event.title, 80))}]({tmdb_url(event.ref)})"
    if event.season is None:
        return f"🎬 {link} · {event.kind} release"
    code = f"S{event.season:02d}E{event.episode:02d}"
    name = f" · {discord.utils.escape_markdown(clip(event.episode_name, 60))}"
    return f"📺 {link} · {code}{name if event.episode_name else ''}"


def _day_heading(day: date, first: date) -> str:
    offset = (day - first).days
    when = {0: " · today", 1: " · tomorrow"}.get(offset, "")
    return f"**{day:%a %d %b %Y}**{when}"


def _day_block(day: date, events: list[UpcomingEvent], first: date) -> str:
    lines = [_event_line(e) for e in events[:EVENTS_PER_DAY]]
    if len(events) > EVENTS_PER_DAY:
        lines.append(f"…and {len(events) - EVENTS_PER_DAY} more")
    return "\n".join([_day_heading(day, first), *lines])


def _empty_text(upcoming: Upcoming, days: int) -> str:
    if not upcoming.subscriptions:
        return "This server has no subscriptions yet: add some with /subscribe."
    text = (
        f"Nothing from this server's {upcoming.subscriptions} subscriptions "
        f"in the next {days} days."
    )
    return text + _unchecked_text(upcoming)


def _member_empty_text(upcoming: Upcoming, days: int) -> str:
    if not upcoming.subscriptions:
        return "You follow nothing personally yet: follow titles with /notify-me."
    text = f"Nothing from your {upcoming.subscriptions} follows in the next {days} days."
    return text + _unchecked_text(upcoming)


def _unchecked_text(upcoming: Upcoming) -> str:
    if not upcoming.unchecked:
        return ""
    return (
        f" {upcoming.unchecked} of them have not been checked by the update cycle yet "
        f"for {upcoming.region}; their dates appear after its next run."
    )


@dataclass(frozen=True, slots=True)
class _Answer:
    """How one calendar command words its answer."""

    heading: str
    file_name: str
    empty: Callable[[Upcoming, int], str]
    ephemeral: bool


SERVER = _Answer("Upcoming", ICS_NAME, _empty_text, ephemeral=False)
MEMBER = _Answer("Your upcoming", MY_ICS_NAME, _member_empty_text, ephemeral=True)


async def _send(
    interaction: discord.Interaction,
    upcoming: Upcoming,
    days: int,
    form: str,
    *,
    how: _Answer,
    calendar_name: str,
) -> None:
    """Answer with the calendar's pages, or its .ics file (named `calendar_name`)."""
    where = f"{upcoming.region} · {upcoming.timezone}"
    if form == "ics":
        data = calendar_file(upcoming.owner, calendar_name, upcoming.events)
        await interaction.followup.send(
            f"📅 {len(upcoming.events)} events in the next {days} days ({upcoming.timezone}). "
            "Import the file into your calendar; importing a newer one updates these events.",
            file=discord.File(io.BytesIO(data), filename=how.file_name),
            ephemeral=how.ephemeral,
        )
        return
    if not upcoming.events:
        await interaction.followup.send(how.empty(upcoming, days), ephemeral=how.ephemeral)
        return
    blocks = [_day_block(day, events, upcoming.first) for day, events in by_day(upcoming.events)]
    pages = _pages(blocks)
    if upcoming.unchecked:
        pages[-1].append(
            f"*{upcoming.unchecked} of {upcoming.subscriptions} titles have not been checked by "
            f"the update cycle for {upcoming.region} yet; their dates appear after its next run.*"
        )
    title = f"{how.heading} in the next {days} days · {where}"

    async def render(index: int) -> discord.Embed:
        return new_embed(title, description="\n\n".join(pages[index]))

    await send_paginated(interaction, len(pages), render, ephemeral=how.ephemeral)


class UpcomingCalendar(commands.Cog):
    """What the server's subscriptions, or a member's own follows, bring soon."""

    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot

    @app_commands.command(
        name="upcoming", description="Releases and episodes of this server's subscriptions"
    )
    @app_commands.describe(**OPTION_HELP)
    @app_commands.guild_only()
    async def upcoming(
        self,
        interaction: discord.Interaction,
        days: int = DEFAULT_DAYS,
        format: Format = "list",
    ) -> None:
        """The next days of film releases in the server's region and episodes, by date."""
        check_days(days)
        await interaction.response.defer(thinking=True)
        guild = await guild_of(interaction)
        upcoming = await bot_of(interaction).services.upcoming.upcoming(guild, days)
        await _send(interaction, upcoming, days, format, how=SERVER, calendar_name=guild.name)

    @app_commands.command(
        name="my-upcoming", description="Releases and episodes of your personal follows"
    )
    @app_commands.describe(**OPTION_HELP)
    @everywhere
    async def my_upcoming(
        self,
        interaction: discord.Interaction,
        days: int = DEFAULT_DAYS,
        format: Format = "list",
    ) -> None:
        """The next days of the member's follows, in their own time zone and region."""
        check_days(days)
        await interaction.response.defer(thinking=True, ephemeral=True)
        services = bot_of(interaction).services
        upcoming = await services.upcoming.for_member(interaction.user.id, days)
        await _send(interaction, upcoming, days, format, how=MEMBER, calendar_name="My follows")


def _pages(blocks: list[str]) -> list[list[str]]:
    """Up to DAYS_PER_PAGE days a page, fewer when they would not fit one embed."""
    pages: list[list[str]] = [[]]
    for block in blocks:
        page = pages[-1]
        size = sum(len(b) + 2 for b in page) + len(block)
        if page and (len(page) >= DAYS_PER_PAGE or size > PAGE_CHARACTERS):
            pages.append([])
        pages[-1].append(block)
    return pages
