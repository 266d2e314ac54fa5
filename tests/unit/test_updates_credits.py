"""The `new_title` rules: which credits count, and the events and template they make."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from filmbot.domain.models import MediaType, TitleRef
from filmbot.domain.templates import TemplateKind, parse_template, render
from filmbot.domain.updates import (
    EventKind,
    GuildPrefs,
    new_title_events,
    person_key,
    qualifying_credits,
)
from filmbot.services.notifications import GuildDisplay, template_values

NOW = datetime(2026, 3, 10, 23, 30, tzinfo=UTC)


def payload(cast: list[dict[str, Any]], crew: list[dict[str, Any]]) -> dict[str, Any]:
    return {"id": 7, "name": "Ann Director", "combined_credits": {"cast": cast, "crew": crew}}


def test_director_and_the_first_ten_billed_count_nothing_else() -> None:
    credits = qualifying_credits(
        payload(
            cast=[
                {"id": 1, "media_type": "movie", "title": "Lead", "order": 0},
                {"id": 2, "media_type": "tv", "name": "Tenth", "order": 9},
                {"id": 3, "media_type": "movie", "title": "Eleventh", "order": 10},
                {"id": 4, "media_type": "movie", "title": "Unbilled"},
            ],
            crew=[
                {"id": 5, "media_type": "movie", "title": "Directed", "job": "Director"},
                {"id": 6, "media_type": "movie", "title": "Produced", "job": "Producer"},
                {"id": 1, "media_type": "movie", "title": "Lead", "job": "Director"},
            ],
        )
    )
    assert sorted(credits) == ["movie:1", "movie:5", "tv:2"]
    assert credits["movie:1"].directed, "directing wins over acting in the same title"
    assert credits["tv:2"].ref == TitleRef(MediaType.TV, 2)


def test_events_are_keyed_by_person_dated_in_the_recipients_zone_and_templated() -> None:
    credits = qualifying_credits(
        payload(
            cast=[
                {
                    "id": 1,
                    "media_type": "movie",
                    "title": "Lead",
                    "order": 0,
                    "character": "Kay",
                    "release_date": "2027-05-01",
                }
            ],
            crew=[],
        )
    )
    prefs = GuildPrefs(timezone="Europe/Berlin")
    [event] = new_title_events(7, "Ann Director", list(credits.values()), prefs, NOW)
    assert (event.kind, event.event_key) == (EventKind.NEW_TITLE, person_key(7))
    assert event.headline == "Ann Director stars in Lead"
    assert event.detail == "A new title with Ann Director as Kay. Release: 2027-05-01."
    assert event.event_date.isoformat() == "2026-03-11", "already the 11th in Berlin"
    assert TemplateKind.for_event(EventKind.NEW_TITLE) is TemplateKind.NEW_TITLE
    text = parse_template("New from {person}: {title} ({year})")
    values = template_values(event, GuildDisplay(None, "UTC"))
    assert render(text, values) == "New from Ann Director: Lead (2027)"
