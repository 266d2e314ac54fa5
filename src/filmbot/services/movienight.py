"""Movie nights: plan a poll, remember it, and settle its winner exactly once."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from filmbot.db.repositories import GuildRepository
from filmbot.db.repositories.movienights import MovieNightRepository
from filmbot.db.repositories.server_watchlist import ServerWatchlistRepository
from filmbot.db.session import Sessions
from filmbot.domain.clock import Clock, utcnow
from filmbot.domain.errors import NotFoundError
from filmbot.domain.models import Guild, MediaType, TitleRef
from filmbot.domain.movienight import (
    MAX_ANSWERS,
    Candidate,
    MovieNight,
    Outcome,
    answer_text,
    check_enough,
    check_hours,
    parse_starts_at,
    split_candidates,
    tally,
)
from filmbot.domain.server_watchlist import ServerWatchlistEntry, candidate_order
from filmbot.domain.titles import parse_title_query
from filmbot.services.catalog import CatalogService, TitleSummary
from filmbot.tmdb import TMDBClient
from filmbot.tmdb.models import MovieDetails, TVDetails

log = logging.getLogger(__name__)

CLAIM_LEASE = timedelta(seconds=60)
NOT_FINAL_RETRY = timedelta(seconds=15)


@dataclass(frozen=True, slots=True)
class PlannedAnswer:
    """A poll answer before Discord numbers it."""

    text: str
    ref: TitleRef
    title: str
    rank: int


@dataclass(frozen=True, slots=True)
class PollPlan:
    """A validated movie night, ready to post."""

    answers: list[PlannedAnswer]
    hours: int
    expires_at: datetime
    starts_at: datetime | None


@dataclass(frozen=True, slots=True)
class EventDetails:
    """What a scheduled event for the winner shows."""

    title: str
    overview: str
    runtime: int | None
    poster_url: str | None


class MovieNightService:
    """Use cases of movie-night polls; Discord I/O stays in the cog."""

    def __init__(
        self,
        sessions: Sessions,
        catalog: CatalogService,
        tmdb: TMDBClient,
        clock: Clock = utcnow,
    ) -> None:
        self._sessions = sessions
        self._catalog = catalog
        self._tmdb = tmdb
        self.clock = clock

    def now(self) -> datetime:
        """The current time (UTC) as this service sees it."""
        return self.clock()

    async def plan(
        self, guild: Guild, candidates: str | None, hours: int, starts_at: str | None
    ) -> PollPlan:
        """Validate the options and choose the answers; InvalidInputError/NotFoundError refuse."""
        check_hours(hours)
        now = self.now()
        expires_at = now + timedelta(hours=hours)
        start = (
            parse_starts_at(starts_at, guild.timezone, now=now, after=expires_at)
            if starts_at
            else None
        )
        async with self._sessions() as session:
            listed = await ServerWatchlistRepository(session).entries(guild.id)
        if candidates and candidates.strip():
            answers = await self._named(guild, split_candidates(candidates), listed)
        else:
            answers = _from_watchlist(listed)
        check_enough(len(answers))
        return PollPlan(answers, hours, expires_at, start)

    async def _named(
        self, guild: Guild, texts: list[str], listed: list[ServerWatchlistEntry]
    ) -> list[PlannedAnswer]:
        ranks = {entry.ref: index for index, entry in enumerate(listed)}
        chosen: dict[TitleRef, PlannedAnswer] = {}
        for position, text in enumerate(texts):
            title = await self._resolve(guild, text, listed)
            rank = ranks.get(title.ref, len(listed) + position)
            chosen.setdefault(
                title.ref,
                PlannedAnswer(answer_text(title.title, title.year), title.ref, title.title, rank),
            )
        return list(chosen.values())[:MAX_ANSWERS]

    async def _resolve(
        self, guild: Guild, text: str, listed: list[ServerWatchlistEntry]
    ) -> TitleSummary:
        parsed = parse_title_query(text)
        if isinstance(parsed, str):
            same = [e for e in listed if e.title.casefold() == parsed.casefold()]
            if len(same) == 1:
                return _summary(same[0])
        try:
            resolution = await self._catalog.resolve(text, language=guild.language)
        except NotFoundError:
            raise NotFoundError(f"No film or show matches “{text[:80]}”.") from None
        exact = [c for c in resolution.choices if c.title.casefold() == str(parsed).casefold()]
        return (exact or resolution.choices)[0]

    async def record(
        self,
        guild_id: int,
        channel_id: int,
        message_id: int,
        plan: PollPlan,
        answer_ids: list[int],
        *,
        expires_at: datetime | None = None,
    ) -> MovieNight:
        """Remember a posted poll: its answers as Discord numbered them, its end as Discord set it
        (`expires_at`; the plan's when Discord gave none)."""
        candidates = [
            Candidate(aid, a.ref.media_type.value, a.ref.tmdb_id, a.title, a.rank)
            for aid, a in zip(answer_ids, plan.answers, strict=True)
        ]
        async with self._sessions.begin() as session:
            await GuildRepository(session).ensure(guild_id)
            return await MovieNightRepository(session).add(
                guild_id,
                channel_id,
                message_id,
                candidates=candidates,
                expires_at=expires_at or plan.expires_at,
                starts_at=plan.starts_at,
            )

    async def by_message(self, message_id: int) -> MovieNight | None:
        """The movie night posted as this message, if any."""
        async with self._sessions() as session:
            return await MovieNightRepository(session).by_message(message_id)

    async def unfinished(self, *, due_only: bool = False) -> list[MovieNight]:
        """Polls whose winner is still to announce (only those past their end: `due_only`)."""
        async with self._sessions() as session:
            return await MovieNightRepository(session).unfinished(self.now(), due_only=due_only)

    async def next_due(self) -> datetime | None:
        """When a poll next needs attention."""
        async with self._sessions() as session:
            return await MovieNightRepository(session).next_due()

    async def claim(self, night: MovieNight) -> bool:
        """Take the poll for announcing; False when it is taken or done already."""
        async with self._sessions.begin() as session:
            return await MovieNightRepository(session).claim(night.id, self.now(), CLAIM_LEASE)

    async def not_final_yet(self, night: MovieNight) -> None:
        """Put a claimed poll whose results are not final back: until its end while it runs,
        else for another try shortly."""
        async with self._sessions.begin() as session:
            repo = MovieNightRepository(session)
            if self.now() < night.expires_at:
                await repo.reopen(night.id)
            else:
                await repo.retry_at(night.id, self.now() + NOT_FINAL_RETRY)

    async def gone(self, night: MovieNight) -> None:
        """The poll message was deleted: nothing to announce."""
        async with self._sessions.begin() as session:
            await MovieNightRepository(session).finish(night.id, self.now(), None, gone=True)
        log.info("Movie night %d: its poll message is gone", night.id)

    @staticmethod
    def outcome(night: MovieNight, counts: dict[int, int]) -> Outcome:
        """The winner of the poll's final counts."""
        return tally(list(night.candidates), counts)

    async def complete(self, night: MovieNight, outcome: Outcome) -> None:
        """Mark the winner picked on the server watchlist and the poll done, together."""
        winner = outcome.winner
        async with self._sessions.begin() as session:
            now = self.now()
            ref = TitleRef(_media(winner.media_type), winner.tmdb_id)
            await ServerWatchlistRepository(session).mark_picked(night.guild_id, ref, now)
            await MovieNightRepository(session).finish(night.id, now, winner.title)

    async def event_details(self, guild: Guild, candidate: Candidate) -> EventDetails:
        """The winner's runtime, overview and poster for its scheduled event."""
        ref = TitleRef(_media(candidate.media_type), candidate.tmdb_id)
        details = await self._catalog.details(ref, language=guild.language)
        runtime = details.runtime if isinstance(details, MovieDetails) else None
        if isinstance(details, TVDetails) and details.episode_run_time:
            runtime = details.episode_run_time[0]
        poster = self._catalog.image_url(details.poster_path, "w780")
        return EventDetails(candidate.title, details.overview or "", runtime, poster)

    async def poster(self, url: str) -> bytes | None:
        """The poster's image, for an event cover; None when it cannot be downloaded."""
        return await self._tmdb.image(url)


def _from_watchlist(listed: list[ServerWatchlistEntry]) -> list[PlannedAnswer]:
    ranks = {entry.id: index for index, entry in enumerate(listed)}
    return [
        PlannedAnswer(answer_text(entry.title), entry.ref, entry.title, ranks[entry.id])
        for entry in candidate_order(listed)[:MAX_ANSWERS]
    ]


def _summary(entry: ServerWatchlistEntry) -> TitleSummary:
    return TitleSummary(entry.ref, entry.title, None, "", entry.poster_path, 0.0, 0)


def _media(value: str) -> MediaType:
    return MediaType(value)
