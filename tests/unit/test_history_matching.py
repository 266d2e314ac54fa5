"""The matcher's choice: normalised titles, years within one, and no guess when tied."""

from __future__ import annotations

import pytest

from filmbot.domain.history import Candidate, choose, normalise_title
from filmbot.domain.models import MediaType, TitleRef


def movie(tmdb_id: int, title: str, year: int | None, original: str = "") -> Candidate:
    return Candidate(TitleRef(MediaType.MOVIE, tmdb_id), title, original, year)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("The Matrix", "Matrix, The"),
        ("Amélie", "Amelie"),
        ("Crouching Tiger, Hidden Dragon", "Crouching Tiger Hidden Dragon"),
        ("Fast & Furious", "Fast and Furious"),
        ("Léon: The Professional", "Leon - The Professional"),
    ],
)
def test_normalised_titles_ignore_articles_accents_and_punctuation(a: str, b: str) -> None:
    assert normalise_title(a) == normalise_title(b)


def test_the_exact_year_beats_a_remake_and_a_neighbouring_year() -> None:
    candidates = [movie(1, "Dune", 1984), movie(2, "Dune", 2021), movie(3, "Dune", 2020)]
    assert choose("Dune", 2021, candidates).ref == TitleRef(MediaType.MOVIE, 2)


def test_one_year_apart_matches_when_nothing_fits_better() -> None:
    assert choose("Arrival", 2017, [movie(7, "Arrival", 2016)]).ref == TitleRef(MediaType.MOVIE, 7)


def test_two_years_apart_is_no_match() -> None:
    choice = choose("Arrival", 2018, [movie(7, "Arrival", 2016)])
    assert choice.ref is None and "no TMDB title" in choice.reason


def test_the_original_title_matches_a_foreign_film() -> None:
    found = choose(
        "Le fabuleux destin d'Amélie Poulain",
        2001,
        [movie(194, "Amélie", 2001, "Le Fabuleux Destin d'Amélie Poulain")],
    )
    assert found.ref == TitleRef(MediaType.MOVIE, 194)


def test_an_alternative_title_matches() -> None:
    candidate = Candidate(TitleRef(MediaType.MOVIE, 5), "Seven", "Se7en", 1995, ("Sieben",))
    assert choose("Sieben", 1995, [candidate]).matched


def test_two_titles_tied_at_the_top_are_ambiguous_not_guessed() -> None:
    choice = choose("Crash", None, [movie(1, "Crash", 1996), movie(2, "Crash", 2004)])
    assert choice.ref is None and "ambiguous" in choice.reason and len(choice.tied) == 2


def test_same_name_in_the_years_either_side_is_ambiguous() -> None:
    choice = choose("Twins", 2000, [movie(1, "Twins", 1999), movie(2, "Twins", 2001)])
    assert choice.ref is None and len(choice.tied) == 2


def test_a_near_spelling_matches_only_in_the_same_year() -> None:
    assert choose("Shawshank Redemtion", 1994, [movie(9, "The Shawshank Redemption", 1994)]).matched
    assert not choose("Shawshank Redemtion", 1995, [movie(9, "Shawshank Redemption", 1994)]).matched


def test_a_different_title_never_matches() -> None:
    assert not choose("Heat", 1995, [movie(1, "Heathers", 1995)]).matched
