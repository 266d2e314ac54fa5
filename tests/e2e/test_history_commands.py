"""/import from Letterboxd, IMDb and Trakt, and /export, against the fake Discord and TMDB."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from typing import Any

import aiohttp
from sqlalchemy import select

from filmbot.bot import FilmBot
from filmbot.db.models import RatingRow, WatchlistRow
from tests.fakes.discord_records import (
    CHANNEL_MESSAGE,
    INTERACTION_RESPONSE,
    ORIGINAL_EDIT,
    Record,
    RequestLogEntry,
)
from tests.fakes.discord_replies import InteractionReply
from tests.fakes.discord_server import FakeDiscord
from tests.fakes.discord_state import FakeUser
from tests.fakes.plugin_discord import FilmClub
from tests.fakes.tmdb_server import FakeTMDB
from tests.genre_rows import catalogue_genres, recorded_genres
from tests.history_files import imdb_ratings, letterboxd_zip, trakt_files, zipped


def _is_summary(record: Record) -> bool:
    return "**Import from" in str(record.body.get("content") or "")


async def run_import(
    fake: FakeDiscord, club: FilmClub, user: FakeUser, source: str, name: str, data: bytes
) -> tuple[InteractionReply, Record]:
    """Invoke /import with the file attached; return the reply and its summary record."""
    since = fake.recorder.mark()
    reply = await fake.slash(
        club.guild, user, "import", source=source, file=(name, data), follow_deferred=False
    )
    summary = await fake.wait_for(_is_summary, since=since, timeout=20)
    return reply, summary


async def library(bot: FilmBot, user_id: int) -> dict[tuple[str, int], tuple[bool, Any, Any]]:
    """(media, id) -> (watched, score, review) of the member's items."""
    async with bot.services.sessions() as session:
        rows = await session.execute(
            select(WatchlistRow, RatingRow)
            .outerjoin(RatingRow, RatingRow.watchlist_id == WatchlistRow.id)
            .where(WatchlistRow.user_id == user_id)
        )
        return {
            (item.media_type.value, item.tmdb_id): (
                item.watched,
                rating.score if rating else None,
                rating.review if rating else None,
            )
            for item, rating in rows
        }


def attachment_rows(fake: FakeDiscord, message: dict[str, Any]) -> list[dict[str, str]]:
    """The CSV rows of the message's first attachment."""
    data = fake.messages.attachment_bytes(message["attachments"][0])
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


async def test_letterboxd_zip_imports_ratings_watched_watchlist_and_reviews_once(
    filmbot: FilmBot, fake_discord: FakeDiscord, fake_tmdb: FakeTMDB, film_club: FilmClub
) -> None:
    reply, summary = await run_import(
        fake_discord, film_club, film_club.member, "letterboxd", "letterboxd.zip", letterboxd_zip()
    )
    assert reply.deferred and reply.ephemeral
    text = str(summary.body["content"])
    assert "4 added, 0 updated, 0 unchanged, 2 unmatched" in text
    unmatched = attachment_rows(fake_discord, summary.message or {})
    assert {row["title"] for row in unmatched} == {"A Film Nobody Made (1999)", "Interstellar"}
    assert any("0.5 to 5" in row["reason"] for row in unmatched)
    assert await library(filmbot, film_club.member.id) == {
        ("movie", 329865): (True, 9, "Language, time, grief."),
        ("movie", 27205): (True, 10, None),
        ("movie", 157336): (True, None, None),
        ("movie", 438631): (False, None, None),
    }
    imported = [329865, 27205, 157336, 438631]  # matched by title search
    expected = {("movie", i): catalogue_genres(fake_tmdb.catalogue, "movie", i) for i in imported}
    assert await recorded_genres(filmbot.services.sessions) == {
        key: genres for key, genres in expected.items() if genres
    }
    assert any(expected.values())
    _, again = await run_import(
        fake_discord, film_club, film_club.member, "letterboxd", "letterboxd.zip", letterboxd_zip()
    )
    assert "0 added, 0 updated, 4 unchanged, 2 unmatched" in str(again.body["content"])


async def test_imdb_ratings_match_by_imdb_id_through_find(
    filmbot: FilmBot, fake_discord: FakeDiscord, fake_tmdb: FakeTMDB, film_club: FilmClub
) -> None:
    _, summary = await run_import(
        fake_discord, film_club, film_club.member, "imdb", "ratings.csv", imdb_ratings("latin-1")
    )
    assert "2 added, 0 updated, 0 unchanged, 2 unmatched" in str(summary.body["content"])
    assert await library(filmbot, film_club.member.id) == {
        ("movie", 603): (True, 8, None),
        ("tv", 1396): (True, 10, None),
    }
    finds = [r for r in fake_tmdb.requests if r.path.startswith("/find/")]
    assert {r.path for r in finds} >= {"/find/tt0133093", "/find/tt0903747"}
    assert await recorded_genres(filmbot.services.sessions) == {
        ("movie", 603): catalogue_genres(fake_tmdb.catalogue, "movie", 603),
        ("tv", 1396): catalogue_genres(fake_tmdb.catalogue, "tv", 1396),
    }
    assert all(r.query["external_source"] == "imdb_id" for r in finds)


async def test_trakt_json_uses_tmdb_ids_and_maps_episodes_to_their_show(
    filmbot: FilmBot, fake_discord: FakeDiscord, fake_tmdb: FakeTMDB, film_club: FilmClub
) -> None:
    _, summary = await run_import(
        fake_discord, film_club, film_club.member, "trakt", "trakt.zip", zipped(trakt_files())
    )
    assert "4 added, 0 updated, 0 unchanged, 0 unmatched" in str(summary.body["content"])
    assert await library(filmbot, film_club.member.id) == {
        ("movie", 335984): (True, None, None),
        ("tv", 95396): (True, 9, None),
        ("tv", 60059): (True, None, None),
        ("movie", 693134): (False, None, None),
    }
    assert not [r for r in fake_tmdb.requests if r.path.startswith("/search/")]


async def test_letterboxd_export_imported_elsewhere_reproduces_watchlist_and_ratings(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    await run_import(
        fake_discord, film_club, film_club.member, "letterboxd", "letterboxd.zip", letterboxd_zip()
    )
    exported = await fake_discord.slash(
        film_club.guild, film_club.member, "export", options={"format": "letterboxd"}
    )
    watched, watchlist = (exported.message or {})["attachments"]
    assert watched["filename"] == "filmbot-letterboxd.csv"
    assert watchlist["filename"] == "filmbot-letterboxd-watchlist.csv"
    assert "filmbot-letterboxd-watchlist.csv" in exported.content
    watched_rows = attachment_rows(fake_discord, {"attachments": [watched]})
    assert list(watched_rows[0]) == ["tmdbID", "Title", "Year", "Rating10", "WatchedDate", "Review"]
    assert {r["tmdbID"] for r in watched_rows} == {"329865", "27205", "157336"}
    assert all(r["WatchedDate"] for r in watched_rows)  # Letterboxd logs each row as watched
    listed = attachment_rows(fake_discord, {"attachments": [watchlist]})
    assert [(r["tmdbID"], r["WatchedDate"], r["Rating10"]) for r in listed] == [("438631", "", "")]
    for attachment in (watched, watchlist):
        data = fake_discord.messages.attachment_bytes(attachment)
        name = attachment["filename"]
        await run_import(fake_discord, film_club, film_club.admin, "letterboxd", name, data)
    assert await library(filmbot, film_club.admin.id) == await library(filmbot, film_club.member.id)


async def test_csv_and_json_exports_hold_tv_shows_too(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    await run_import(
        fake_discord, film_club, film_club.member, "trakt", "trakt.zip", zipped(trakt_files())
    )
    letterboxd = await fake_discord.slash(
        film_club.guild, film_club.member, "export", options={"format": "letterboxd"}
    )
    assert "2 TV shows are not in it" in letterboxd.content
    full = await fake_discord.slash(
        film_club.guild, film_club.member, "export", options={"format": "csv"}
    )
    rows = attachment_rows(fake_discord, full.message or {})
    assert {(r["media_type"], r["rating"]) for r in rows} >= {("tv", "9")}
    assert len(rows) == 4
    exported = await fake_discord.slash(
        film_club.guild, film_club.member, "export", options={"format": "json"}
    )
    attachment = (exported.message or {})["attachments"][0]
    assert attachment["filename"] == "filmbot-json.json"
    records = json.loads(fake_discord.messages.attachment_bytes(attachment))["watchlist"]
    assert {(r["media_type"], r["tmdb_id"], r["watched"], r["rating"]) for r in records} == {
        ("movie", 335984, True, None),
        ("tv", 95396, True, 9),
        ("tv", 60059, True, None),
        ("movie", 693134, False, None),
    }
    assert {r["server_id"] for r in records} == {str(film_club.guild.id)}
    assert all(set(r) == set(rows[0]) for r in records)  # the same fields as the CSV


async def test_wrong_or_hostile_files_get_a_clear_refusal_and_write_nothing(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    cases = [
        ("letterboxd", "photo.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00", "binary data"),
        ("imdb", "watched.csv", b"Date,Name,Year\n2023-01-01,Arrival,2016\n", "IMDb export"),
        ("trakt", "ratings.csv", b"Const,Title\ntt1,A\n", "Trakt JSON export"),
        ("letterboxd", "bomb.zip", zipped({"ratings.csv": b"0" * 5_000_000}), "unpacks"),
    ]
    for source, name, data, expected in cases:
        reply = await fake_discord.slash(
            film_club.guild, film_club.member, "import", source=source, file=(name, data)
        )
        assert expected in reply.content, reply.content
    assert await library(filmbot, film_club.member.id) == {}


async def test_watchlist_limit_is_respected_and_reported(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    filmbot.services.imports.limit = 2
    _, summary = await run_import(
        fake_discord, film_club, film_club.member, "letterboxd", "letterboxd.zip", letterboxd_zip()
    )
    text = str(summary.body["content"])
    assert "2 added" in text and "2 titles were left out: your watchlist here is full" in text
    assert len(await library(filmbot, film_club.member.id)) == 2


async def test_progress_is_shown_and_a_second_import_is_refused_while_one_runs(
    filmbot: FilmBot, fake_discord: FakeDiscord, fake_tmdb: FakeTMDB, film_club: FilmClub
) -> None:
    fake_tmdb.faults.slow(0.6)
    since = fake_discord.recorder.mark()
    first = asyncio.create_task(
        run_import(fake_discord, film_club, film_club.member, "imdb", "r.csv", imdb_ratings())
    )
    await fake_discord.wait_for(
        lambda r: r.kind == ORIGINAL_EDIT and " of 3 · " in str(r.body.get("content")),
        since=since,
        timeout=10,
    )
    refused = await fake_discord.slash(
        film_club.guild, film_club.member, "import", source="imdb", file=("r.csv", imdb_ratings())
    )
    assert "still running" in refused.content
    _, summary = await first
    assert "2 added" in str(summary.body["content"])


async def import_outliving_its_token(
    fake: FakeDiscord, fake_tmdb: FakeTMDB, club: FilmClub, user: FakeUser, **where: Any
) -> int:
    """Start an IMDb import and age its interaction token past Discord's 15 minutes."""
    fake_tmdb.faults.slow(0.3)
    since = fake.recorder.mark()
    await fake.slash(
        club.guild,
        user,
        "import",
        source="imdb",
        file=("r.csv", imdb_ratings()),
        follow_deferred=False,
        **where,
    )
    deferred = await fake.wait_for(lambda r: r.kind == INTERACTION_RESPONSE, since=since)
    assert deferred.interaction_id is not None
    fake.interactions.age_token(deferred.interaction_id)
    return since


def refused_as_expired(fake: FakeDiscord) -> list[RequestLogEntry]:
    """The bot's webhook calls the fake refused with 401 Invalid Webhook Token."""
    return [
        r for r in fake.recorder.requests if r.status == 401 and r.path.startswith("/webhooks/")
    ]


async def test_summary_goes_by_dm_after_the_token_expired_or_to_the_channel_if_dms_are_closed(
    filmbot: FilmBot, fake_discord: FakeDiscord, fake_tmdb: FakeTMDB, film_club: FilmClub
) -> None:
    since = await import_outliving_its_token(fake_discord, fake_tmdb, film_club, film_club.member)
    dm = await fake_discord.wait_for(
        lambda r: r.kind == CHANNEL_MESSAGE and _is_summary(r), since=since, timeout=20
    )
    assert dm.channel_id in fake_discord.dm_channels
    assert dm.message and dm.message["attachments"][0]["filename"] == "unmatched-imdb.csv"
    assert any(r.path.endswith("/messages/@original") for r in refused_as_expired(fake_discord))
    assert not fake_discord.recorder.find(lambda r: _is_summary(r) and r.kind == ORIGINAL_EDIT)
    fake_discord.close_dms(film_club.admin)
    since = await import_outliving_its_token(
        fake_discord, fake_tmdb, film_club, film_club.admin, in_channel=film_club.announcements
    )
    posted = await fake_discord.wait_for(
        lambda r: r.kind == CHANNEL_MESSAGE and _is_summary(r), since=since, timeout=20
    )
    assert posted.channel_id == film_club.announcements.id
    assert str(film_club.admin.id) in str(posted.body["content"])


async def test_the_fake_refuses_webhook_calls_once_the_token_is_15_minutes_old(
    fake_discord: FakeDiscord, filmbot: FilmBot, film_club: FilmClub
) -> None:
    reply = await fake_discord.slash(
        film_club.guild, film_club.member, "export", options={"format": "json"}
    )
    it = reply.interaction
    url = f"{fake_discord.api_base_url}/webhooks/{fake_discord.application_id}/{it.token}"
    async with aiohttp.ClientSession() as http:
        fake_discord.interactions.age_token(it.id, 14 * 60 + 50)
        async with http.patch(f"{url}/messages/@original", json={"content": "x"}) as alive:
            assert alive.status == 200
        fake_discord.interactions.age_token(it.id, 10)
        for method, path in (("PATCH", "/messages/@original"), ("POST", "")):
            async with http.request(method, url + path, json={"content": "y"}) as expired:
                assert expired.status == 401
                assert await expired.json() == {"message": "Invalid Webhook Token", "code": 50027}


async def test_a_title_known_abroad_matches_by_tmdbs_alternative_titles(
    filmbot: FilmBot, fake_discord: FakeDiscord, fake_tmdb: FakeTMDB, film_club: FilmClub
) -> None:
    fake_tmdb.catalogue.movies[329865]["_alternative_titles"] = [
        {"iso_3166_1": "FR", "title": "Premier Contact", "type": ""},
        {"iso_3166_1": "ES", "title": "La llegada", "type": ""},
    ]
    ratings = "Date,Name,Year,Letterboxd URI,Rating\n2023-01-05,Premier Contact,2016,x,4\n"
    _, summary = await run_import(
        fake_discord, film_club, film_club.member, "letterboxd", "ratings.csv", ratings.encode()
    )
    assert "1 added, 0 updated, 0 unchanged, 0 unmatched" in str(summary.body["content"])
    assert await library(filmbot, film_club.member.id) == {("movie", 329865): (True, 8, None)}
    asked = [r.path for r in fake_tmdb.requests if r.path.endswith("/alternative_titles")]
    assert asked == ["/movie/329865/alternative_titles"]
