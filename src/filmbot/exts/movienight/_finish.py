"""Settle a movie-night poll: read its final results, schedule the event, announce once."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

import discord

from filmbot.domain.errors import FilmBotError
from filmbot.domain.limits import clip
from filmbot.domain.movienight import MovieNight, Outcome, announcement, event_end
from filmbot.services.movienight import CLAIM_LEASE

if TYPE_CHECKING:
    from filmbot.bot import FilmBot

log = logging.getLogger(__name__)

EVENT_NAME_LIMIT, EVENT_LOCATION_LIMIT, EVENT_DESCRIPTION_LIMIT = 100, 100, 1000
FINISH_BUDGET = CLAIM_LEASE.total_seconds() * 3 / 4


def _escape(text: str) -> str:
    return discord.utils.escape_markdown(text)


class Finisher:
    """Finish polls for one bot; the database claim makes each finish happen once."""

    def __init__(self, bot: FilmBot, budget: float = FINISH_BUDGET) -> None:
        self.bot = bot
        self.budget = budget

    async def finish(self, night: MovieNight) -> bool:
        """Announce the winner if the poll is over; False when it is not (or taken).

        A claimed finish gives up after `budget` seconds, well inside its claim: a slower
        one could still be at work when the claim lapses and another path takes the poll.
        The retry after the lapse finds the event and the announcement already made (the
        announcement's nonce makes Discord return it rather than post it again).
        """
        if not await self.bot.services.movienight.claim(night):
            return False
        try:
            async with asyncio.timeout(self.budget):
                return await self._claimed(night)
        except TimeoutError:
            log.warning(
                "Movie night %d: finishing took over %.0f s; trying again when its claim lapses",
                night.id,
                self.budget,
            )
            return False

    async def _claimed(self, night: MovieNight) -> bool:
        service = self.bot.services.movienight
        channel = self.bot.get_partial_messageable(night.channel_id, guild_id=night.guild_id)
        try:
            message = await channel.fetch_message(night.message_id)
        except discord.NotFound:
            await service.gone(night)
            return False
        final = await self._final(night, message)
        if final is None or final.poll is None:
            await service.not_final_yet(night)
            return False
        message = final
        assert final.poll is not None
        counts = {answer.id: answer.vote_count for answer in final.poll.answers}
        outcome = service.outcome(night, counts)
        note = await self._schedule(night, outcome) if night.starts_at else ""
        text = announcement(outcome, _escape) + note
        try:
            await channel.send(
                clip(text, 2000),
                nonce=f"movienight-{night.id}",
                reference=message.to_reference(fail_if_not_exists=False),
                mention_author=False,
            )
        except (discord.Forbidden, discord.NotFound) as exc:
            # The channel is gone or closed to the bot: retrying would never succeed.
            log.warning("Movie night %d: cannot announce in its channel: %s", night.id, exc)
        await service.complete(night, outcome)
        log.info("Movie night %d finished: %s won", night.id, outcome.winner.title)
        return True

    async def _final(self, night: MovieNight, message: discord.Message) -> discord.Message | None:
        """The message with final results, ending the poll if its time is up."""
        poll = message.poll
        if poll is None:
            return None
        if poll.is_finalised():
            return message
        if self.bot.services.movienight.now() < night.expires_at:
            return None
        try:
            ended = await message.end_poll()
        except discord.HTTPException as exc:
            log.info("Movie night %d: ending its poll failed (%s); retrying", night.id, exc)
            return None
        return ended if ended.poll is not None and ended.poll.is_finalised() else None

    async def _schedule(self, night: MovieNight, outcome: Outcome) -> str:
        """Create the scheduled event for the winner; the sentence to add to the announcement."""
        assert night.starts_at is not None
        guild = self.bot.get_guild(night.guild_id)
        if guild is None:
            return "\n⚠️ I could not create the event: I can't see this server right now."
        name = clip(f"Movie night: {outcome.winner.title}", EVENT_NAME_LIMIT)
        when = f"(<t:{int(night.starts_at.timestamp())}:F>)"
        earlier = await self._scheduled_before(night, guild, name) if night.tried else None
        if earlier is not None:
            return f"\n📅 Event: {earlier.url} {when}"
        config = await self.bot.guild_config(guild.id, guild.name)
        try:
            details = await self.bot.services.movienight.event_details(config, outcome.winner)
        except FilmBotError as exc:
            log.info("Movie night %d: no details for the event (%s)", night.id, exc)
            details = None
        channel = guild.get_channel(night.channel_id)
        where = f"#{channel.name}" if channel is not None else guild.name
        runtime = details.runtime if details else None
        image = await self._cover(details.poster_url if details else None)
        extra: dict[str, bytes] = {"image": image} if image else {}
        try:
            event = await guild.create_scheduled_event(  # type: ignore[call-overload]
                name=name,
                start_time=night.starts_at,
                end_time=event_end(night.starts_at, runtime),
                entity_type=discord.EntityType.external,
                privacy_level=discord.PrivacyLevel.guild_only,
                location=clip(f"{where} on {guild.name}", EVENT_LOCATION_LIMIT),
                description=clip(details.overview if details else "", EVENT_DESCRIPTION_LIMIT),
                **extra,
            )
        except discord.Forbidden:
            return "\n⚠️ I could not create the event: I need the Create Events permission."
        except discord.HTTPException as exc:
            log.warning("Movie night %d: Discord refused the event: %s", night.id, exc)
            return "\n⚠️ Discord refused the scheduled event; create it by hand."
        return f"\n📅 Event: {event.url} {when}"

    async def _scheduled_before(
        self, night: MovieNight, guild: discord.Guild, name: str
    ) -> discord.ScheduledEvent | None:
        """The event an earlier try of this finish created, if it got that far.

        Discord's scheduled events take no idempotency key, so a finish that created the
        event and then failed (a 5xx on the announcement, the bot stopping, the budget
        running out) is retried after its claim lapses: the bot's own event of that name
        and start is used again. Only a retry looks (`MovieNight.tried`).
        """
        me = self.bot.user
        if me is None:
            return None
        try:
            events = await guild.fetch_scheduled_events(with_counts=False)
        except discord.HTTPException as exc:
            log.info("Movie night %d: could not list the server's events (%s)", night.id, exc)
            return None
        live = (discord.EventStatus.scheduled, discord.EventStatus.active)
        ours = (
            event
            for event in events
            if event.creator_id == me.id
            and event.name == name
            and event.start_time == night.starts_at
            and event.status in live
        )
        return next(ours, None)

    async def _cover(self, url: str | None) -> bytes | None:
        """The poster image for the event's cover, when it can be downloaded."""
        if url is None:
            return None
        return await self.bot.services.movienight.poster(url)
