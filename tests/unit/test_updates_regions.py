"""Snapshots that keep only their followers' regions, and what the rules make of the others."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from filmbot.domain.models import MediaType
from filmbot.domain.updates import (
    EventKind,
    GuildPrefs,
    TitleSnapshot,
    detect_events,
    snapshot_from_tmdb,
)

NOW = datetime(2026, 3, 10, 12, tzinfo=UTC)
MAX = {"provider_id": 1899, "provider_name": "Max"}
NETFLIX = {"provider_id": 8, "provider_name": "Netflix"}
TUBI = {"provider_id": 73, "provider_name": "Tubi TV"}


def film(providers: dict[str, Any], releases: dict[str, str]) -> dict[str, Any]:
    """A film payload with watch providers and one theatrical release per country."""
    return {
        "id": 603,
        "title": "The Matrix",
        "status": "Released",
        "release_date": "2026-01-01",
        "release_dates": {
            "results": [
                {"iso_3166_1": country, "release_dates": [{"type": 3, "release_date": day}]}
                for country, day in releases.items()
            ]
        },
        "watch/providers": {"results": providers},
    }


PAYLOAD = film(
    {"US": {"flatrate": [MAX]}, "de": {"flatrate": [NETFLIX]}, "FR": {"ads": [TUBI]}},
    {"US": "2026-03-10", "DE": "2026-03-12", "FR": "2026-03-09"},
)


def kinds(events: list[Any]) -> list[tuple[EventKind, str]]:
    return sorted((event.kind, event.event_key) for event in events)


def test_only_the_asked_regions_are_read_and_stored() -> None:
    snapshot = snapshot_from_tmdb(PAYLOAD, MediaType.MOVIE, NOW, regions=["us", "DE"])
    assert snapshot.regions == frozenset({"US", "DE"})
    assert set(snapshot.release_dates) == {"US", "DE"}
    assert snapshot.streaming is not None
    assert snapshot.streaming.offers == {"US": frozenset({1899}), "DE": frozenset({8})}
    assert snapshot.streaming.names == {1899: "Max", 8: "Netflix"}
    stored = snapshot.to_dict()
    assert stored["regions"] == ["DE", "US"]
    assert TitleSnapshot.from_dict(stored) == snapshot


def test_a_snapshot_without_regions_tracks_every_country() -> None:
    everything = snapshot_from_tmdb(PAYLOAD, MediaType.MOVIE, NOW)
    stored = everything.to_dict()
    assert "regions" not in stored
    reread = TitleSnapshot.from_dict(stored)
    assert reread.regions is None and reread.covers("JP") and reread.covers_all({"FR", "US"})
    assert set(reread.release_dates) == {"US", "DE", "FR"}


def test_a_region_the_snapshot_does_not_track_gets_no_release_until_it_is_fetched() -> None:
    # The primary date (January) would say "out" in FR; the real FR date is unknown here.
    us_only = snapshot_from_tmdb(PAYLOAD, MediaType.MOVIE, NOW, regions=["US"])
    france = GuildPrefs(region="FR")
    assert detect_events(us_only, us_only, france, NOW, True, True) == []
    tracked = snapshot_from_tmdb(PAYLOAD, MediaType.MOVIE, NOW, regions=["US", "FR"])
    assert kinds(detect_events(tracked, us_only, france, NOW, True, True)) == [
        (EventKind.RELEASE, "release:FR:2026-03-09")
    ]
    assert kinds(detect_events(us_only, us_only, GuildPrefs(), NOW, True, True)) == [
        (EventKind.RELEASE, "release:US:2026-03-10")
    ]


def test_a_region_first_tracked_is_a_streaming_baseline_then_news_is_announced() -> None:
    us_only = snapshot_from_tmdb(PAYLOAD, MediaType.MOVIE, NOW, regions=["US"])
    germany = GuildPrefs(region="DE")
    first = snapshot_from_tmdb(PAYLOAD, MediaType.MOVIE, NOW, regions=["US", "DE"])
    first = first.remembering(us_only)
    streaming = detect_events(first, us_only, germany, NOW, True, True)
    assert [e for e in streaming if e.kind is EventKind.STREAMING] == []
    later = NOW + timedelta(days=1)
    more = film({"DE": {"flatrate": [NETFLIX], "ads": [TUBI]}, "US": {}}, {"DE": "2026-03-12"})
    second = snapshot_from_tmdb(more, MediaType.MOVIE, later, regions=["US", "DE"])
    second = second.remembering(first)
    found = detect_events(second, first, germany, later, True, True)
    assert kinds([e for e in found if e.kind is EventKind.STREAMING]) == [
        (EventKind.STREAMING, "DE:73")
    ]
    assert second.streaming is not None
    assert second.streaming.gone == {"US": {1899: NOW.date()}}


def test_departures_are_kept_only_for_tracked_regions() -> None:
    everything = snapshot_from_tmdb(PAYLOAD, MediaType.MOVIE, NOW)
    gone_everywhere = film({}, {})
    later = NOW + timedelta(days=1)
    us_only = snapshot_from_tmdb(gone_everywhere, MediaType.MOVIE, later, regions=["US"])
    carried = us_only.remembering(everything)
    assert carried.streaming is not None
    assert carried.streaming.gone == {"US": {1899: NOW.date()}}
    assert carried.streaming.names == {1899: "Max"}
