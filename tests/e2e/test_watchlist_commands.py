"""The /watchlist commands, rating buttons and the review form through the real bot."""

from __future__ import annotations

from filmbot.bot import FilmBot
from tests.fakes.discord_server import FakeDiscord
from tests.fakes.plugin_discord import FilmClub
from tests.fakes.tmdb_server import FakeTMDB
from tests.genre_rows import catalogue_genres, recorded_genres


async def test_mark_watched_then_rate_with_a_button(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    club, mo = film_club.guild, film_club.member
    marked = await fake_discord.slash(club, mo, "watchlist-mark-watched", query="movie:603")
    assert marked.content == "Added and marked **The Matrix** as watched. How was it?"
    assert marked.ephemeral
    assert [f"rate:{n}" for n in range(1, 11)] + ["rate:review"] == marked.custom_ids

    rated = await fake_discord.click(club, mo, marked, "rate:9")
    assert rated.content.startswith("Rated **The Matrix** 9/10.")
    assert rated.components == []
    shown = await fake_discord.slash(club, mo, "watchlist", show_watched=True)
    assert "✅ watched · ★ 9/10" in shown.embeds[0]["description"]
    hidden = await fake_discord.slash(club, mo, "watchlist")
    assert hidden.content.startswith("Your watchlist is empty")


async def test_added_watched_and_rated_titles_keep_their_genres_for_the_dashboard(
    filmbot: FilmBot, fake_discord: FakeDiscord, fake_tmdb: FakeTMDB, film_club: FilmClub
) -> None:
    club, mo = film_club.guild, film_club.member
    await fake_discord.slash(club, mo, "watchlist-mark-watched", query="movie:603")
    await fake_discord.slash(club, film_club.admin, "watchlist-add", query="Arrival")
    recorded = await recorded_genres(filmbot.services.sessions)
    assert recorded == {
        ("movie", 603): catalogue_genres(fake_tmdb.catalogue, "movie", 603),
        ("movie", 329865): catalogue_genres(fake_tmdb.catalogue, "movie", 329865),
    }
    assert all(recorded.values())


async def test_write_a_review_in_the_form(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    club, mo = film_club.guild, film_club.member
    marked = await fake_discord.slash(club, mo, "watchlist-mark-watched", query="Arrival")
    form = await fake_discord.click(club, mo, marked, "rate:review")
    assert form.modal is not None
    bad = await fake_discord.submit_modal(
        club, mo, form, {"review:score": "11"}, message=marked.message
    )
    assert bad.content == "⚠️ A rating must be a whole number from 1 to 10."
    form = await fake_discord.click(club, mo, marked, "rate:review")
    done = await fake_discord.submit_modal(
        club, mo, form, {"review:score": "10", "review:text": "Heptapods!"}, message=marked.message
    )
    assert done.content == "Rated **Arrival** 10/10 with your review."
    assert done.components == []
    shown = await fake_discord.slash(club, mo, "watchlist", show_watched=True)
    assert "> Heptapods!" in shown.embeds[0]["description"]


async def test_someone_elses_rating_prompt_refuses_the_click(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    club = film_club.guild
    marked = await fake_discord.slash(
        club, film_club.member, "watchlist-mark-watched", query="movie:603"
    )
    refused = await fake_discord.click(club, film_club.admin, marked, "rate:1")
    assert refused.ephemeral
    assert refused.content == "This rating prompt is someone else's."
    theirs = await fake_discord.slash(club, film_club.admin, "watchlist", show_watched=True)
    assert theirs.content.startswith("Your watchlist is empty")


async def test_rate_priority_and_remove_a_title(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    club, mo = film_club.guild, film_club.member
    await fake_discord.slash(club, mo, "watchlist-add", query="Interstellar")
    await fake_discord.slash(club, mo, "watchlist-add", query="movie:27205")
    rated = await fake_discord.slash(
        club, mo, "watchlist-rate", query="Interstellar", score=8, review="Tears."
    )
    assert rated.content == "Rated **Interstellar** 8/10 with your review."
    offered = await fake_discord.autocomplete(club, mo, "watchlist-priority", "query", "incep")
    assert offered == [{"name": "Inception · Movie", "value": "movie:27205"}]

    raised = await fake_discord.slash(
        club, mo, "watchlist-priority", query="movie:27205", priority="high"
    )
    assert raised.content == "**Inception** now has 🔴 high priority."
    shown = await fake_discord.slash(club, mo, "watchlist")
    lines = shown.embeds[0]["description"].split("\n")
    assert "Inception" in lines[0] and "🔴 high" in lines[0]

    removed = await fake_discord.slash(club, mo, "watchlist-remove", query="Inception")
    assert removed.content == "Removed **Inception** from your watchlist."
    assert removed.ephemeral
    gone = await fake_discord.slash(club, mo, "watchlist-remove", query="movie:27205")
    assert gone.content == "⚠️ That title is not on your watchlist."


async def test_adding_a_title_twice_is_refused(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    club, mo = film_club.guild, film_club.member
    await fake_discord.slash(club, mo, "watchlist-add", query="movie:603")
    again = await fake_discord.slash(club, mo, "watchlist-add", query="movie:603")
    assert again.ephemeral
    assert again.content.startswith("⚠️ ")
    assert "The Matrix" in again.content or "already" in again.content


async def test_a_full_watchlist_refuses_one_more(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    filmbot.services.watchlist.limit = 2
    club, mo = film_club.guild, film_club.member
    await fake_discord.slash(club, mo, "watchlist-add", query="movie:603")
    await fake_discord.slash(club, mo, "watchlist-add", query="movie:27205")
    refused = await fake_discord.slash(club, mo, "watchlist-add", query="movie:19")
    assert refused.ephemeral
    assert refused.content.startswith("⚠️ ")
    assert "2" in refused.content
