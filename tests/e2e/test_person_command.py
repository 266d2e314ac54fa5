"""/person through the real bot: biography, photo, credits newest first, upcoming, errors."""

from __future__ import annotations

import pytest

from filmbot.bot import FilmBot
from tests.e2e.conftest import assert_within_discord_limits, fields_of
from tests.fakes.discord_server import FakeDiscord
from tests.fakes.plugin_discord import FilmClub
from tests.fakes.tmdb_server import FakeTMDB


async def test_person_shows_biography_photo_and_directing_newest_first(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub, fake_tmdb: FakeTMDB
) -> None:
    fake_tmdb.reset()
    reply = await fake_discord.slash(
        film_club.guild, film_club.member, "person", query="person:137427"
    )
    embed = reply.embeds[0]
    assert embed["title"] == "Denis Villeneuve"
    assert embed["url"] == "https://www.themoviedb.org/person/137427"
    assert embed["description"].startswith("Denis Villeneuve is a French Canadian")
    assert embed["thumbnail"]["url"].endswith("/w185/zdDx9Xs93UIrJFWYApYR28J8M6b.jpg")
    found = fields_of(reply)
    directed = found["As director"].splitlines()
    assert [line.split(" · ")[0] for line in directed] == ["2024", "2021", "2017", "2016"]
    assert "[Dune: Part Two](https://www.themoviedb.org/movie/693134)" in directed[0]
    assert (
        "Dune: Part Three" in found["Upcoming"] and "Dune: Part Three" not in found["As director"]
    )
    assert found["Known for"] == "Arrival, Blade Runner 2049, Dune, Dune: Part Two"  # most voted
    assert "Born 1967-10-03" in found["Life"]
    assert fake_tmdb.count() == 1
    assert fake_tmdb.requests[0].query["append_to_response"] == "combined_credits"


@pytest.mark.parametrize(
    "given",
    [
        "person:505710",
        "https://www.themoviedb.org/person/505710-zendaya",
        "themoviedb.org/de/person/505710",
        "Zendaya",
    ],
)
async def test_person_accepts_an_id_a_link_or_a_name(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub, given: str
) -> None:
    reply = await fake_discord.slash(film_club.guild, film_club.member, "person", query=given)
    assert reply.embeds[0]["title"] == "Zendaya"
    acting = fields_of(reply)["As actor"].splitlines()
    assert acting[0].startswith("2024 · [Dune: Part Two]") and acting[0].endswith("as Chani")
    assert "As director" not in fields_of(reply)


async def test_a_person_with_hundreds_of_credits_fits_one_message(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub, fake_tmdb: FakeTMDB
) -> None:
    fake_tmdb.reset()
    reply = await fake_discord.slash(
        film_club.guild, film_club.member, "person", query="person:21315"
    )
    assert_within_discord_limits(reply.message or {})
    acting = fields_of(reply)["As actor"].splitlines()
    assert len(acting) == 9 and acting[-1] == "…and 322 more"
    assert acting[0].startswith("2014 · [Small Role 330]")
    assert reply.embeds[0]["footer"]["text"].startswith("330 credits")
    assert fake_tmdb.count() == 1


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("Nobody Atall", "TMDB knows nobody called “Nobody Atall”"),
        ("person:999999999", "TMDB has no person with id 999999999"),
        ("movie:603", "That is a film or show"),
    ],
)
async def test_person_errors_are_short_and_ephemeral(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub, given: str, message: str
) -> None:
    reply = await fake_discord.slash(film_club.guild, film_club.member, "person", query=given)
    assert reply.ephemeral
    assert message in reply.content


async def test_person_autocomplete_offers_person_ids(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    club, mo = film_club.guild, film_club.member
    names = await fake_discord.autocomplete(club, mo, "person", "query", "villen")
    assert names == [{"name": "Denis Villeneuve · Directing", "value": "person:137427"}]
    typed = await fake_discord.autocomplete(club, mo, "person", "query", "person:505710")
    assert typed == [{"name": "Zendaya · Acting", "value": "person:505710"}]
    assert await fake_discord.autocomplete(club, mo, "person", "query", "") == []
