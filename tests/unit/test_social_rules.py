"""Member-to-member and activity feed rules: recipients, notes, the daily limit, feed lines."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from filmbot.domain.errors import InvalidInputError, LimitReachedError
from filmbot.domain.social import (
    Activity,
    FeedKind,
    check_rate,
    check_recipient,
    clean_note,
    feed_line,
    first_line,
    recommendation_line,
    sends_left,
    spoiler,
)

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def test_bots_and_oneself_cannot_receive_recommendations() -> None:
    with pytest.raises(InvalidInputError, match="Bots"):
        check_recipient(1, 2, recipient_is_bot=True)
    with pytest.raises(InvalidInputError, match="yourself"):
        check_recipient(1, 1, recipient_is_bot=False)
    check_recipient(1, 2, recipient_is_bot=False)


def test_notes_are_one_line_and_at_most_200_characters() -> None:
    assert clean_note("  you'll love\n the linguistics ") == "you'll love the linguistics"
    assert clean_note("   ") is None
    assert clean_note(None) is None
    assert clean_note("x" * 200) == "x" * 200
    with pytest.raises(InvalidInputError, match="200"):
        clean_note("x" * 201)


def test_five_a_day_per_sender_and_recipient_in_a_rolling_24_hours() -> None:
    four = [NOW - timedelta(hours=h) for h in (1, 2, 3, 23)]
    assert sends_left(four, NOW) == 1
    check_rate(four, NOW)
    five = [*four, NOW - timedelta(minutes=5)]
    assert sends_left(five, NOW) == 0
    with pytest.raises(LimitReachedError, match="5 recommendations"):
        check_rate(five, NOW)
    assert sends_left(five, NOW + timedelta(hours=1, minutes=1)) == 1
    old = [NOW - timedelta(hours=24, seconds=1)] * 9
    assert sends_left(old, NOW) == 5


def test_a_recommendation_reads_like_a_sentence() -> None:
    line = recommendation_line("Alice", "Arrival", "you'll love the linguistics")
    assert line == "Alice recommends Arrival: 'you'll love the linguistics'"
    assert recommendation_line("Alice", "Arrival", None) == "Alice recommends Arrival"


def test_feed_lines_for_rated_watched_and_reviewed() -> None:
    assert feed_line(Activity(FeedKind.RATED, "Bob", "Dune: Part Two", 9)) == (
        "Bob rated Dune: Part Two 9/10"
    )
    assert feed_line(Activity(FeedKind.WATCHED, "Bob", "Dune")) == "Bob watched Dune"
    reviewed = Activity(FeedKind.REVIEWED, "Bob", "Dune", 8, "Sand everywhere.")
    assert feed_line(reviewed) == "Bob reviewed Dune 8/10: “Sand everywhere.”"


def test_reviews_longer_than_a_line_are_clipped() -> None:
    assert first_line("Great.\nBut the second act drags.") == "Great.…"
    long = "word " * 100
    clipped = first_line(long, 150)
    assert len(clipped) <= 150 and clipped.endswith("…")
    assert first_line("  \n  ") == ""
    text = feed_line(Activity(FeedKind.REVIEWED, "Bob", "Dune", 8, "Line one\nline two"))
    assert text == "Bob reviewed Dune 8/10: “Line one…”"


def test_a_spoiler_review_is_hidden_and_cannot_close_the_bars_early() -> None:
    spoiled = Activity(FeedKind.REVIEWED, "Bob", "Dune", 8, "Paul drinks the water", spoilers=True)
    assert feed_line(spoiled) == "Bob reviewed Dune 8/10: “||Paul drinks the water||”"
    assert spoiler("a || b") == "||a ¦¦ b||"
