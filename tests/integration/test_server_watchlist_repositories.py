"""The server watchlist and movie-night repositories on every backend."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from filmbot.db.repositories import GuildRepository, RatingRepository, WatchlistRepository
from filmbot.db.repositories.movienights import MovieNightRepository
from filmbot.db.repositories.server_watchlist import ServerWatchlistRepository
from filmbot.domain.errors import AlreadyExistsError, LimitReachedError
from filmbot.domain.models import MediaType, TitleRef
from filmbot.domain.movienight import Candidate

Sessions = async_sessionmaker[AsyncSession]
GUILD, OTHER = 1_100_000_000_000_000_001, 1_100_000_000_000_000_002
ALICE, BOB = 900_000_000_000_000_001, 900_000_000_000_000_002
DUNE = TitleRef(MediaType.MOVIE, 438631)
ARRIVAL = TitleRef(MediaType.MOVIE, 329865)
NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


async def _rate(session: AsyncSession, guild: int, user: int, ref: TitleRef, score: int) -> None:
    item = await WatchlistRepository(session).add(guild, user, ref, "x", limit=10)
    await RatingRepository(session).rate(item, score)


async def test_entries_average_only_this_servers_ratings_and_refuse_duplicates(
    sessionmaker: Sessions,
) -> None:
    async with sessionmaker.begin() as session:
        for guild in (GUILD, OTHER):
            await GuildRepository(session).ensure(guild)
        repo = ServerWatchlistRepository(session)
        await repo.add(GUILD, DUNE, "Dune", None, added_by=ALICE, note="big screen", limit=5)
        await repo.add(GUILD, ARRIVAL, "Arrival", None, added_by=BOB, note=None, limit=5)
        await _rate(session, GUILD, ALICE, DUNE, 9)
        await _rate(session, GUILD, BOB, DUNE, 6)
        await _rate(session, OTHER, BOB, ARRIVAL, 1)  # another server's rating does not count
        with pytest.raises(AlreadyExistsError, match="already on the server watchlist"):
            await repo.add(GUILD, DUNE, "Dune", None, added_by=BOB, note=None, limit=5)
        with pytest.raises(LimitReachedError):
            await repo.add(
                GUILD, TitleRef(MediaType.TV, 1), "X", None, added_by=BOB, note=None, limit=2
            )
    async with sessionmaker() as session:
        entries = await ServerWatchlistRepository(session).entries(GUILD)
    assert [(e.title, e.average_rating, e.ratings) for e in entries] == [
        ("Dune", 7.5, 2),
        ("Arrival", None, 0),
    ]


async def test_anonymise_keeps_the_entry_without_its_adder_or_note(sessionmaker: Sessions) -> None:
    async with sessionmaker.begin() as session:
        await GuildRepository(session).ensure(GUILD)
        repo = ServerWatchlistRepository(session)
        await repo.add(GUILD, DUNE, "Dune", None, added_by=ALICE, note="mine", limit=5)
        await repo.add(GUILD, ARRIVAL, "Arrival", None, added_by=BOB, note="bob's", limit=5)
        assert await repo.anonymise(ALICE) == 1
    async with sessionmaker() as session:
        repo = ServerWatchlistRepository(session)
        entries = await repo.entries(GUILD)
        assert await repo.added_by(ALICE) == []
    assert [(e.title, e.added_by, e.note) for e in entries] == [
        ("Dune", None, None),
        ("Arrival", BOB, "bob's"),
    ]


async def _night(sessionmaker: Sessions) -> int:
    async with sessionmaker.begin() as session:
        await GuildRepository(session).ensure(GUILD)
        night = await MovieNightRepository(session).add(
            GUILD,
            1,
            2,
            candidates=[Candidate(1, "movie", 438631, "Dune", 0)],
            expires_at=NOW,
            starts_at=None,
        )
    return night.id


async def test_concurrent_claims_let_exactly_one_announce(sessionmaker: Sessions) -> None:
    night_id = await _night(sessionmaker)

    async def claim() -> bool:
        async with sessionmaker.begin() as session:
            return await MovieNightRepository(session).claim(night_id, NOW, timedelta(seconds=60))

    results = await asyncio.gather(*(claim() for _ in range(5)))
    assert sorted(results) == [False, False, False, False, True]
    async with sessionmaker.begin() as session:
        repo = MovieNightRepository(session)
        # A lapsed claim (the announcer crashed) can be taken again; a finished poll cannot.
        assert await repo.claim(night_id, NOW + timedelta(seconds=61), timedelta(seconds=60))
        await repo.finish(night_id, NOW, "Dune")
        assert not await repo.claim(night_id, NOW + timedelta(days=1), timedelta(seconds=60))
        assert await repo.unfinished(NOW + timedelta(days=1)) == []
        assert await repo.next_due() is None


async def test_next_due_is_the_earliest_expiry_or_lapsing_claim(sessionmaker: Sessions) -> None:
    night_id = await _night(sessionmaker)
    async with sessionmaker.begin() as session:
        repo = MovieNightRepository(session)
        assert await repo.next_due() == NOW
        assert [n.id for n in await repo.unfinished(NOW, due_only=True)] == [night_id]
        assert await repo.unfinished(NOW - timedelta(seconds=1), due_only=True) == []
        await repo.claim(night_id, NOW, timedelta(seconds=60))
        await repo.retry_at(night_id, NOW + timedelta(seconds=15))
        assert await repo.next_due() == NOW + timedelta(seconds=15)
        found = await repo.by_message(2)
    assert found is not None and found.candidates[0].title == "Dune"


async def test_a_poll_ended_early_is_due_again_when_its_failed_claim_lapses(
    sessionmaker: Sessions,
) -> None:
    # Ended early by its author: claimed before its expiry, and the announcement failed.
    night_id = await _night(sessionmaker)
    early = NOW - timedelta(hours=2)
    async with sessionmaker.begin() as session:
        repo = MovieNightRepository(session)
        assert await repo.claim(night_id, early, timedelta(seconds=60))
        lapse = await repo.next_due()
        assert lapse == early + timedelta(seconds=60)
        assert await repo.unfinished(lapse, due_only=True) == []
        # The loop wakes at the lapse: the poll must be due then, or it would wake at once
        # again and again until the poll's own expiry.
        later = lapse + timedelta(seconds=1)
        assert [n.id for n in await repo.unfinished(later, due_only=True)] == [night_id]
