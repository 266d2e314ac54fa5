"""The /upcoming rules: the window in the server's timezone, events by day, stable UIDs."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from filmbot.domain.errors import InvalidInputError
from filmbot.domain.models import MediaType, TitleRef
from filmbot.domain.upcoming import (
    by_day,
    check_days,
    event_uid,
    member_calendar,
    upcoming_events,
    window,
)
from filmbot.domain.updates import EpisodeInfo, RegionalRelease, ReleaseType, TitleSnapshot

NOW = datetime(2026, 3, 10, 11, 30, tzinfo=UTC)
FILM = TitleRef(MediaType.MOVIE, 693134)
SHOW = TitleRef(MediaType.TV, 95396)


def film(primary: date | None, **regions: list[tuple[ReleaseType, date]]) -> TitleSnapshot:
    return TitleSnapshot(
        FILM,
        "Dune: Part Two",
        NOW,
        release_date=primary,
        release_dates={
            country: tuple(RegionalRelease(kind, when) for kind, when in items)
            for country, items in regions.items()
        },
    )


def show(*episodes: EpisodeInfo | None) -> TitleSnapshot:
    next_episode, last_episode = (list(episodes) + [None, None])[:2]
    return TitleSnapshot(
        SHOW, "Severance", NOW, next_episode_to_air=next_episode, last_episode_to_air=last_episode
    )


def test_the_window_starts_on_today_in_the_servers_timezone() -> None:
    late = datetime(2026, 3, 10, 23, 30, tzinfo=UTC)
    assert window(late, "UTC", 14) == (date(2026, 3, 10), date(2026, 3, 23))
    assert window(late, "Pacific/Auckland", 14) == (date(2026, 3, 11), date(2026, 3, 24))
    early = datetime(2026, 3, 10, 5, 0, tzinfo=UTC)
    assert window(early, "America/Los_Angeles", 1) == (date(2026, 3, 9), date(2026, 3, 9))


@pytest.mark.parametrize("days", [0, -1, 61, 1000])
def test_days_outside_1_to_60_are_refused(days: int) -> None:
    with pytest.raises(InvalidInputError, match="1 to 60"):
        check_days(days)
    with pytest.raises(InvalidInputError):
        window(NOW, "UTC", days)


def test_days_at_the_bounds_are_accepted() -> None:
    assert check_days(1) == 1
    assert check_days(60) == 60


def test_film_releases_come_from_the_servers_region_within_the_window() -> None:
    snapshot = film(
        date(2026, 3, 1),
        US=[(ReleaseType.THEATRICAL, date(2026, 3, 12)), (ReleaseType.DIGITAL, date(2026, 4, 30))],
        DE=[(ReleaseType.THEATRICAL, date(2026, 3, 14))],
    )
    us = upcoming_events([snapshot], "US", date(2026, 3, 10), date(2026, 3, 23))
    assert [(e.day, e.kind) for e in us] == [(date(2026, 3, 12), "theatrical")]
    de = upcoming_events([snapshot], "de", date(2026, 3, 10), date(2026, 3, 23))
    assert [(e.day, e.kind) for e in de] == [(date(2026, 3, 14), "theatrical")]


def test_a_film_without_dates_in_the_region_falls_back_to_its_primary_date() -> None:
    snapshot = film(date(2026, 3, 15), DE=[(ReleaseType.THEATRICAL, date(2026, 3, 14))])
    events = upcoming_events([snapshot], "NZ", date(2026, 3, 10), date(2026, 3, 23))
    assert [(e.day, e.kind) for e in events] == [(date(2026, 3, 15), "primary")]
    assert upcoming_events([film(None)], "NZ", date(2026, 3, 10), date(2026, 3, 23)) == []


def test_episodes_in_the_window_are_listed_and_undated_ones_skipped() -> None:
    snapshot = show(
        EpisodeInfo(2, 5, date(2026, 3, 13), "Trojan's Horse"), EpisodeInfo(2, 4, date(2026, 3, 6))
    )
    events = upcoming_events([snapshot], "US", date(2026, 3, 10), date(2026, 3, 23))
    assert [(e.day, e.season, e.episode) for e in events] == [(date(2026, 3, 13), 2, 5)]
    assert events[0].summary == "Severance S02E05 · Trojan's Horse"
    undated = show(EpisodeInfo(2, 6, None))
    assert upcoming_events([undated], "US", date(2026, 3, 10), date(2026, 3, 23)) == []


def test_events_are_grouped_by_day_in_day_order() -> None:
    snapshots = [
        show(EpisodeInfo(2, 5, date(2026, 3, 12))),
        film(None, US=[(ReleaseType.THEATRICAL, date(2026, 3, 12))]),
        replace(show(EpisodeInfo(1, 1, date(2026, 3, 11))), ref=TitleRef(MediaType.TV, 1)),
    ]
    events = upcoming_events(snapshots, "US", date(2026, 3, 10), date(2026, 3, 23))
    grouped = by_day(events)
    assert [day for day, _ in grouped] == [date(2026, 3, 11), date(2026, 3, 12)]
    assert [e.title for e in grouped[1][1]] == ["Dune: Part Two", "Severance"]


def test_a_uid_names_the_event_not_its_date() -> None:
    snapshot = show(EpisodeInfo(2, 5, date(2026, 3, 13)))
    first = date(2026, 3, 1)
    event = upcoming_events([snapshot], "US", first, date(2026, 4, 30))[0]
    moved = replace(event, day=date(2026, 3, 20))
    assert event_uid(1, event) == event_uid(1, moved)
    assert event_uid(1, event).endswith("@filmbot")
    assert event_uid(1, event) != event_uid(2, event)
    assert event_uid(member_calendar(1), event) != event_uid(1, event)
    assert event_uid(member_calendar(1), event) == event_uid(member_calendar(1), moved)
    assert event_uid(1, event) != event_uid(1, replace(event, episode=6))
    assert event_uid(1, event) != event_uid(1, replace(event, ref=TitleRef(MediaType.TV, 1)))
    release = upcoming_events(
        [film(None, US=[(ReleaseType.THEATRICAL, date(2026, 3, 12))])],
        "US",
        first,
        date(2026, 4, 1),
    )[0]
    assert event_uid(1, release) != event_uid(1, replace(release, kind="digital"))
