"""Parsing what members type into a title option."""

from __future__ import annotations

import pytest

from filmbot.domain.errors import InvalidInputError
from filmbot.domain.models import MediaType, TitleRef
from filmbot.domain.people import parse_person_query
from filmbot.domain.titles import (
    MAX_QUERY_LENGTH,
    imdb_id_of,
    parse_ref,
    parse_title_query,
    tmdb_url,
)

DUNE_TWO = TitleRef(MediaType.MOVIE, 693134)
BREAKING_BAD = TitleRef(MediaType.TV, 1396)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("movie:693134", DUNE_TWO),
        ("MOVIE : 693134", DUNE_TWO),
        ("movie/693134", DUNE_TWO),
        ("tv:1396", BREAKING_BAD),
        ("  tv#1396  ", BREAKING_BAD),
        ("https://www.themoviedb.org/movie/693134-dune-part-two", DUNE_TWO),
        ("https://www.themoviedb.org/movie/693134", DUNE_TWO),
        ("http://themoviedb.org/tv/1396-breaking-bad/season/1", BREAKING_BAD),
        ("www.themoviedb.org/movie/693134?language=de-DE", DUNE_TWO),
        ("https://www.themoviedb.org/de-DE/movie/693134", DUNE_TWO),
    ],
)
def test_ids_and_tmdb_links_parse_to_a_title_ref(text: str, expected: TitleRef) -> None:
    assert parse_title_query(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Dune", "Dune"),
        ("  Dune   Part\tTwo ", "Dune Part Two"),
        ("Dune: Part Two", "Dune: Part Two"),
        ("Am\u0065\u0301lie", "Amélie"),
        ("Dune\x00\x07Part", "Dune Part"),
        ("'; DROP TABLE guilds;--", "'; DROP TABLE guilds;--"),
        ("movie:", "movie:"),
        ("movie:12345678901", "movie:12345678901"),
        ("https://example.com/movie/693134", "https://example.com/movie/693134"),
    ],
)
def test_free_text_comes_back_cleaned(text: str, expected: str) -> None:
    assert parse_title_query(text) == expected


@pytest.mark.parametrize("text", ["", "   ", "\x00\x01", "x" * (MAX_QUERY_LENGTH + 1), "y" * 1000])
def test_empty_or_overlong_text_is_refused(text: str) -> None:
    with pytest.raises(InvalidInputError):
        parse_title_query(text)


def test_text_of_exactly_the_limit_is_accepted() -> None:
    assert parse_title_query("z" * MAX_QUERY_LENGTH) == "z" * MAX_QUERY_LENGTH


def test_a_bare_number_is_an_id_of_the_expected_kind() -> None:
    assert parse_ref("693134", MediaType.MOVIE) == DUNE_TWO
    assert parse_ref(" 1396 ", MediaType.TV) == BREAKING_BAD


def test_parse_ref_accepts_refs_and_links() -> None:
    assert parse_ref("movie:693134") == DUNE_TWO
    assert parse_ref("https://www.themoviedb.org/tv/1396", MediaType.TV) == BREAKING_BAD


def test_parse_ref_refuses_the_other_media_type() -> None:
    with pytest.raises(InvalidInputError, match="TV id, not a Movie id"):
        parse_ref("tv:1396", MediaType.MOVIE)


@pytest.mark.parametrize("text", ["Dune", "12345678901", "", "movie:abc"])
def test_parse_ref_refuses_what_is_not_an_id(text: str) -> None:
    with pytest.raises(InvalidInputError):
        parse_ref(text, MediaType.MOVIE)


def test_tmdb_url_points_at_the_title_page() -> None:
    assert tmdb_url(DUNE_TWO) == "https://www.themoviedb.org/movie/693134"
    assert tmdb_url(BREAKING_BAD) == "https://www.themoviedb.org/tv/1396"


@pytest.mark.parametrize(
    "text",
    [
        "tt0816692",
        " TT0816692 ",
        "https://www.imdb.com/title/tt0816692/",
        "http://imdb.com/title/tt0816692",
        "https://m.imdb.com/title/tt0816692/?ref_=nv_sr_1",
        "www.imdb.com/de/title/tt0816692/reviews",
    ],
)
def test_imdb_ids_and_links_come_back_as_the_bare_id(text: str) -> None:
    assert parse_title_query(text) == "tt0816692"
    assert imdb_id_of(parse_title_query(text)) == "tt0816692"  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text", ["tt123", "tt0816692x", "Dune tt0816692", "https://www.imdb.com/name/nm0000158/"]
)
def test_text_that_only_resembles_an_imdb_id_stays_search_text(text: str) -> None:
    parsed = parse_title_query(text)
    assert isinstance(parsed, str) and imdb_id_of(parsed) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("person:31", 31),
        ("Person / 31", 31),
        ("https://www.themoviedb.org/person/31-tom-hanks", 31),
        ("themoviedb.org/de-DE/person/31", 31),
        ("  Tom   Hanks ", "Tom Hanks"),
    ],
)
def test_person_options_name_an_id_or_a_name(text: str, expected: int | str) -> None:
    assert parse_person_query(text) == expected


def test_a_title_is_not_a_person() -> None:
    with pytest.raises(InvalidInputError, match="film or show"):
        parse_person_query("movie:603")
