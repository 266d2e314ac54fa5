"""TitleSnapshot storage round trips and tolerant parsing of TMDB payloads."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from filmbot.domain.models import MediaType, TitleRef
from filmbot.domain.updates import (
    EpisodeInfo,
    GuildPrefs,
    RegionalRelease,
    ReleaseType,
    TitleSnapshot,
    detect_events,
    snapshot_from_tmdb,
)
from filmbot.domain.updates_snapshot import UNKNOWN_FETCH_TIME

FETCHED = datetime(2026, 3, 10, 11, 30, tzinfo=UTC)
OPENAPI = Path("/work/shared/data/tmdb-openapi/tmdb-api-v3.json")

# Trimmed from TMDB's own examples for /3/movie/550 and /3/movie/550/release_dates.
MOVIE_PAYLOAD: dict[str, Any] = {
    "id": 550,
    "title": "Fight Club",
    "original_title": "Fight Club",
    "poster_path": "/pB8BM7pdSp6B6Ih7QZ4DrQ3PmJK.jpg",
    "release_date": "1999-10-15",
    "status": "Released",
    "release_dates": {
        "results": [
            {
                "iso_3166_1": "NL",
                "release_dates": [
                    {
                        "certification": "16",
                        "note": "",
                        "release_date": "1999-11-04T00:00:00.000Z",
                        "type": 3,
                    },
                    {
                        "certification": "16",
                        "note": "DVD",
                        "release_date": "2004-08-04T00:00:00.000Z",
                        "type": 5,
                    },
                ],
            },
            {
                "iso_3166_1": "US",
                "release_dates": [
                    {
                        "note": "CMJ Film Festival",
                        "release_date": "1999-09-21T00:00:00.000Z",
                        "type": 1,
                    },
                    {
                        "certification": "R",
                        "note": "",
                        "release_date": "1999-10-15T00:00:00.000Z",
                        "type": 3,
                    },
                ],
            },
        ]
    },
}

# Trimmed from TMDB's example for /3/tv/1399; next episode added, episode_type left out.
TV_PAYLOAD: dict[str, Any] = {
    "id": 1399,
    "name": "Game of Thrones",
    "poster_path": "/1XS1oqL89opfnbLl8WnZY1O1uJx.jpg",
    "first_air_date": "2011-04-17",
    "status": "Returning Series",
    "number_of_seasons": 8,
    "last_episode_to_air": {
        "id": 1551830,
        "name": "The Iron Throne",
        "overview": "In the aftermath of the devastating attack on King's Landing.",
        "air_date": "2019-05-19",
        "episode_number": 6,
        "season_number": 8,
    },
    "next_episode_to_air": {
        "name": "TBA",
        "air_date": None,
        "episode_number": 1,
        "season_number": 9,
        "episode_type": "standard",
    },
}


def full_movie() -> TitleSnapshot:
    return TitleSnapshot(
        ref=TitleRef(MediaType.MOVIE, 550),
        title="Fight Club",
        fetched_at=FETCHED,
        poster_path="/p.jpg",
        status="Released",
        release_date=date(1999, 10, 15),
        release_dates={
            "US": (
                RegionalRelease(ReleaseType.PREMIERE, date(1999, 9, 21)),
                RegionalRelease(ReleaseType.THEATRICAL, date(1999, 10, 15)),
            ),
            "DE": (RegionalRelease(ReleaseType.DIGITAL, date(2000, 1, 1)),),
        },
    )


def full_show() -> TitleSnapshot:
    return TitleSnapshot(
        ref=TitleRef(MediaType.TV, 1399),
        title="Game of Thrones",
        fetched_at=FETCHED,
        poster_path=None,
        status="Returning Series",
        release_date=date(2011, 4, 17),
        number_of_seasons=8,
        next_episode_to_air=EpisodeInfo(9, 1, None, "TBA", "", "standard"),
        last_episode_to_air=EpisodeInfo(
            8, 6, date(2019, 5, 19), "The Iron Throne", "Ashes.", "finale"
        ),
    )


@pytest.mark.parametrize("snapshot", [full_movie(), full_show()], ids=["movie", "tv"])
def test_snapshot_survives_to_dict_json_and_from_dict_unchanged(snapshot: TitleSnapshot) -> None:
    stored = json.dumps(snapshot.to_dict())
    assert TitleSnapshot.from_dict(json.loads(stored)) == snapshot


def test_from_dict_fills_defaults_for_keys_missing_from_old_rows() -> None:
    snapshot = TitleSnapshot.from_dict({"media_type": "tv", "tmdb_id": 7})
    assert snapshot.ref == TitleRef(MediaType.TV, 7)
    assert snapshot.title == ""
    assert snapshot.status == ""
    assert snapshot.release_date is None
    assert snapshot.release_dates == {}
    assert snapshot.number_of_seasons is None
    assert snapshot.next_episode_to_air is None
    assert snapshot.fetched_at == UNKNOWN_FETCH_TIME


@pytest.mark.parametrize(
    "data",
    [{"media_type": "movie", "title": "X"}, {"tmdb_id": 3}, {"media_type": "book", "tmdb_id": 3}],
    ids=["no-id", "no-media-type", "unknown-media-type"],
)
def test_from_dict_without_identity_is_rejected(data: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="pass ref"):
        TitleSnapshot.from_dict(data)


def test_from_dict_takes_identity_from_caller_when_row_lacks_it() -> None:
    ref = TitleRef(MediaType.TV, 3)
    snapshot = TitleSnapshot.from_dict({"title": "Stored", "status": "Ended"}, ref=ref)
    assert (snapshot.ref, snapshot.title, snapshot.status) == (ref, "Stored", "Ended")


def test_from_dict_reads_naive_fetch_time_as_utc_and_skips_unreadable_release_rows() -> None:
    snapshot = TitleSnapshot.from_dict(
        {
            "media_type": "movie",
            "tmdb_id": 1,
            "fetched_at": "2026-03-10T11:30:00",
            "release_dates": {"us": [[3, "2026-03-01"], [9, "2026-03-02"], [4, "soon"], "x"]},
            "next_episode_to_air": {"season_number": 1},
        }
    )
    assert snapshot.fetched_at == FETCHED
    assert snapshot.release_dates == {
        "US": (RegionalRelease(ReleaseType.THEATRICAL, date(2026, 3, 1)),)
    }
    assert snapshot.next_episode_to_air is None


def test_movie_payload_with_appended_release_dates_is_parsed_per_country() -> None:
    snapshot = snapshot_from_tmdb(MOVIE_PAYLOAD, MediaType.MOVIE, FETCHED)
    assert snapshot.ref == TitleRef(MediaType.MOVIE, 550)
    assert snapshot.title == "Fight Club"
    assert snapshot.release_date == date(1999, 10, 15)
    assert snapshot.release_dates["US"] == (
        RegionalRelease(ReleaseType.PREMIERE, date(1999, 9, 21)),
        RegionalRelease(ReleaseType.THEATRICAL, date(1999, 10, 15)),
    )
    assert snapshot.release_dates["NL"][1] == RegionalRelease(
        ReleaseType.PHYSICAL, date(2004, 8, 4)
    )
    assert snapshot.next_episode_to_air is None
    assert snapshot.number_of_seasons is None


def test_tv_payload_with_null_air_date_and_missing_episode_type_is_parsed() -> None:
    snapshot = snapshot_from_tmdb(TV_PAYLOAD, "tv", FETCHED)
    assert snapshot.title == "Game of Thrones"
    assert snapshot.release_date == date(2011, 4, 17)
    assert snapshot.number_of_seasons == 8
    assert snapshot.last_episode_to_air == EpisodeInfo(
        8,
        6,
        date(2019, 5, 19),
        "The Iron Throne",
        TV_PAYLOAD["last_episode_to_air"]["overview"],
        "",
    )
    assert snapshot.next_episode_to_air == EpisodeInfo(9, 1, None, "TBA", "", "standard")
    assert snapshot.release_dates == {}


def test_sparse_movie_payload_gives_empty_fields_not_errors() -> None:
    payload = {
        "id": "42",
        "title": "",
        "original_title": "Originaltitel",
        "poster_path": "",
        "release_date": "",
        "status": None,
        "release_dates": {"results": [{"iso_3166_1": "de", "release_dates": [{"type": 3}]}, None]},
    }
    snapshot = snapshot_from_tmdb(payload, MediaType.MOVIE, FETCHED)
    assert snapshot.ref.tmdb_id == 42
    assert snapshot.title == "Originaltitel"
    assert snapshot.poster_path is None
    assert snapshot.release_date is None
    assert snapshot.status == ""
    assert snapshot.release_dates == {}


def test_tv_payload_with_null_episodes_and_no_seasons_count() -> None:
    payload = {
        "id": 5,
        "name": "Pilot Only",
        "next_episode_to_air": None,
        "last_episode_to_air": None,
    }
    snapshot = snapshot_from_tmdb(payload, MediaType.TV, FETCHED)
    assert snapshot.next_episode_to_air is None
    assert snapshot.last_episode_to_air is None
    assert snapshot.number_of_seasons is None
    assert snapshot.release_date is None


def test_release_dates_block_ignored_for_tv_and_lowercase_country_normalised_for_movies() -> None:
    block = {
        "results": [
            {"iso_3166_1": "gb", "release_dates": [{"type": 4, "release_date": "2026-01-02"}]}
        ]
    }
    movie = snapshot_from_tmdb({"id": 1, "release_dates": block}, MediaType.MOVIE, FETCHED)
    show = snapshot_from_tmdb({"id": 1, "release_dates": block}, MediaType.TV, FETCHED)
    assert movie.release_dates == {"GB": (RegionalRelease(ReleaseType.DIGITAL, date(2026, 1, 2)),)}
    assert show.release_dates == {}


def test_payload_without_id_is_rejected() -> None:
    with pytest.raises(ValueError, match="no id"):
        snapshot_from_tmdb({"title": "Nameless"}, MediaType.MOVIE, FETCHED)


def test_naive_fetch_time_is_rejected() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        snapshot_from_tmdb(MOVIE_PAYLOAD, MediaType.MOVIE, datetime(2026, 3, 10))


def test_fetch_time_is_stored_in_utc() -> None:
    berlin = timezone(timedelta(hours=1))
    snapshot = snapshot_from_tmdb(MOVIE_PAYLOAD, MediaType.MOVIE, FETCHED.astimezone(berlin))
    assert snapshot.fetched_at.utcoffset() == timedelta(0)
    assert snapshot.fetched_at == FETCHED


def _openapi_example(spec: dict[str, Any], path: str) -> dict[str, Any]:
    content = spec["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
    value: dict[str, Any] = json.loads(content["examples"]["Result"]["value"])
    return value


@pytest.fixture(scope="module")
def openapi() -> dict[str, Any]:
    if not OPENAPI.is_file():
        pytest.skip("TMDB OpenAPI description not present")
    spec: dict[str, Any] = json.loads(OPENAPI.read_text(encoding="utf-8"))
    return spec


def test_tmdb_movie_example_with_release_dates_example_gives_us_release(
    openapi: dict[str, Any],
) -> None:
    payload = _openapi_example(openapi, "/3/movie/{movie_id}")
    payload["release_dates"] = _openapi_example(openapi, "/3/movie/{movie_id}/release_dates")
    snapshot = snapshot_from_tmdb(payload, MediaType.MOVIE, FETCHED)
    assert TitleSnapshot.from_dict(snapshot.to_dict()) == snapshot
    day_after = datetime(1999, 10, 16, 12, tzinfo=UTC)
    events = detect_events(snapshot, None, GuildPrefs(region="US"), day_after, True, True)
    assert [event.event_key for event in events] == ["release:US:1999-10-15"]


def test_tmdb_tv_example_parses_last_episode_and_no_next(openapi: dict[str, Any]) -> None:
    payload = _openapi_example(openapi, "/3/tv/{series_id}")
    snapshot = snapshot_from_tmdb(payload, MediaType.TV, FETCHED)
    assert snapshot.number_of_seasons == payload["number_of_seasons"]
    assert snapshot.next_episode_to_air is None
    last = payload["last_episode_to_air"]
    assert snapshot.last_episode_to_air is not None
    assert (
        snapshot.last_episode_to_air.code
        == f"S{last['season_number']:02d}E{last['episode_number']:02d}"
    )
    assert TitleSnapshot.from_dict(snapshot.to_dict()) == snapshot


def test_unreadable_stored_values_fall_back_to_defaults() -> None:
    snapshot = TitleSnapshot.from_dict(
        {
            "media_type": "tv",
            "tmdb_id": "12",
            "fetched_at": "yesterday",
            "number_of_seasons": "many",
            "release_date": "2026-02-30",
            "poster_path": 5,
        }
    )
    assert snapshot.ref == TitleRef(MediaType.TV, 12)
    assert snapshot.fetched_at == UNKNOWN_FETCH_TIME
    assert snapshot.number_of_seasons is None
    assert snapshot.release_date is None
    assert snapshot.poster_path is None


def test_payload_without_any_title_gives_empty_title() -> None:
    assert snapshot_from_tmdb({"id": 1, "name": None}, MediaType.TV, FETCHED).title == ""
