"""/search, /movie, /tv, /trending and /similar through the real bot."""

from __future__ import annotations

import asyncio

import pytest

from filmbot.bot import FilmBot
from tests.e2e.conftest import (
    assert_pings_nobody,
    assert_within_discord_limits,
    embed_size,
    footer_of,
)
from tests.fakes.discord_records import INTERACTION_RESPONSE, Record
from tests.fakes.discord_replies import InteractionReply
from tests.fakes.discord_server import FakeDiscord
from tests.fakes.plugin_discord import FilmClub
from tests.fakes.tmdb_server import FakeTMDB

DUNE_TWO_URL = "https://www.themoviedb.org/movie/693134-dune-part-two"


def add_star_saga(fake_tmdb: FakeTMDB, count: int) -> None:
    """Put `count` "Star Saga" films into the fake catalogue (enough results to page)."""
    for n in range(1, count + 1):
        fake_tmdb.catalogue.set_movie(
            900_000 + n,
            title=f"Star Saga {n:02d}",
            original_title=f"Star Saga {n:02d}",
            release_date=f"{1980 + n}-05-01",
            popularity=float(1000 - n),
            overview=f"Chapter {n} of the saga.",
        )


def counter(reply: InteractionReply) -> str:
    return str(reply.component("page:counter")["label"])


def disabled(reply: InteractionReply, custom_id: str) -> bool:
    return bool(reply.component(custom_id).get("disabled"))


async def test_search_results_page_with_buttons_and_a_page_counter(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub, fake_tmdb: FakeTMDB
) -> None:
    add_star_saga(fake_tmdb, 25)
    club, mo = film_club.guild, film_club.member
    first = await fake_discord.slash(club, mo, "search", query="Star Saga")
    assert first.deferred
    assert counter(first) == "1/3"
    assert disabled(first, "page:first") and disabled(first, "page:previous")
    assert "Star Saga 01" in first.embeds[0]["description"]
    assert "25 results" in first.embeds[0]["title"]

    second = await fake_discord.click(club, mo, first, "page:next")
    assert counter(second) == "2/3"
    assert "**11. [Star Saga 11" in second.embeds[0]["description"]
    assert not disabled(second, "page:previous") and not disabled(second, "page:next")

    last = await fake_discord.click(club, mo, second, "page:last")
    assert counter(last) == "3/3"
    assert "Star Saga 25" in last.embeds[0]["description"]
    assert disabled(last, "page:next") and disabled(last, "page:last")

    back = await fake_discord.click(club, mo, last, "page:previous")
    assert counter(back) == "2/3"
    home = await fake_discord.click(club, mo, back, "page:first")
    assert counter(home) == "1/3"
    assert "Star Saga 01" in home.embeds[0]["description"]
    for reply in (first, second, last, back, home):
        assert_within_discord_limits(reply.message or {})
        assert "TMDB" in footer_of(reply)


async def test_only_the_member_who_searched_can_turn_the_pages(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub, fake_tmdb: FakeTMDB
) -> None:
    add_star_saga(fake_tmdb, 12)
    club = film_club.guild
    first = await fake_discord.slash(club, film_club.member, "search", query="Star Saga")
    refused = await fake_discord.click(club, film_club.admin, first, "page:next")
    assert refused.ephemeral
    assert "Only the person who ran the command" in refused.content
    page = await fake_discord.click(club, film_club.member, first, "page:next")
    assert counter(page) == "2/2"


async def test_search_filters_by_media_type(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    club, mo = film_club.guild, film_club.member
    shows = await fake_discord.slash(club, mo, "search", query="Better", media_type="tv")
    assert "Better Call Saul" in shows.embeds[0]["description"]
    films = await fake_discord.slash(club, mo, "search", query="Better", media_type="movie")
    assert films.content.startswith("Nothing found")


@pytest.mark.parametrize("given", ["movie:693134", DUNE_TWO_URL, "693134", "Dune: Part Two"])
async def test_movie_accepts_an_id_a_link_a_number_or_the_title(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub, given: str
) -> None:
    reply = await fake_discord.slash(film_club.guild, film_club.member, "movie", movie_id=given)
    if reply.components:  # free text matching several films: pick from the menu
        reply = await fake_discord.select(
            film_club.guild, film_club.member, reply, "title:pick", ["movie:693134"]
        )
    embed = reply.embeds[0]
    assert embed["title"] == "Dune: Part Two (2024)"
    assert embed["url"] == "https://www.themoviedb.org/movie/693134"
    names = [field["name"] for field in embed["fields"]]
    assert {"Genres", "Release date", "Runtime", "Rating", "Director", "Top cast"} <= set(names)
    assert "TMDB" in footer_of(reply)


async def test_search_with_an_id_or_link_shows_that_title(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    club, mo = film_club.guild, film_club.member
    by_url = await fake_discord.slash(club, mo, "search", query=DUNE_TWO_URL)
    assert by_url.embeds[0]["title"] == "Dune: Part Two (2024)"
    by_ref = await fake_discord.slash(club, mo, "search", query="tv:1396")
    assert by_ref.embeds[0]["title"] == "Breaking Bad (2008)"


async def test_tv_shows_status_seasons_and_episodes(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    reply = await fake_discord.slash(film_club.guild, film_club.member, "tv", tv_id="Breaking Bad")
    embed = reply.embeds[0]
    assert embed["title"] == "Breaking Bad (2008)"
    names = [field["name"] for field in embed["fields"]]
    assert {"Status", "Networks", "Seasons / episodes", "Created by"} <= set(names)


async def test_a_tv_id_given_to_movie_is_refused_clearly(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    reply = await fake_discord.slash(film_club.guild, film_club.member, "movie", movie_id="tv:1396")
    assert reply.ephemeral
    assert "TV id, not a Movie id" in reply.content


@pytest.mark.parametrize(("window", "label"), [("day", "today"), ("week", "this week")])
async def test_trending_lists_titles_of_the_day_or_week(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub, window: str, label: str
) -> None:
    club, mo = film_club.guild, film_club.member
    reply = await fake_discord.slash(club, mo, "trending", media_type="tv", time_window=window)
    assert reply.deferred
    assert reply.embeds[0]["title"].startswith(f"Trending {label}")
    text = reply.embeds[0]["description"]
    assert "Breaking Bad" in text and "· Movie" not in text


async def test_similar_lists_titles_like_the_one_given(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    reply = await fake_discord.slash(film_club.guild, film_club.member, "similar", query="Arrival")
    assert reply.embeds[0]["title"] == "Like Arrival (2016) · Movie"
    assert "Blade Runner 2049" in reply.embeds[0]["description"]


COMMANDS_THAT_CALL_TMDB = [
    ("search", {"query": "Dune"}),
    ("movie", {"movie_id": "movie:438631"}),
    ("tv", {"tv_id": "tv:95396"}),
    ("trending", {}),
    ("similar", {"query": "movie:603"}),
    ("subscribe", {"query": "movie:19"}),
    ("watchlist-add", {"query": "movie:329865"}),
    ("watchlist-mark-watched", {"query": "movie:27205"}),
    ("watchlist-rate", {"query": "movie:157336", "score": 7}),
]


async def test_every_command_that_calls_tmdb_defers_before_calling_it(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub, fake_tmdb: FakeTMDB
) -> None:
    for name, options in COMMANDS_THAT_CALL_TMDB:
        seen = len(fake_tmdb.requests)
        at_first_response: list[int] = []

        def first_response(record: Record) -> bool:
            if record.kind != INTERACTION_RESPONSE:
                return False
            at_first_response.append(len(fake_tmdb.requests) - seen)
            return True

        mark = fake_discord.recorder.mark()
        waiter = asyncio.create_task(fake_discord.wait_for(first_response, since=mark))
        await asyncio.sleep(0)
        reply = await fake_discord.slash(film_club.guild, film_club.member, name, **options)
        await waiter
        assert reply.deferred, name
        assert at_first_response == [0], f"/{name} asked TMDB before deferring"
        assert len(fake_tmdb.requests) > seen, f"/{name} never asked TMDB"


TITLE_OPTIONS = [
    ("search", "query"),
    ("movie", "movie_id"),
    ("similar", "query"),
    ("subscribe", "query"),
    ("watchlist-add", "query"),
    ("watchlist-mark-watched", "query"),
    ("watchlist-rate", "query"),
]


async def test_every_title_option_autocompletes_labelled_ids(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    for command, option in TITLE_OPTIONS:
        choices = await fake_discord.autocomplete(
            film_club.guild, film_club.member, command, option, "Dune"
        )
        assert {"name": "Dune: Part Two (2024) · Movie", "value": "movie:693134"} in choices
    shows = await fake_discord.autocomplete(film_club.guild, film_club.member, "tv", "tv_id", "Bad")
    assert shows == [{"name": "Breaking Bad (2008) · TV", "value": "tv:1396"}]


async def test_autocomplete_labels_a_typed_id_and_caps_choices_at_25(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub, fake_tmdb: FakeTMDB
) -> None:
    add_star_saga(fake_tmdb, 30)
    club, mo = film_club.guild, film_club.member
    many = await fake_discord.autocomplete(club, mo, "subscribe", "query", "Star Saga")
    assert 10 < len(many) <= 25
    assert all(c["value"].startswith("movie:9000") and len(c["name"]) <= 100 for c in many)
    typed = await fake_discord.autocomplete(club, mo, "movie", "movie_id", DUNE_TWO_URL)
    assert typed == [{"name": "Dune: Part Two (2024) · Movie", "value": "movie:693134"}]


async def test_details_of_an_enormous_title_stay_within_discord_limits(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub, fake_tmdb: FakeTMDB
) -> None:
    cast = [
        {"id": 5000 + i, "name": f"Actor {'N' * 60} {i}", "character": "C" * 80, "order": i}
        for i in range(40)
    ]
    fake_tmdb.catalogue.set_movie(
        777_001,
        title="Endless " * 60,
        tagline="Tag " * 200,
        overview="A very long story. " * 600,
        release_date="2020-01-01",
        genres=[{"id": 18, "name": "Drama " * 30}],
        credits={"cast": cast, "crew": []},
    )
    reply = await fake_discord.slash(
        film_club.guild, film_club.member, "movie", movie_id="movie:777001"
    )
    embed = reply.embeds[0]
    assert_within_discord_limits(reply.message or {})
    assert embed["title"].endswith("…") and embed["description"].endswith("…")
    assert embed_size(embed) > 4000, "the embed should still carry most of the text"
    assert "TMDB" in footer_of(reply)


async def test_tmdb_outage_gets_a_short_ephemeral_reply(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub, fake_tmdb: FakeTMDB
) -> None:
    fake_tmdb.faults.fail_next(50, status=503)
    reply = await fake_discord.slash(
        film_club.guild, film_club.member, "movie", movie_id="movie:19", timeout=30
    )
    assert reply.ephemeral
    assert reply.content.startswith("⚠️ TMDB is unavailable")
    assert_pings_nobody(reply.records)
