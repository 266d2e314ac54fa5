"""/recommend through the real client: the design's workflow, based_on a title, cold start."""

from __future__ import annotations

from filmbot.bot import FilmBot
from tests.fakes.discord_server import FakeDiscord
from tests.fakes.plugin_discord import FilmClub

MOVIES = {
    "Inception": 27205,
    "The Matrix": 603,
    "Blade Runner 2049": 335984,
    "Interstellar": 157336,
    "Arrival": 329865,
}


async def test_watchlist_workflow_then_recommend_movies(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    guild, member = film_club.guild, film_club.member
    for title, tmdb_id in MOVIES.items():
        added = await fake_discord.slash(guild, member, "watchlist-add", query=f"movie:{tmdb_id}")
        assert title in added.content
    await fake_discord.slash(guild, member, "watchlist-rate", query="movie:329865", score=9)
    await fake_discord.slash(guild, member, "watchlist-rate", query="movie:27205", score=8)
    reply = await fake_discord.slash(
        guild, member, "recommend", based_on="watchlist", media_type="movie"
    )
    text = reply.embeds[0]["description"]
    assert "Movie" in text and "· TV" not in text
    for title in MOVIES:
        assert f"[{title}]" not in text, f"{title} is on the watchlist and must not be recommended"
    assert "because you rated" in text.lower() or "similar to" in text.lower()


async def test_recommend_more_like_one_title(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    reply = await fake_discord.slash(
        film_club.guild, film_club.member, "recommend", based_on="movie:27205"
    )
    text = reply.embeds[0]["description"]
    assert "more like it" in reply.embeds[0]["title"]
    assert "[Inception]" not in text
    assert "Similar to Inception" in text


async def test_recommend_without_ratings_says_it_is_a_cold_start(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    reply = await fake_discord.slash(film_club.guild, film_club.admin, "recommend")
    text = reply.embeds[0]["description"]
    assert "haven't rated anything yet" in text
    assert "trending now" in text.lower()


async def test_recommend_based_on_offers_watchlist_first(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    choices = await fake_discord.autocomplete(
        film_club.guild, film_club.member, "recommend", "based_on", "Dun"
    )
    assert choices[0]["value"] == "watchlist"
    assert any(c["value"].startswith("movie:") for c in choices[1:])
