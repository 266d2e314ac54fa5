"""Parsing export files: every source, the limits, encodings and hostile input."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime

import pytest

from filmbot.domain.history import HistoryFileError, Source, merge_rows, parse_history
from filmbot.domain.history.export import csv_safe, unmatched_csv
from filmbot.domain.history.files import MAX_FILE_BYTES, MAX_ROWS
from filmbot.domain.history.rows import SkippedLine
from filmbot.domain.models import MediaType
from tests.history_files import imdb_ratings, letterboxd_zip, trakt_files, zipped


def test_letterboxd_zip_reads_the_five_files_and_ignores_lists_and_profile() -> None:
    parsed = parse_history(Source.LETTERBOXD, "export.zip", letterboxd_zip())
    titles = {row.title for row in parsed.rows}
    assert titles == {"Arrival", "Inception", "A Film Nobody Made", "Interstellar", "Dune"}
    arrival = [r for r in merge_rows(parsed.rows) if r.title == "Arrival"][0]
    assert (arrival.score, arrival.review, arrival.watched) == (9, "Language, time, grief.", True)
    assert arrival.watched_at == datetime(2023, 1, 4, tzinfo=UTC)
    assert [s.reason for s in parsed.skipped] == ["7 is not a rating from 0.5 to 5 in half stars"]


def test_half_a_star_is_one_and_five_stars_are_ten() -> None:
    data = b"Date,Name,Year,Letterboxd URI,Rating\n2023-01-01,A,2000,u,0.5\n2023-01-01,B,2001,u,5\n"
    parsed = parse_history(Source.LETTERBOXD, "ratings.csv", data)
    assert [row.score for row in parsed.rows] == [1, 10]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "latin-1"])
def test_imdb_csv_reads_in_every_encoding_exports_come_in(encoding: str) -> None:
    parsed = parse_history(Source.IMDB, "ratings.csv", imdb_ratings(encoding))
    assert [(r.imdb_id, r.score, r.media_type) for r in parsed.rows] == [
        ("tt0133093", 8, MediaType.MOVIE),
        ("tt0903747", 10, MediaType.TV),
        ("tt0000001", 7, MediaType.MOVIE),
    ]
    assert parsed.skipped[0].title == "Pokémon Snap"
    assert "not a film or TV show" in parsed.skipped[0].reason


def test_trakt_episodes_become_their_show_without_the_episode_rating() -> None:
    parsed = parse_history(Source.TRAKT, "trakt.zip", zipped(trakt_files()))
    by_title = {row.title: row for row in parsed.rows}
    saul = by_title["Better Call Saul"]
    assert (saul.media_type, saul.tmdb_id, saul.watched, saul.score) == (
        MediaType.TV,
        60059,
        True,
        None,
    )
    assert by_title["Severance"].score == 9
    assert by_title["Dune: Part Two"].on_watchlist and not by_title["Dune: Part Two"].watched


def test_a_newer_rating_wins_when_lines_about_one_title_are_merged() -> None:
    data = (
        b"Date,Name,Year,Letterboxd URI,Rating,Rewatch,Tags,Watched Date\n"
        b"2023-01-01,Heat,1995,u,3,,,2023-01-01\n"
        b"2024-01-01,Heat,1995,u,4.5,Yes,,2024-01-01\n"
    )
    merged = merge_rows(parse_history(Source.LETTERBOXD, "diary.csv", data).rows)
    assert [(r.score, r.watched_at) for r in merged] == [(9, datetime(2024, 1, 1, tzinfo=UTC))]


@pytest.mark.parametrize(
    ("source", "name", "data", "message"),
    [
        (Source.LETTERBOXD, "x.csv", b"", "empty"),
        (Source.LETTERBOXD, "x.csv", b"\x00\x01\x02binary", "binary data"),
        (Source.IMDB, "ratings.csv", b"Name,Year\nA,2000\n", "no Const"),
        (Source.TRAKT, "watched.json", b"{not json", "not a Trakt JSON export"),
        (Source.TRAKT, "watched.json", b'{"a": 1}', "expected a list"),
        (Source.LETTERBOXD, "x.zip", b"PK\x03\x04broken", "damaged"),
        (Source.LETTERBOXD, "x.csv", b"a" * (MAX_FILE_BYTES + 1), "8 MB"),
    ],
)
def test_unusable_files_are_refused_with_a_reason(
    source: Source, name: str, data: bytes, message: str
) -> None:
    with pytest.raises(HistoryFileError, match=message):
        parse_history(source, name, data)


def test_a_zip_bomb_is_refused_before_it_is_unpacked() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("ratings.csv", b"Name,Year\n" + b"A,2000\n" * 1_000_000)
    assert len(buffer.getvalue()) < MAX_FILE_BYTES
    with pytest.raises(HistoryFileError, match="unpacks"):
        parse_history(Source.LETTERBOXD, "bomb.zip", buffer.getvalue())


def test_more_rows_than_the_limit_are_refused() -> None:
    data = "Date,Name,Year,Letterboxd URI\n" + "2023-01-01,A,2000,u\n" * (MAX_ROWS + 1)
    with pytest.raises(HistoryFileError, match="20,000 rows"):
        parse_history(Source.LETTERBOXD, "watched.csv", data.encode())


def test_trakt_entries_that_are_not_titles_are_skipped_one_by_one() -> None:
    entries = [{"movie": {"title": "Heat", "year": 1995, "ids": {}}, "plays": 1}, {"movie": 3}]
    parsed = parse_history(Source.TRAKT, "watched-movies.json", json.dumps(entries).encode())
    assert [r.title for r in parsed.rows] == ["Heat"]
    assert [s.where for s in parsed.skipped] == ["watched-movies.json#2"]


def test_formula_looking_cells_are_neutralised_in_written_csv() -> None:
    assert csv_safe("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert csv_safe("Arrival") == "Arrival"
    data = unmatched_csv([SkippedLine("ratings.csv:2", "no title", "@SUM(A1)")]).decode()
    assert "'@SUM(A1)" in data
