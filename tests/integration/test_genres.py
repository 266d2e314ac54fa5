"""Titles' genres and genre names, recorded and backfilled by the bot, on every backend."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from filmbot.db.models import GenreNameRow, GuildRow, WatchlistRow
from filmbot.db.repositories.dashboard import DashboardRepository
from filmbot.db.repositories.genres import NO_GENRE, GenreRepository
from filmbot.domain.models import MediaType, TitleRef
from filmbot.services.container import build_dashboard
from filmbot.services.genres import GenreService
from tests.fakes.plugin_tmdb import make_client
from tests.fakes.tmdb_server import FakeTMDB
from tests.genre_rows import catalogue_genres, recorded_genres

GUILD = 1_100_000_000_000_000_077
DRAMA, COMEDY = 18, 35
ARRIVAL, GONE = TitleRef(MediaType.MOVIE, 329865), TitleRef(MediaType.MOVIE, 4_040_404)
BREAKING_BAD = TitleRef(MediaType.TV, 1396)


async def _watched(sessions: async_sessionmaker[AsyncSession], *refs: TitleRef) -> None:
    async with sessions.begin() as session:
        session.add(GuildRow(id=GUILD, name="Kinoclub", language="de-DE"))
        await session.flush()
        session.add_all(
            WatchlistRow(
                guild_id=GUILD,
                user_id=10 + i,
                tmdb_id=ref.tmdb_id,
                media_type=ref.media_type,
                title=f"Title {i}",
                watched=True,
            )
            for i, ref in enumerate(refs)
        )


async def test_record_keeps_the_first_genres_and_marks_titles_without_any(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    drama = TitleRef(MediaType.MOVIE, 1)
    async with sessionmaker.begin() as session:
        repo = GenreRepository(session)
        assert await repo.record({drama: [COMEDY, DRAMA, DRAMA], BREAKING_BAD: []}) == 2
        assert await repo.record({drama: [99], TitleRef(MediaType.TV, 1): [DRAMA]}) == 1
    assert await recorded_genres(sessionmaker) == {
        ("movie", 1): [DRAMA, COMEDY],
        ("tv", 1396): [NO_GENRE],
        ("tv", 1): [DRAMA],
    }


async def test_backfill_fetches_missing_titles_once_and_names_in_the_servers_language(
    engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession], fake_tmdb: FakeTMDB
) -> None:
    await _watched(sessionmaker, ARRIVAL, ARRIVAL, GONE, BREAKING_BAD)
    async with sessionmaker() as session:
        assert await GenreRepository(session).missing(10) == [ARRIVAL, GONE, BREAKING_BAD]
    tmdb = make_client(fake_tmdb)
    try:
        service = GenreService(sessionmaker, tmdb)
        assert await service.store_names() == 1
        assert await service.backfill(limit=2) == 2
        assert await service.backfill(limit=2) == 1
        assert await service.backfill(limit=2) == 0
    finally:
        await tmdb.close()
    details = [r for r in fake_tmdb.requests if r.path.startswith(("/movie/", "/tv/"))]
    assert len(details) == 3  # each title once; the one TMDB lacks is not asked again
    assert await recorded_genres(sessionmaker) == {
        ("movie", ARRIVAL.tmdb_id): catalogue_genres(fake_tmdb.catalogue, "movie", 329865),
        ("movie", GONE.tmdb_id): [NO_GENRE],
        ("tv", BREAKING_BAD.tmdb_id): catalogue_genres(fake_tmdb.catalogue, "tv", 1396),
    }
    german = {
        g["id"]: g["name"]
        for media in ("movie", "tv")
        for g in fake_tmdb.catalogue.genres[media]["de-DE"]
    }
    charts = await build_dashboard(engine).charts(GUILD, None)
    expected: dict[str, int] = {}
    for ref, times in ((ARRIVAL, 2), (BREAKING_BAD, 1)):
        for genre in catalogue_genres(fake_tmdb.catalogue, ref.media_type.value, ref.tmdb_id):
            expected[german[genre]] = expected.get(german[genre], 0) + times
    assert {b.name: b.count for b in charts.genres} == expected
    assert charts.genres[0].count == max(expected.values())


async def test_names_are_replaced_per_language(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker.begin() as session:
        session.add(GenreNameRow(language="de-DE", genre_id=DRAMA, name="Dramen"))
        session.add(GenreNameRow(language="en-US", genre_id=DRAMA, name="Drama"))
    async with sessionmaker.begin() as session:
        await GenreRepository(session).store_names("de-DE", {DRAMA: "Drama", COMEDY: "Komödie"})
    async with sessionmaker() as session:
        repo = DashboardRepository(session)
        assert await repo.genre_names("de-DE") == {DRAMA: "Drama", COMEDY: "Komödie"}
        assert await repo.genre_names("en-US") == {DRAMA: "Drama"}
