"""The .ics export parses with icalendar, uses all-day dates and keeps UIDs across exports."""

from __future__ import annotations

from datetime import date

from icalendar import Calendar

from filmbot.domain.models import MediaType, TitleRef
from filmbot.domain.upcoming import UpcomingEvent, event_uid
from filmbot.services.calendar_file import calendar_file

GUILD = 1_100_000_000_000_000_001
EPISODE = UpcomingEvent(
    date(2026, 3, 13), TitleRef(MediaType.TV, 95396), "Severance", "episode", 2, 5, "Chikhai"
)
RELEASE = UpcomingEvent(date(2026, 3, 12), TitleRef(MediaType.MOVIE, 693134), "Dune", "theatrical")


def _events(data: bytes) -> list[object]:
    return list(Calendar.from_ical(data).walk("VEVENT"))


def test_every_event_is_an_all_day_event_with_a_summary_and_tmdb_link() -> None:
    data = calendar_file(GUILD, "Film Club", [RELEASE, EPISODE])
    assert b"DTSTART;VALUE=DATE:20260312" in data
    calendar = Calendar.from_ical(data)
    assert str(calendar["VERSION"]) == "2.0" and "FilmBot" in str(calendar["PRODID"])
    events = _events(data)
    assert len(events) == 2
    first, second = events
    assert first["DTSTART"].dt == date(2026, 3, 12)
    assert first["DTEND"].dt == date(2026, 3, 13)
    assert str(first["SUMMARY"]) == "Dune (theatrical release)"
    assert str(first["URL"]) == "https://www.themoviedb.org/movie/693134"
    assert "https://www.themoviedb.org/movie/693134" in str(first["DESCRIPTION"])
    assert str(second["SUMMARY"]) == "Severance S02E05 · Chikhai"
    assert str(second["UID"]) == event_uid(GUILD, EPISODE)
    assert all("DTSTAMP" in event for event in events)


def test_importing_the_same_events_twice_adds_nothing() -> None:
    store: dict[str, object] = {}
    for _ in range(2):
        for event in _events(calendar_file(GUILD, "Film Club", [RELEASE, EPISODE])):
            store[str(event["UID"])] = event
    assert len(store) == 2


def test_a_moved_episode_updates_its_event_on_reimport() -> None:
    store: dict[str, object] = {}
    moved = UpcomingEvent(date(2026, 3, 20), EPISODE.ref, "Severance", "episode", 2, 5, "Chikhai")
    for events in ([RELEASE, EPISODE], [RELEASE, moved]):
        for event in _events(calendar_file(GUILD, "Film Club", events)):
            store[str(event["UID"])] = event
    assert len(store) == 2
    assert store[event_uid(GUILD, EPISODE)]["DTSTART"].dt == date(2026, 3, 20)  # type: ignore[index]


def test_another_server_gets_other_uids() -> None:
    ours = {str(e["UID"]) for e in _events(calendar_file(GUILD, "A", [EPISODE]))}
    theirs = {str(e["UID"]) for e in _events(calendar_file(GUILD + 1, "B", [EPISODE]))}
    assert ours.isdisjoint(theirs)


def test_an_empty_window_is_still_a_valid_calendar() -> None:
    calendar = Calendar.from_ical(calendar_file(GUILD, "", []))
    assert list(calendar.walk("VEVENT")) == []
