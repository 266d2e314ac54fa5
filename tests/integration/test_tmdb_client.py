"""The TMDB client against the fake TMDB over HTTP: endpoints, auth, coalescing, construction."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import date, timedelta

import pytest

from filmbot.config import Settings
from filmbot.domain.models import MediaType, TitleRef
from filmbot.services.container import build_tmdb
from filmbot.tmdb import (
    MAX_CHANGES_WINDOW,
    LocalRateLimiter,
    TMDBAuthError,
    TMDBCache,
    TMDBClient,
    TMDBNotFound,
)
from filmbot.tmdb.models import MovieResult, PersonResult, TVResult
from tests.fakes.plugin_tmdb import make_client
from tests.fakes.tmdb_server import FakeTMDB

DUNE = TitleRef(MediaType.MOVIE, 438631)
MATRIX = TitleRef(MediaType.MOVIE, 603)
BREAKING_BAD = TitleRef(MediaType.TV, 1396)


@pytest.fixture
async def client(fake_tmdb: FakeTMDB) -> AsyncIterator[TMDBClient]:
    async with make_client(fake_tmdb) as tmdb:
        yield tmdb


# -- endpoints ------------------------------------------------------------------------------


async def test_movie_details_bring_every_appended_section_in_one_request(
    client: TMDBClient, fake_tmdb: FakeTMDB
) -> None:
    movie = await client.get_movie(693134)
    assert movie.title == "Dune: Part Two" and movie.runtime == 167
    assert movie.credits is not None and movie.credits.directors() == ["Denis Villeneuve"]
    assert movie.release_dates is not None
    assert [r.type for r in movie.release_dates.for_country("FR")] == [1, 3]
    assert movie.external_ids is not None and movie.external_ids.imdb_id == "tt15239678"
    assert movie.videos is not None and movie.videos.trailer() is not None
    assert movie.watch_providers is not None and movie.watch_providers.for_region("US")
    assert fake_tmdb.count() == 1
    sent = fake_tmdb.requests[0].query["append_to_response"].split(",")
    assert set(sent) == {"credits", "release_dates", "external_ids", "videos", "watch/providers"}


async def test_tv_details_carry_status_and_episodes(client: TMDBClient) -> None:
    ended = await client.get_tv(1396)
    returning = await client.get_tv(95396)
    assert ended.status == "Ended" and ended.next_episode_to_air is None
    assert ended.last_episode_to_air is not None and ended.last_episode_to_air.code == "S05E16"
    assert ended.networks[0].name == "AMC" and ended.created_by[0].name == "Vince Gilligan"
    assert returning.status == "Returning Series"
    assert returning.next_episode_to_air is not None
    assert returning.next_episode_to_air.air_date == date.today() + timedelta(days=5)
    assert [s.season_number for s in returning.seasons] == [1, 2, 3]


async def test_old_sparse_payloads_parse(client: TMDBClient) -> None:
    metropolis = await client.get_movie(19)
    twin_peaks = await client.get_tv(1920)
    assert metropolis.release_date is None and metropolis.runtime is None
    assert metropolis.imdb_id is None and metropolis.overview == ""
    assert twin_peaks.last_episode_to_air is not None
    assert twin_peaks.last_episode_to_air.episode_type is None
    assert twin_peaks.seasons[1].air_date is None


async def test_search_multi_returns_movies_shows_and_people(client: TMDBClient) -> None:
    films = await client.search_multi("dune")
    people = await client.search_multi("villeneuve")
    shows = await client.search_multi("breaking")
    assert {r.id for r in films.results} == {438631, 693134, 1170608}
    assert all(isinstance(r, MovieResult) for r in films.results)
    assert isinstance(people.results[0], PersonResult) and people.results[0].known_for
    assert isinstance(shows.results[0], TVResult) and shows.results[0].year == 2008


async def test_search_sends_language_region_year_and_no_adult(
    client: TMDBClient, fake_tmdb: FakeTMDB
) -> None:
    movies = await client.search_movie("matrix", language="de-DE", region="DE", year=1999)
    shows = await client.search_tv("severance", first_air_date_year=2022)
    assert [r.display_title for r in movies.results] == ["Matrix"]
    assert [r.id for r in shows.results] == [95396]
    movie_query, tv_query = fake_tmdb.requests[0].query, fake_tmdb.requests[1].query
    assert movie_query["language"] == "de-DE" and movie_query["region"] == "DE"
    assert movie_query["year"] == "1999" and movie_query["include_adult"] == "false"
    assert tv_query["first_air_date_year"] == "2022" and tv_query["language"] == "en-US"


async def test_language_reaches_details_and_genres(client: TMDBClient, fake_tmdb: FakeTMDB) -> None:
    matrix = await client.get_movie(603, language="de-DE")
    genres = await client.genres(MediaType.MOVIE, language="de-DE")
    assert matrix.title == "Matrix" and matrix.overview.startswith("Der Hacker")
    assert {g.name for g in genres} >= {"Abenteuer", "Komödie"}
    assert all(r.query["language"] == "de-DE" for r in fake_tmdb.requests)


async def test_autocomplete_offers_titles_with_year_and_type(client: TMDBClient) -> None:
    suggestions = await client.autocomplete("dune")
    again = await client.autocomplete("dune")
    assert [s.label for s in suggestions][:2] == [
        "Dune: Part Two (2024) · Movie",
        "Dune (2021) · Movie",
    ]
    assert again == suggestions and client.stats.memory_hits == 1
    assert await client.autocomplete("   ") == []


async def test_trending_similar_and_recommendations_parse(client: TMDBClient) -> None:
    trending = await client.trending("all", "day")
    trending_tv = await client.trending("tv", "week")
    similar = await client.similar(DUNE)
    recommended = await client.recommendations(BREAKING_BAD)
    assert {r.media_type for r in trending.results} == {"movie", "tv"}
    assert {r.media_type for r in trending_tv.results} == {"tv"}
    assert [r.id for r in similar.results] == [335984, 329865, 157336]
    assert [(r.media_type, r.id) for r in recommended.results] == [("tv", 60059), ("tv", 95396)]


async def test_configuration_sets_the_image_base(client: TMDBClient) -> None:
    assert client.image_url(None) is None
    config = await client.configuration()
    assert "w500" in config.images.poster_sizes
    assert client.image_url("/abc.jpg", "w342") == "https://image.tmdb.org/t/p/w342/abc.jpg"


async def test_changed_ids_collect_every_page(client: TMDBClient, fake_tmdb: FakeTMDB) -> None:
    for tmdb_id in range(1, 251):
        fake_tmdb.catalogue.mark_changed("movie", tmdb_id)
    fake_tmdb.catalogue.mark_changed("tv", 1396)
    today = date.today()
    movies = await client.changed_ids(MediaType.MOVIE, today - timedelta(days=1), today)
    shows = await client.changed_ids(MediaType.TV, today - timedelta(days=1), today)
    assert movies == set(range(1, 251)) and shows == {1396}
    assert fake_tmdb.count("/movie/changes") == 3


async def test_changes_window_longer_than_14_days_is_refused(client: TMDBClient) -> None:
    today = date.today()
    assert timedelta(days=14) == MAX_CHANGES_WINDOW
    await client.changes(MediaType.MOVIE, today - MAX_CHANGES_WINDOW, today)
    with pytest.raises(ValueError, match="14 days"):
        await client.changes(MediaType.MOVIE, today - timedelta(days=15), today)


async def test_get_many_details_separates_found_missing_and_failed(
    client: TMDBClient, fake_tmdb: FakeTMDB
) -> None:
    refs = [DUNE, MATRIX, BREAKING_BAD, TitleRef(MediaType.MOVIE, 999_999), DUNE]
    batch = await client.get_many_details(refs)
    assert set(batch.found) == {DUNE, MATRIX, BREAKING_BAD}
    assert batch.missing == [TitleRef(MediaType.MOVIE, 999_999)] and not batch.failed
    assert fake_tmdb.count() == 4


async def test_fresh_details_bypass_the_response_cache(
    client: TMDBClient, fake_tmdb: FakeTMDB
) -> None:
    await client.get_movie(603)
    first = await client.fresh_details(MATRIX, append=("release_dates",))
    fake_tmdb.catalogue.set_status("movie", 603, "Canceled")
    second = await client.fresh_details(MATRIX, append=("release_dates",))
    assert first["title"] == "The Matrix" and first["release_dates"]["results"]
    assert first["status"] == "Released" and second["status"] == "Canceled"
    assert fake_tmdb.count("/movie/603") == 3 and client.stats.upstream_requests == 3
    assert len(client.cache.memory) == 1  # only get_movie's payload was cached


async def test_fresh_details_send_the_language_and_only_the_sections_asked_for(
    client: TMDBClient, fake_tmdb: FakeTMDB
) -> None:
    show = await client.fresh_details(BREAKING_BAD, language="de-DE")
    movie = await client.fresh_details(MATRIX, append=["release_dates", "credits"])
    assert show["id"] == 1396 and "credits" not in show and movie["credits"]["cast"]
    assert fake_tmdb.requests[0].path == "/tv/1396"
    assert fake_tmdb.requests[0].query["language"] == "de-DE"
    assert "append_to_response" not in fake_tmdb.requests[0].query
    assert fake_tmdb.requests[1].query["language"] == "en-US"
    assert fake_tmdb.requests[1].query["append_to_response"] == "release_dates,credits"


async def test_fresh_details_of_a_missing_title_raise_not_found(client: TMDBClient) -> None:
    with pytest.raises(TMDBNotFound):
        await client.fresh_details(TitleRef(MediaType.MOVIE, 999_999))
    assert client.stats.not_found == 1


async def test_fresh_details_wait_for_the_rate_limiter(fake_tmdb: FakeTMDB) -> None:
    limiter = LocalRateLimiter(2, 0.5)
    async with TMDBClient.create(
        fake_tmdb.base_url, api_key=fake_tmdb.api_key, limiter=limiter
    ) as tmdb:
        await asyncio.gather(*(tmdb.fresh_details(MATRIX) for _ in range(5)))
    assert fake_tmdb.count() == 5 and fake_tmdb.max_in_window(0.5) <= 2


async def test_catalogue_changes_are_served_to_the_client(fake_tmdb: FakeTMDB) -> None:
    release = date.today() + timedelta(days=3)
    fake_tmdb.catalogue.set_status("movie", 1170608, "Released")
    fake_tmdb.catalogue.set_release_date(1170608, release, country="DE")
    fake_tmdb.catalogue.set_next_episode(1396, release, season=6, episode=1, name="Return")
    async with make_client(fake_tmdb, ttl=0) as tmdb:
        part_three = await tmdb.get_movie(1170608)
        show = await tmdb.get_tv(1396)
    assert part_three.status == "Released" and part_three.release_date == release
    assert part_three.release_dates is not None
    assert part_three.release_dates.for_country("DE")[0].release_date is not None
    assert show.next_episode_to_air is not None and show.next_episode_to_air.code == "S06E01"


# -- credentials ------------------------------------------------------------------------------


async def test_bearer_token_is_sent_as_header_not_query(fake_tmdb: FakeTMDB) -> None:
    async with make_client(fake_tmdb, read_access_token=fake_tmdb.read_access_token) as tmdb:
        await tmdb.check_credentials()
    request = fake_tmdb.requests[0]
    assert request.auth == "bearer" and "api_key" not in request.query


async def test_api_key_is_sent_as_query_parameter(client: TMDBClient, fake_tmdb: FakeTMDB) -> None:
    await client.check_credentials()
    assert fake_tmdb.requests[0].auth == "api_key"


async def test_wrong_api_key_raises_auth_error_in_one_line_without_retry(
    fake_tmdb: FakeTMDB,
) -> None:
    async with make_client(fake_tmdb, api_key="wrong") as tmdb:
        with pytest.raises(TMDBAuthError) as caught:
            await tmdb.check_credentials()
    message = str(caught.value)
    assert "status_code 7" in message and "TMDB_API_KEY" in message and "\n" not in message
    assert "wrong" not in message
    assert fake_tmdb.count() == 1


# -- coalescing and construction -------------------------------------------------------------


async def test_identical_concurrent_calls_share_one_request(fake_tmdb: FakeTMDB) -> None:
    fake_tmdb.faults.slow(0.05)
    async with make_client(fake_tmdb, ttl=0) as tmdb:  # no cache: only coalescing can help
        movies = await asyncio.gather(*(tmdb.get_movie(603) for _ in range(200)))
    assert {m.id for m in movies} == {603}
    assert fake_tmdb.count() == 1 and tmdb.stats.coalesced == 199


async def test_coalesced_callers_all_see_the_failure(fake_tmdb: FakeTMDB) -> None:
    async with make_client(fake_tmdb, ttl=0) as tmdb:
        results = await asyncio.gather(
            *(tmdb.get_movie(31337) for _ in range(20)), return_exceptions=True
        )
    assert all(isinstance(r, TMDBNotFound) for r in results)
    assert fake_tmdb.count() == 1


async def test_settings_build_a_working_client_without_database(
    tmdb_settings: Settings, fake_tmdb: FakeTMDB
) -> None:
    async with build_tmdb(tmdb_settings) as tmdb:
        await tmdb.check_credentials()
        movie = await tmdb.get_movie(157336)
    assert movie.title == "Interstellar" and tmdb.cache.database is None
    assert fake_tmdb.requests[-1].auth == "api_key"


async def test_create_refuses_a_cache_together_with_its_tiers(fake_tmdb: FakeTMDB) -> None:
    with pytest.raises(ValueError, match="not both"):
        TMDBClient.create(
            fake_tmdb.base_url, api_key=fake_tmdb.api_key, cache=TMDBCache(), redis=object()
        )


async def test_an_unpaired_surrogate_escape_in_an_answer_is_decoded_not_retried(
    client: TMDBClient, fake_tmdb: FakeTMDB
) -> None:
    # A user-written overview cut inside an emoji: JSON allows the escape, orjson refuses it.
    fake_tmdb.catalogue.set_movie(603, overview="Wake up \ud83d")
    payload = await client.fresh_details(MATRIX)
    assert payload["overview"] == "Wake up \ud83d"
    assert fake_tmdb.count("/movie/603") == 1
