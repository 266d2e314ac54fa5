"""/movienight: post a poll, then announce (and schedule) the winner when Discord closes it."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta
from typing import TYPE_CHECKING, Any, cast

import discord
from discord import app_commands
from discord.ext import commands

from filmbot.domain.errors import FilmBotError, PermissionDeniedError
from filmbot.domain.movienight import DEFAULT_HOURS, MAX_HOURS, MIN_HOURS, question_text
from filmbot.domain.movienight import MovieNight as Night
from filmbot.exts._ui.context import bot_of, guild_of
from filmbot.exts.movienight._finish import Finisher
from filmbot.services.movienight import PollPlan

if TYPE_CHECKING:
    from filmbot.bot import FilmBot

log = logging.getLogger(__name__)

LONGEST_SLEEP = 3600.0
ERROR_PAUSE = 30.0


def _check_member_may_post(interaction: discord.Interaction, channel_id: int) -> None:
    """Refuse a poll in a channel the member could not post in themselves."""
    channel = interaction.guild.get_channel(channel_id) if interaction.guild else None
    member = interaction.user
    if (
        channel is None
        or not isinstance(member, discord.Member)
        or not channel.permissions_for(member).send_messages
    ):
        raise PermissionDeniedError(
            f"You can't post in <#{channel_id}>, so I won't post the poll there."
        )


class MovieNight(commands.Cog):
    """Movie nights: vote on what to watch, then meet."""

    def __init__(self, bot: commands.Bot) -> None:
        self.bot = cast("FilmBot", bot)
        self.finisher = Finisher(self.bot)
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def cog_load(self) -> None:
        """Start the loop that finishes polls at their end (and those that ended meanwhile)."""
        self._task = asyncio.create_task(self._run(), name="movie-night-polls")

    async def cog_unload(self) -> None:
        """Stop the loop."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def wake(self) -> None:
        """Look at the polls again now (a poll was posted, or the clock moved)."""
        self._wake.set()

    @app_commands.command(name="movienight", description="Post a poll: what do we watch?")
    @app_commands.describe(
        candidates="Titles or TMDB ids, separated by commas (default: the server watchlist)",
        hours=f"How long the poll runs, {MIN_HOURS}-{MAX_HOURS} hours (default {DEFAULT_HOURS})",
        starts_at="When the movie night starts, YYYY-MM-DD HH:MM in the server's timezone",
        channel="Where to post the poll (default: here)",
    )
    @app_commands.guild_only()
    async def movienight(
        self,
        interaction: discord.Interaction,
        candidates: str | None = None,
        hours: int = DEFAULT_HOURS,
        starts_at: str | None = None,
        channel: discord.TextChannel | None = None,
    ) -> None:
        """Post a native poll of up to 10 titles; the winner is announced when it closes."""
        await interaction.response.defer(thinking=True, ephemeral=True)
        if channel is not None:
            _check_member_may_post(interaction, channel.id)
        guild = await guild_of(interaction)
        service = bot_of(interaction).services.movienight
        plan = await service.plan(guild, candidates, hours, starts_at)
        target_id = channel.id if channel is not None else interaction.channel_id or 0
        message = await self._post(target_id, guild.id, plan)
        poll = message.poll
        answer_ids = [answer.id for answer in poll.answers] if poll else []
        try:
            await service.record(
                guild.id,
                target_id,
                message.id,
                plan,
                answer_ids,
                expires_at=poll.expires_at if poll else None,
            )
        except Exception:
            # A poll nobody will announce is worse than none: take it back, then report.
            with contextlib.suppress(discord.HTTPException):
                await message.delete()
            raise
        self.wake()
        closes = int(plan.expires_at.timestamp())
        await interaction.followup.send(
            f"🗳️ Poll posted in <#{target_id}> with {len(plan.answers)} titles; "
            f"it closes <t:{closes}:R>.",
            ephemeral=True,
        )

    async def _post(self, channel_id: int, guild_id: int, plan: PollPlan) -> discord.Message:
        poll = discord.Poll(
            question=question_text(), duration=timedelta(hours=plan.hours), multiple=False
        )
        for answer in plan.answers:
            poll.add_answer(text=answer.text)
        target = self.bot.get_partial_messageable(channel_id, guild_id=guild_id)
        try:
            return await target.send(poll=poll)
        except discord.Forbidden:
            raise FilmBotError(
                f"I can't post a poll in <#{channel_id}>: I need the Send Messages and "
                "Send Polls permissions there."
            ) from None

    @commands.Cog.listener()
    async def on_raw_message_edit(self, payload: discord.RawMessageUpdateEvent) -> None:
        """Discord finalised a poll's results (needs the Guild Messages intent)."""
        data: dict[str, Any] = cast("dict[str, Any]", payload.data)
        poll = data.get("poll") or {}
        if not (poll.get("results") or {}).get("is_finalized"):
            return
        night = await self.bot.services.movienight.by_message(payload.message_id)
        if night is not None:
            await self._finish(night)

    async def _finish(self, night: Night) -> None:
        try:
            await self.finisher.finish(night)
        except (discord.HTTPException, FilmBotError):
            log.warning("Movie night %d could not finish yet; retrying", night.id, exc_info=True)

    async def _run(self) -> None:
        """Finish polls that ended while the bot was away, then each at its end."""
        await self.bot.wait_until_ready()
        service = self.bot.services.movienight
        for night in await self._safely(service.unfinished()):
            await self._finish(night)
        while True:
            try:
                await self._sleep_until_due()
                for night in await service.unfinished(due_only=True):
                    await self._finish(night)
            except Exception:
                log.exception("Checking movie-night polls failed; trying again shortly")
                await asyncio.sleep(ERROR_PAUSE)

    async def _sleep_until_due(self) -> None:
        service = self.bot.services.movienight
        due = await service.next_due()
        delay = LONGEST_SLEEP if due is None else (due - service.now()).total_seconds()
        self._wake.clear()
        if delay <= 0:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), min(delay, LONGEST_SLEEP))

    @staticmethod
    async def _safely(listing: Any) -> list[Night]:
        try:
            return cast("list[Night]", await listing)
        except Exception:
            log.exception("Could not list the open movie-night polls")
            return []
