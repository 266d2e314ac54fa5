"""Streaming offers in snapshots: read from TMDB, stored, carried over, and judged new."""

from __future__ import annotations

from datetime import UTC, date, datetime

from filmbot.domain.models import MediaType, TitleRef
from filmbot.domain.updates import GuildPrefs, TitleSnapshot, detect_events, snapshot_from_tmdb
from filmbot.domain.updates.streaming import Streaming, carry_forward, newly_streaming

NOW = datetime(2026, 3, 10, 12, tzinfo=UTC)
MAX = {"provider_id": 1899, "provider_name": "Max"}
NETFLIX = {"provider_id": 8, "provider_name": "Netflix"}


def payload(**regions: dict[str, list[dict[str, object]]]) -> dict[str, object]:
    return {"id": 603, "title": "The Matrix", "watch/providers": {"results": regions}}


def test_streaming_offers_are_read_per_region_and_survive_storage() -> None:
    snapshot = snapshot_from_tmdb(
        payload(US={"flatrate": [MAX], "buy": [NETFLIX]}, DE={"ads": [NETFLIX]}), "movie", NOW
    )
    assert snapshot.streaming is not None
    assert snapshot.streaming.offers == {"US": frozenset({1899}), "DE": frozenset({8})}
    stored = TitleSnapshot.from_dict(snapshot.to_dict())
    assert stored.streaming == snapshot.streaming


def test_a_snapshot_without_watch_providers_tracks_no_streaming() -> None:
    snapshot = snapshot_from_tmdb({"id": 603, "title": "The Matrix"}, "movie", NOW)
    assert snapshot.streaming is None
    assert "streaming" not in snapshot.to_dict()
    assert TitleSnapshot.from_dict(snapshot.to_dict()).streaming is None


def test_the_first_tracked_snapshot_is_a_baseline() -> None:
    old = snapshot_from_tmdb({"id": 603, "title": "The Matrix"}, "movie", NOW)
    new = snapshot_from_tmdb(payload(US={"flatrate": [MAX]}), "movie", NOW)
    assert detect_events(new, old, GuildPrefs(), NOW, True, True) == []
    assert detect_events(new, None, GuildPrefs(), NOW, True, True) == []


def test_departures_are_carried_over_with_the_day_last_seen() -> None:
    before = Streaming({"US": frozenset({8, 1899})}, {8: "Netflix", 1899: "Max"})
    now = Streaming({"US": frozenset({1899})}, {1899: "Max"})
    carried = carry_forward(now, before, date(2026, 3, 9))
    assert carried.gone == {"US": {8: date(2026, 3, 9)}}
    assert carried.names[8] == "Netflix"
    back = Streaming({"US": frozenset({8, 1899})}, {8: "Netflix"})
    assert newly_streaming(back, carried, "US", date(2026, 4, 8)) == []
    assert newly_streaming(back, carried, "US", date(2026, 4, 9)) == [
        (8, "Netflix", "US:8:after:2026-03-09")
    ]


def test_the_event_names_title_provider_and_region() -> None:
    ref = TitleRef(MediaType.MOVIE, 603)
    before = snapshot_from_tmdb(payload(US={"flatrate": [MAX]}), "movie", NOW)
    after = snapshot_from_tmdb(payload(US={"flatrate": [MAX, NETFLIX]}), "movie", NOW)
    [event] = detect_events(after.remembering(before), before, GuildPrefs(), NOW, True, False)
    assert (event.ref, event.kind.value, event.event_key) == (ref, "streaming", "US:8")
    assert event.headline == "The Matrix is now streaming on Netflix in US"
    assert detect_events(after, before, GuildPrefs(), NOW, False, True) == []
