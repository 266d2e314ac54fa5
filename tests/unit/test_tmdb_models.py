"""The TMDB response models accept real, old, partial and odd payloads."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from pydantic import BaseModel

from filmbot.domain.errors import ExternalServiceError, NotFoundError
from filmbot.domain.models import MediaType
from filmbot.tmdb.errors import TMDBAuthError, TMDBError, TMDBNotFound, TMDBUnavailable
from filmbot.tmdb.models import (
    ChangesPage,
    Configuration,
    Credits,
    ExternalIds,
    GenreList,
    MovieDetails,
    MultiPage,
    PersonResult,
    ReleaseDates,
    ReleaseType,
    TitlePage,
    TVDetails,
    Videos,
    WatchProviders,
    parse_payload,
)

# OpenAPI path -> (model, media type the client tags list entries with)
EXAMPLES: dict[str, tuple[type[BaseModel], MediaType | None]] = {
    "/3/search/multi": (MultiPage, None),
    "/3/search/movie": (TitlePage, MediaType.MOVIE),
    "/3/search/tv": (TitlePage, MediaType.TV),
    "/3/movie/{movie_id}": (MovieDetails, None),
    "/3/tv/{series_id}": (TVDetails, None),
    "/3/movie/{movie_id}/release_dates": (ReleaseDates, None),
    "/3/movie/{movie_id}/credits": (Credits, None),
    "/3/tv/{series_id}/credits": (Credits, None),
    "/3/movie/{movie_id}/videos": (Videos, None),
    "/3/tv/{series_id}/videos": (Videos, None),
    "/3/movie/{movie_id}/watch/providers": (WatchProviders, None),
    "/3/tv/{series_id}/watch/providers": (WatchProviders, None),
    "/3/movie/{movie_id}/external_ids": (ExternalIds, None),
    "/3/tv/{series_id}/external_ids": (ExternalIds, None),
    "/3/movie/{movie_id}/similar": (TitlePage, MediaType.MOVIE),
    "/3/tv/{series_id}/similar": (TitlePage, MediaType.TV),
    "/3/movie/{movie_id}/recommendations": (TitlePage, MediaType.MOVIE),
    "/3/tv/{series_id}/recommendations": (TitlePage, MediaType.TV),
    "/3/trending/all/{time_window}": (MultiPage, None),
    "/3/trending/movie/{time_window}": (MultiPage, MediaType.MOVIE),
    "/3/trending/tv/{time_window}": (MultiPage, MediaType.TV),
    "/3/movie/changes": (ChangesPage, None),
    "/3/tv/changes": (ChangesPage, None),
    "/3/configuration": (Configuration, None),
    "/3/genre/movie/list": (GenreList, None),
    "/3/genre/tv/list": (GenreList, None),
}


def _example(spec: dict[str, Any], path: str) -> dict[str, Any]:
    content = spec["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
    value = content["examples"]["Result"]["value"]
    return json.loads(value) if isinstance(value, str) else value


@pytest.mark.parametrize("path", sorted(EXAMPLES))
def test_openapi_example_parses_into_its_model(openapi: dict[str, Any], path: str) -> None:
    model, media = EXAMPLES[path]
    raw = _example(openapi, path)
    parsed = parse_payload(model, raw, path, media)
    results = raw.get("results")
    if isinstance(results, list) and all("id" in e for e in results):
        expected = [e["id"] for e in results if e.get("media_type", "movie") != "collection"]
        assert [r.id for r in parsed.results] == expected  # type: ignore[attr-defined]
    if "id" in raw and hasattr(parsed, "id"):
        assert parsed.id == raw["id"]


def test_openapi_examples_keep_the_fields_the_bot_uses(openapi: dict[str, Any]) -> None:
    movie = parse_payload(MovieDetails, _example(openapi, "/3/movie/{movie_id}"), "/movie/550")
    show = parse_payload(TVDetails, _example(openapi, "/3/tv/{series_id}"), "/tv/1399")
    releases = parse_payload(
        ReleaseDates, _example(openapi, "/3/movie/{movie_id}/release_dates"), "/rd"
    )
    assert (movie.title, movie.year, movie.runtime) == ("Fight Club", 1999, 139)
    assert show.status == "Ended" and show.last_episode_to_air is not None
    assert show.last_episode_to_air.code == "S08E06"
    assert show.networks[0].name == "HBO" and show.created_by
    us = releases.for_country("us")
    assert [r.type for r in us] == [1, 1, ReleaseType.THEATRICAL]


def test_blank_dates_and_null_fields_read_as_absent() -> None:
    movie = MovieDetails.model_validate(
        {
            "id": 19,
            "title": "Metropolis",
            "release_date": "",
            "runtime": None,
            "overview": None,
            "genres": None,
            "belongs_to_collection": None,
        }
    )
    assert movie.release_date is None and movie.year is None
    assert movie.runtime is None and movie.overview == "" and movie.genres == []


def test_old_episode_payloads_without_new_fields_parse() -> None:
    show = TVDetails.model_validate(
        {
            "id": 1920,
            "name": "Twin Peaks",
            "next_episode_to_air": {"air_date": "", "episode_number": 3, "season_number": 1},
            "last_episode_to_air": {"id": 1, "air_date": "1991-06-10", "still_path": None},
            "seasons": [{"air_date": None, "season_number": 0}],
        }
    )
    assert show.next_episode_to_air is not None
    assert show.next_episode_to_air.air_date is None
    assert (
        show.next_episode_to_air.episode_type is None and show.next_episode_to_air.show_id is None
    )
    assert show.last_episode_to_air is not None
    assert show.last_episode_to_air.air_date == date(1991, 6, 10)


def test_unknown_fields_are_ignored() -> None:
    movie = MovieDetails.model_validate({"id": 1, "title": "X", "brand_new_field": {"a": 1}})
    assert not hasattr(movie, "brand_new_field")


def test_unparseable_date_reads_as_none_instead_of_failing() -> None:
    movie = MovieDetails.model_validate({"id": 1, "release_date": "2024-00-00"})
    assert movie.release_date is None


def test_multi_search_keeps_people_and_drops_unknown_media_types() -> None:
    page = MultiPage.model_validate(
        {
            "page": 1,
            "results": [
                {"media_type": "movie", "id": 1, "title": "A", "release_date": "2020-01-02"},
                {"media_type": "tv", "id": 2, "name": "B", "first_air_date": ""},
                {
                    "media_type": "person",
                    "id": 3,
                    "name": "C",
                    "known_for": [
                        {"media_type": "movie", "id": 1, "title": "A"},
                        {"media_type": "collection", "id": 9},
                    ],
                },
                {"media_type": "collection", "id": 4, "name": "D"},
            ],
        }
    )
    assert [r.media_type for r in page.results] == ["movie", "tv", "person"]
    person = page.results[2]
    assert isinstance(person, PersonResult) and [k.id for k in person.known_for] == [1]


def test_watch_providers_are_looked_up_by_region_case_insensitively() -> None:
    providers = WatchProviders.model_validate(
        {"results": {"DE": {"link": "x", "flatrate": [{"provider_id": 8, "provider_name": "N"}]}}}
    )
    found = providers.for_region("de")
    assert found is not None and found.flatrate[0].provider_name == "N"
    assert providers.for_region("US") is None


def test_trailer_prefers_official_youtube_trailers() -> None:
    videos = Videos.model_validate(
        {
            "results": [
                {"key": "a", "site": "YouTube", "type": "Teaser", "official": True},
                {"key": "b", "site": "YouTube", "type": "Trailer", "official": False},
                {"key": "c", "site": "YouTube", "type": "Trailer", "official": True},
            ]
        }
    )
    trailer = videos.trailer()
    assert trailer is not None and trailer.url == "https://www.youtube.com/watch?v=c"


def test_payload_of_the_wrong_shape_becomes_tmdb_error() -> None:
    with pytest.raises(TMDBError, match="unexpected /movie/1 payload"):
        parse_payload(MovieDetails, {"title": "no id"}, "/movie/1")
    with pytest.raises(TMDBError):
        parse_payload(MultiPage, {"results": "not a list"}, "/search/multi")


def test_error_hierarchy_fits_the_domain_errors() -> None:
    assert issubclass(TMDBError, ExternalServiceError)
    assert issubclass(TMDBNotFound, NotFoundError) and issubclass(TMDBNotFound, TMDBError)
    assert issubclass(TMDBAuthError, TMDBError) and issubclass(TMDBUnavailable, TMDBError)
    assert not issubclass(TMDBUnavailable, NotFoundError)
