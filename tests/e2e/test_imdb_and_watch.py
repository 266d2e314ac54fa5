"""IMDb ids and links in every title option, and /movie and /tv's IMDb link and watch field."""

from __future__ import annotations

import pytest

from filmbot.bot import FilmBot
from tests.e2e.conftest import assert_within_discord_limits, fields_of
from tests.fakes.discord_replies import InteractionReply
from tests.fakes.discord_server import FakeDiscord
from tests.fakes.plugin_discord import FilmClub
from tests.fakes.tmdb_server import FakeTMDB

INTERSTELLAR_IMDB = "https://www.imdb.com/title/tt0816692/"


def field(reply: InteractionReply, name: str) -> str:
    """The value of the first embed's field `name`."""
    fields = fields_of(reply)
    assert name in fields, sorted(fields)
    return fields[name]


@pytest.mark.parametrize(
    "given",
    [
        "tt0816692",
        "TT0816692",
        INTERSTELLAR_IMDB,
        "imdb.com/title/tt0816692",
        "m.imdb.com/title/tt0816692/?ref_=x",
    ],
)
async def test_movie_accepts_an_imdb_id_or_link(
    filmbot: FilmBot,
    fake_discord: FakeDiscord,
    film_club: FilmClub,
    fake_tmdb: FakeTMDB,
    given: str,
) -> None:
    reply = await fake_discord.slash(film_club.guild, film_club.member, "movie", movie_id=given)
    assert reply.embeds[0]["title"] == "Interstellar (2014)"
    find = [r for r in fake_tmdb.requests if r.path == "/find/tt0816692"]
    assert [r.query["external_source"] for r in find] == ["imdb_id"]


async def test_a_detail_view_is_one_tmdb_request_with_imdb_link_and_where_to_watch(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub, fake_tmdb: FakeTMDB
) -> None:
    fake_tmdb.reset()
    reply = await fake_discord.slash(
        film_club.guild, film_club.member, "movie", movie_id="movie:438631"
    )
    details = [r for r in fake_tmdb.requests if r.path.startswith("/movie/")]
    assert [r.path for r in details] == ["/movie/438631"]
    appended = details[0].query["append_to_response"].split(",")
    assert {"credits", "external_ids", "release_dates", "watch/providers"} <= set(appended)
    assert len(appended) <= 20
    assert "[IMDb](https://www.imdb.com/title/tt1160419/)" in field(reply, "Links")
    assert "[TMDB](https://www.themoviedb.org/movie/438631)" in field(reply, "Links")
    watch = field(reply, "Where to watch (US)")
    assert "Stream: Max" in watch and "Buy: Amazon Video" in watch
    assert "Streaming data provided by JustWatch" in watch
    assert_within_discord_limits(reply.message or {})


async def test_where_to_watch_follows_the_server_region_and_says_when_nothing(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    club = film_club.guild
    arrival = await fake_discord.slash(club, film_club.member, "movie", movie_id="movie:329865")
    assert field(arrival, "Where to watch (US)") == "Not available in US"
    await fake_discord.slash(club, film_club.manager, "config", setting="region", value="de")
    dune = await fake_discord.slash(club, film_club.member, "movie", movie_id="movie:438631")
    assert "Stream: Netflix" in field(dune, "Where to watch (DE)")
    assert "Rent: Apple TV" in field(dune, "Where to watch (DE)")


async def test_tv_accepts_an_imdb_id_and_links_to_imdb(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    reply = await fake_discord.slash(film_club.guild, film_club.member, "tv", tv_id="tt0903747")
    assert reply.embeds[0]["title"] == "Breaking Bad (2008)"
    assert "https://www.imdb.com/title/tt0903747/" in field(reply, "Links")
    assert field(reply, "Where to watch (US)").startswith("Stream:")


async def test_an_imdb_id_tmdb_does_not_know_gets_a_clear_error(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    for command, option in (("movie", "movie_id"), ("search", "query"), ("where", "query")):
        reply = await fake_discord.slash(
            film_club.guild, film_club.member, command, **{option: "tt9999999"}
        )
        assert reply.ephemeral, command
        assert "TMDB knows no film or show with the IMDb id tt9999999" in reply.content


async def test_a_show_s_imdb_id_given_to_movie_is_refused(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    reply = await fake_discord.slash(
        film_club.guild, film_club.member, "movie", movie_id="tt0903747"
    )
    assert reply.ephemeral
    assert "TV id, not a Movie id" in reply.content


async def test_search_similar_watchlist_and_subscribe_accept_imdb_ids(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    club, mo = film_club.guild, film_club.member
    shown = await fake_discord.slash(club, mo, "search", query="https://imdb.com/title/tt0133093")
    assert shown.embeds[0]["title"] == "The Matrix (1999)"
    similar = await fake_discord.slash(club, mo, "similar", query="tt0133093")
    assert similar.embeds and "The Matrix" in similar.embeds[0]["title"]
    added = await fake_discord.slash(club, mo, "watchlist-add", query="tt1375666")
    assert "Inception" in (added.content + str(added.embeds))
    rated = await fake_discord.slash(club, mo, "watchlist-rate", query="tt1375666", score=9)
    assert "Inception" in (rated.content + str(rated.embeds))
    followed = await fake_discord.slash(club, film_club.admin, "subscribe", query="tt0903747")
    assert "Breaking Bad" in (followed.content + str(followed.embeds))
    dropped = await fake_discord.slash(club, film_club.admin, "unsubscribe", query="tt0903747")
    assert "Unsubscribed from **Breaking Bad**" in dropped.content


async def test_autocomplete_labels_an_imdb_id_with_its_title(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    club, mo = film_club.guild, film_club.member
    typed = await fake_discord.autocomplete(club, mo, "movie", "movie_id", INTERSTELLAR_IMDB)
    assert typed == [{"name": "Interstellar (2014) · Movie", "value": "movie:157336"}]
    unknown = await fake_discord.autocomplete(club, mo, "movie", "movie_id", "tt9999999")
    assert unknown == []


async def test_where_lists_every_offer_with_the_watch_page_and_attribution(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    reply = await fake_discord.slash(film_club.guild, film_club.member, "where", query="tt1160419")
    embed = reply.embeds[0]
    assert embed["title"] == "Where to watch Dune (2021) in US"
    assert embed["url"] == "https://www.themoviedb.org/movie/438631-dune/watch?locale=US"
    assert fields_of(reply) == {
        "Stream": "Max",
        "Buy": "Amazon Video",
    }
    assert "Streaming data provided by JustWatch" in embed["footer"]["text"]
    assert embed["thumbnail"]["url"].endswith("/w92/fksCUZ9QDWZMUwL2LgMtLckROUN.jpg")
    assert not reply.ephemeral


async def test_where_takes_a_region_and_says_when_nothing_is_there(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    club, mo = film_club.guild, film_club.member
    germany = await fake_discord.slash(club, mo, "where", query="movie:438631", region="de")
    names = fields_of(germany)
    assert names == {"Stream": "Netflix", "Rent": "Apple TV"}
    italy = await fake_discord.slash(club, mo, "where", query="movie:438631", region="IT")
    assert italy.embeds[0]["description"] == "Not available in IT."
    assert not italy.embeds[0].get("fields")
    assert "Streaming data provided by JustWatch" in italy.embeds[0]["footer"]["text"]
    arrival = await fake_discord.slash(club, mo, "where", query="Arrival")
    assert arrival.embeds[0]["description"] == "Not available in US."


async def test_where_refuses_a_region_that_is_not_a_country_without_asking_tmdb(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub, fake_tmdb: FakeTMDB
) -> None:
    fake_tmdb.reset()
    reply = await fake_discord.slash(
        film_club.guild, film_club.member, "where", query="movie:438631", region="ZZ"
    )
    assert reply.ephemeral
    assert "two-letter ISO country code" in reply.content
    assert fake_tmdb.count() == 0


async def test_where_shows_free_and_ad_supported_offers(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub, fake_tmdb: FakeTMDB
) -> None:
    tubi = {
        "provider_id": 73,
        "provider_name": "Tubi TV",
        "logo_path": "/t.jpg",
        "display_priority": 3,
    }
    kanopy = {
        "provider_id": 191,
        "provider_name": "Kanopy",
        "logo_path": "/k.jpg",
        "display_priority": 9,
    }
    fake_tmdb.catalogue.set_movie(
        19,
        **{
            "watch/providers": {
                "results": {"US": {"link": "https://x/watch", "ads": [tubi], "free": [kanopy]}}
            }
        },
    )
    reply = await fake_discord.slash(film_club.guild, film_club.member, "where", query="movie:19")
    names = fields_of(reply)
    assert names == {"Free": "Kanopy", "Free with ads": "Tubi TV"}
