"""Pure movie-night rules: candidate order, tie-break, answer shortening, the start time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from filmbot.domain.errors import InvalidInputError
from filmbot.domain.models import MediaType, TitleRef
from filmbot.domain.movienight import (
    ANSWER_TEXT_LIMIT,
    Candidate,
    announcement,
    answer_text,
    check_hours,
    event_end,
    parse_starts_at,
    split_candidates,
    tally,
)
from filmbot.domain.server_watchlist import ServerWatchlistEntry, candidate_order, list_order

T0 = datetime(2026, 1, 1, tzinfo=UTC)
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _entry(
    n: int, rating: float | None = None, picked_days: int | None = None
) -> ServerWatchlistEntry:
    picked = T0 + timedelta(days=picked_days) if picked_days is not None else None
    return ServerWatchlistEntry(
        id=n,
        guild_id=1,
        ref=TitleRef(MediaType.MOVIE, n),
        title=f"Film {n}",
        poster_path=None,
        note=None,
        added_by=7,
        added_at=T0 + timedelta(hours=n),
        picked_at=picked,
        average_rating=rating,
    )


def test_list_order_is_first_added_first() -> None:
    entries = [_entry(3), _entry(1), _entry(2)]
    assert [e.id for e in list_order(entries)] == [1, 2, 3]


def test_candidates_put_never_picked_first_then_best_rated_then_list_order() -> None:
    entries = [
        _entry(1),
        _entry(2, rating=6.0),
        _entry(3, rating=9.0),
        _entry(4, rating=10.0, picked_days=30),
        _entry(5, rating=5.0, picked_days=10),
        _entry(6),
    ]
    assert [e.id for e in candidate_order(entries)] == [3, 2, 1, 6, 5, 4]


def _candidates() -> list[Candidate]:
    return [
        Candidate(1, "movie", 10, "Later on the list", rank=2),
        Candidate(2, "movie", 11, "Earliest on the list", rank=0),
        Candidate(3, "movie", 12, "Middle", rank=1),
    ]


def test_most_votes_win() -> None:
    outcome = tally(_candidates(), {1: 3, 2: 1})
    assert (outcome.winner.answer_id, outcome.votes, outcome.tied_with) == (1, 3, ())
    assert outcome.total_votes == 4
    assert announcement(outcome) == (
        "🍿 The votes are in: **Later on the list** wins with 3 votes of 4!"
    )


def test_a_tie_goes_to_the_earliest_on_the_watchlist_and_says_so() -> None:
    outcome = tally(_candidates(), {1: 2, 2: 2, 3: 1})
    assert outcome.winner.answer_id == 2
    assert [c.answer_id for c in outcome.tied_with] == [1]
    assert "It's a tie between **Earliest on the list** and **Later on the list**" in (
        announcement(outcome)
    )
    assert "earliest of them on the server watchlist" in announcement(outcome)


def test_no_votes_at_all_is_a_tie_of_everything() -> None:
    outcome = tally(_candidates(), {})
    assert outcome.winner.answer_id == 2
    assert "no votes" in announcement(outcome)


def test_announcement_escapes_titles() -> None:
    outcome = tally([Candidate(1, "movie", 1, "*Star*", 0), Candidate(2, "tv", 2, "B", 1)], {1: 1})
    assert "**\\*Star\\***" in announcement(outcome, lambda t: t.replace("*", "\\*"))


@pytest.mark.parametrize(
    ("title", "year", "expected"),
    [
        ("Arrival", 2016, "Arrival (2016)"),
        ("Arrival", None, "Arrival"),
        ("  Spaced   out  ", None, "Spaced out"),
        (
            "Dr. Strangelove or: How I Learned to Stop Worrying and Love the Bomb",
            1964,
            "Dr. Strangelove or: How I Learned to Stop… (1964)",
        ),
        ("A" * 80, None, "A" * 54 + "…"),
    ],
)
def test_answers_fit_55_characters_and_keep_the_year(
    title: str, year: int | None, expected: str
) -> None:
    text = answer_text(title, year)
    assert text == expected
    assert len(text) <= ANSWER_TEXT_LIMIT


def test_hours_must_be_1_to_168() -> None:
    assert check_hours(1) == 1 and check_hours(168) == 168
    for bad in (0, 169, -5):
        with pytest.raises(InvalidInputError, match="from 1 to 168 hours"):
            check_hours(bad)


def test_candidates_split_on_commas_without_repeats_and_in_bounds() -> None:
    assert split_candidates(" Dune, movie:603 ,Dune,, Arrival ") == ["Dune", "movie:603", "Arrival"]
    with pytest.raises(InvalidInputError, match="at least 2"):
        split_candidates("Dune, ")
    with pytest.raises(InvalidInputError, match="at most 10"):
        split_candidates(",".join(f"movie:{n}" for n in range(11)))


def test_starts_at_is_read_in_the_servers_timezone() -> None:
    start = parse_starts_at("2026-07-10 20:30", "Europe/Berlin", now=NOW, after=NOW)
    assert start == datetime(2026, 7, 10, 18, 30, tzinfo=UTC)  # CEST is UTC+2
    winter = parse_starts_at("2026-12-10 20:30", "Europe/Berlin", now=NOW, after=NOW)
    assert winter == datetime(2026, 12, 10, 19, 30, tzinfo=UTC)  # CET is UTC+1


def test_a_time_the_clocks_skip_is_refused() -> None:
    # Europe/Berlin jumps from 02:00 to 03:00 on 2026-03-29.
    with pytest.raises(InvalidInputError, match="does not exist in Europe/Berlin"):
        parse_starts_at("2026-03-29 02:30", "Europe/Berlin", now=NOW, after=NOW)


def test_an_hour_that_happens_twice_means_the_first() -> None:
    # Europe/Berlin goes back from 03:00 to 02:00 on 2026-10-25: 02:30 is first 00:30 UTC.
    start = parse_starts_at("2026-10-25 02:30", "Europe/Berlin", now=NOW, after=NOW)
    assert start == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("tomorrow", "YYYY-MM-DD HH:MM"),
        ("2026-02-30 20:00", "not a real date"),
        ("2026-13-01 20:00", "not a real date"),
        ("2026-02-01 20:00", "in the past"),
        ("2026-03-01 13:00", "after the poll closes"),
    ],
)
def test_bad_start_times_are_refused(text: str, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        parse_starts_at(text, "UTC", now=NOW, after=NOW + timedelta(hours=24))


def test_the_event_lasts_the_runtime_or_two_hours() -> None:
    assert event_end(NOW, 116) - NOW == timedelta(minutes=116)
    assert event_end(NOW, None) - NOW == timedelta(hours=2)
    assert event_end(NOW, 0) - NOW == timedelta(hours=2)
