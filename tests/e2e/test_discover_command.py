"""/discover through the real bot: every filter, its autocomplete, sorting, paging and errors."""

from __future__ import annotations

import re
from typing import Any

import pytest

from filmbot.bot import FilmBot
from tests.e2e.test_search_commands import add_star_saga, counter
from tests.fakes.discord_replies import InteractionReply
from tests.fakes.discord_server import FakeDiscord
from tests.fakes.plugin_discord import FilmClub
from tests.fakes.tmdb_server import FakeTMDB, RecordedRequest

LINE = re.compile(r"\*\*\d+\. \[(.+?)(?: \(\d{4}\))? · (?:Movie|TV)\]")


def titles(reply: InteractionReply) -> list[str]:
    """The titles listed on the reply's page, in order."""
    assert reply.embeds, reply.content
    return LINE.findall(reply.embeds[0]["description"])


def discover_requests(fake: FakeTMDB) -> list[RecordedRequest]:
    return [r for r in fake.requests if r.path.startswith("/discover/")]


async def discover(
    fake_discord: FakeDiscord, film_club: FilmClub, **options: Any
) -> InteractionReply:
    return await fake_discord.slash(film_club.guild, film_club.member, "discover", **options)


async def test_discover_defaults_to_popular_films(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub, fake_tmdb: FakeTMDB
) -> None:
    reply = await discover(fake_discord, film_club)
    assert titles(reply)[:3] == ["Dune: Part Two", "Interstellar", "Dune"]
    assert reply.embeds[0]["title"].startswith("Discover films · 9 results")
    [request] = discover_requests(fake_tmdb)
    assert request.path == "/discover/movie"
    assert request.query["sort_by"] == "popularity.desc"
    assert request.query["include_adult"] == "false"


async def test_discover_filters_by_genre_given_by_autocomplete(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub, fake_tmdb: FakeTMDB
) -> None:
    club, mo = film_club.guild, film_club.member
    offered = await fake_discord.autocomplete(club, mo, "discover", "genre", "dra")
    assert offered == [{"name": "Drama", "value": "18"}]
    reply = await discover(fake_discord, film_club, genre="18")
    assert set(titles(reply)) == {"Interstellar", "Blade Runner 2049", "Arrival", "Metropolis"}
    assert "Drama" in reply.embeds[0]["title"]
    assert discover_requests(fake_tmdb)[0].query["with_genres"] == "18"
    by_name = await discover(fake_discord, film_club, genre="mystery")
    assert titles(by_name) == ["Arrival"]


async def test_genre_autocomplete_speaks_the_server_language_and_media(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    club, mo = film_club.guild, film_club.member
    shows = await fake_discord.autocomplete(club, mo, "discover", "genre", "sci", media_type="tv")
    assert shows == [{"name": "Sci-Fi & Fantasy", "value": "10765"}]
    await fake_discord.slash(club, film_club.manager, "config", setting="language", value="de-DE")
    german = await fake_discord.autocomplete(club, mo, "discover", "genre", "aben")
    assert german == [{"name": "Abenteuer", "value": "12"}]


async def test_discover_limits_films_and_shows_to_a_year_range(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub, fake_tmdb: FakeTMDB
) -> None:
    films = await discover(fake_discord, film_club, year_from=2015, year_to=2017)
    assert set(titles(films)) == {"Blade Runner 2049", "Arrival"}
    assert "2015–2017" in films.embeds[0]["title"]
    query = discover_requests(fake_tmdb)[0].query
    assert query["primary_release_date.gte"] == "2015-01-01"
    assert query["primary_release_date.lte"] == "2017-12-31"
    shows = await discover(fake_discord, film_club, media_type="tv", year_from=2020)
    assert set(titles(shows)) == {"Severance", "The Last of Us"}
    assert discover_requests(fake_tmdb)[1].query["first_air_date.gte"] == "2020-01-01"
    assert shows.embeds[0]["title"].startswith("Discover TV shows")


async def test_discover_filters_by_a_certification_of_the_server_region(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub, fake_tmdb: FakeTMDB
) -> None:
    club, mo = film_club.guild, film_club.member
    offered = await fake_discord.autocomplete(club, mo, "discover", "certification", "pg")
    assert [c["value"] for c in offered] == ["PG", "PG-13"]
    assert offered[1]["name"].startswith("PG-13 (US) · Some material")
    reply = await discover(fake_discord, film_club, certification="R")
    assert set(titles(reply)) == {"The Matrix", "Blade Runner 2049"}
    query = discover_requests(fake_tmdb)[0].query
    assert (query["certification_country"], query["certification"]) == ("US", "R")
    await fake_discord.slash(club, film_club.manager, "config", setting="region", value="DE")
    german = await fake_discord.autocomplete(club, mo, "discover", "certification", "1")
    assert [c["value"] for c in german] == ["12", "16", "18"]
    twelve = await discover(fake_discord, film_club, certification="12")
    assert "Blade Runner 2049" in titles(twelve) and "The Matrix" not in titles(twelve)


async def test_certification_autocomplete_says_tv_has_none(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub, fake_tmdb: FakeTMDB
) -> None:
    offered = await fake_discord.autocomplete(
        film_club.guild, film_club.member, "discover", "certification", "", media_type="tv"
    )
    assert len(offered) == 1 and "films only" in offered[0]["name"]
    assert fake_tmdb.count() == 0


async def test_discover_filters_by_minimum_rating(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub, fake_tmdb: FakeTMDB
) -> None:
    reply = await discover(fake_discord, film_club, min_rating=8.3)
    assert set(titles(reply)) == {"Inception", "Interstellar"}
    assert discover_requests(fake_tmdb)[0].query["vote_average.gte"] == "8.3"
    assert "★ 8.3+" in reply.embeds[0]["title"]


async def test_discover_filters_by_a_person_from_autocomplete_or_by_name(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub, fake_tmdb: FakeTMDB
) -> None:
    club, mo = film_club.guild, film_club.member
    offered = await fake_discord.autocomplete(club, mo, "discover", "person", "nolan")
    assert offered == [{"name": "Christopher Nolan · Directing", "value": "person:525"}]
    reply = await discover(fake_discord, film_club, person="person:525")
    assert set(titles(reply)) == {"Inception", "Interstellar"}
    assert "with Christopher Nolan" in reply.embeds[0]["title"]
    assert discover_requests(fake_tmdb)[0].query["with_people"] == "525"
    by_name = await discover(fake_discord, film_club, person="Zendaya")
    assert set(titles(by_name)) == {"Dune", "Dune: Part Two", "Dune: Part Three"}


async def test_discover_filters_by_a_provider_of_the_server_region(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub, fake_tmdb: FakeTMDB
) -> None:
    club, mo = film_club.guild, film_club.member
    await fake_discord.slash(club, film_club.manager, "config", setting="region", value="DE")
    offered = await fake_discord.autocomplete(club, mo, "discover", "provider", "net")
    assert offered == [{"name": "Netflix", "value": "8"}]
    hulu = await fake_discord.autocomplete(club, mo, "discover", "provider", "hulu")
    assert hulu == []  # Hulu is a US service
    reply = await discover(fake_discord, film_club, provider="8")
    assert set(titles(reply)) == {"Dune", "Inception", "The Matrix"}
    query = discover_requests(fake_tmdb)[0].query
    assert (query["with_watch_providers"], query["watch_region"]) == ("8", "DE")
    assert "Streaming data provided by JustWatch" in reply.embeds[0]["footer"]["text"]
    shows = await discover(fake_discord, film_club, media_type="tv", provider="Netflix")
    assert titles(shows) == ["Breaking Bad"]


async def test_sort_by_rating_needs_a_minimum_vote_count(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub, fake_tmdb: FakeTMDB
) -> None:
    fake_tmdb.catalogue.set_movie(
        777_100, title="Three Fans", release_date="2020-01-01", vote_average=10.0, vote_count=3
    )
    reply = await discover(fake_discord, film_club, sort="rating")
    assert set(titles(reply)[:2]) == {"Inception", "Interstellar"}  # both 8.4
    assert "Three Fans" not in titles(reply)
    query = discover_requests(fake_tmdb)[0].query
    assert (query["sort_by"], query["vote_count.gte"]) == ("vote_average.desc", "200")


@pytest.mark.parametrize(
    ("sort", "first", "sort_by"),
    [
        ("newest", "Dune: Part Three", "primary_release_date.desc"),
        ("oldest", "Arrival", "primary_release_date.asc"),
        ("title", "Arrival", "title.asc"),
    ],
)
async def test_discover_sorts_newest_oldest_or_by_title(
    filmbot: FilmBot,
    fake_discord: FakeDiscord,
    film_club: FilmClub,
    fake_tmdb: FakeTMDB,
    sort: str,
    first: str,
    sort_by: str,
) -> None:
    reply = await discover(fake_discord, film_club, person="person:137427", sort=sort)
    assert titles(reply)[0] == first
    if sort == "title":
        assert titles(reply) == sorted(titles(reply))
    assert discover_requests(fake_tmdb)[0].query["sort_by"] == sort_by


async def test_discover_pages_like_search_and_keeps_the_filters(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub, fake_tmdb: FakeTMDB
) -> None:
    add_star_saga(fake_tmdb, 25)
    club, mo = film_club.guild, film_club.member
    first = await discover(fake_discord, film_club, year_from=1981, year_to=2005, sort="oldest")
    assert counter(first) == "1/3"
    assert titles(first)[0] == "Star Saga 01"
    last = await fake_discord.click(club, mo, first, "page:last")
    assert titles(last) == [
        "Star Saga 20",
        "Star Saga 21",
        "Star Saga 22",
        "Star Saga 23",
        "Star Saga 24",
        "Star Saga 25",
    ]
    middle = await fake_discord.click(club, mo, last, "page:previous")
    assert titles(middle)[7:] == ["Star Saga 18", "The Matrix", "Star Saga 19"]  # 1999 fits too
    second_page = discover_requests(fake_tmdb)[-1].query
    assert second_page["page"] == "2" and second_page["primary_release_date.gte"] == "1981-01-01"


async def test_discover_with_no_matches_says_so(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    reply = await discover(fake_discord, film_club, genre="18", year_from=1990, year_to=1999)
    assert reply.content.startswith("Nothing found for Discover films · Drama · 1990–1999")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"year_from": 2020, "year_to": 2010}, "`year_from` (2020) is after `year_to` (2010)"),
        ({"year_from": 1200}, "`year_from` must be a year from 1874 to 2100"),
        ({"min_rating": 11.0}, "`min_rating` goes from 0 to 10"),
        ({"min_rating": -0.5}, "`min_rating` goes from 0 to 10"),
        ({"media_type": "tv", "certification": "PG"}, "Certifications filter films only"),
        ({"media_type": "tv", "person": "person:525"}, "person filter works for films only"),
    ],
)
async def test_contradictory_options_are_refused_without_asking_tmdb(
    filmbot: FilmBot,
    fake_discord: FakeDiscord,
    film_club: FilmClub,
    fake_tmdb: FakeTMDB,
    options: dict[str, Any],
    message: str,
) -> None:
    fake_tmdb.reset()
    reply = await discover(fake_discord, film_club, **options)
    assert reply.ephemeral
    assert message in reply.content
    assert fake_tmdb.count() == 0


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"genre": "Cooking"}, "“Cooking” is not a film genre on TMDB"),
        ({"media_type": "tv", "genre": "878"}, "“878” is not a TV genre on TMDB"),
        ({"certification": "12"}, "“12” is not a certification in US (this server's region)"),
        ({"provider": "Hulu Deutschland"}, "is not a streaming or rental service in US"),
        ({"person": "Nobody Atall"}, "TMDB knows nobody called"),
    ],
)
async def test_unknown_list_values_are_refused_without_a_discover_request(
    filmbot: FilmBot,
    fake_discord: FakeDiscord,
    film_club: FilmClub,
    fake_tmdb: FakeTMDB,
    options: dict[str, Any],
    message: str,
) -> None:
    reply = await discover(fake_discord, film_club, **options)
    assert reply.ephemeral
    assert message in reply.content
    assert discover_requests(fake_tmdb) == []


async def test_lists_the_autocomplete_fetched_check_options_with_no_tmdb_request(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub, fake_tmdb: FakeTMDB
) -> None:
    club, mo = film_club.guild, film_club.member
    await fake_discord.autocomplete(club, mo, "discover", "genre", "")
    await fake_discord.autocomplete(club, mo, "discover", "certification", "")
    await fake_discord.autocomplete(club, mo, "discover", "provider", "")
    fake_tmdb.reset()
    for options in ({"genre": "Cooking"}, {"certification": "12"}, {"provider": "Nope"}):
        reply = await discover(fake_discord, film_club, **options)
        assert reply.ephemeral, options
    assert fake_tmdb.count() == 0
