"""Discovery endpoints: the fake answers like TMDB's documented examples, the models parse both."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from typing import Any

import aiohttp
import pytest
from pydantic import BaseModel

from filmbot.domain.models import MediaType, TitleRef
from filmbot.domain.updates import qualifying_credits
from filmbot.tmdb import TMDBClient
from filmbot.tmdb.cache import cache_key
from filmbot.tmdb.client import LIST_TTL
from filmbot.tmdb.discover import DiscoverQuery
from filmbot.tmdb.models import ChangesPage, GenreList, TitlePage, WatchProviders, parse_payload
from filmbot.tmdb.people import CombinedCredits, PersonDetails, PersonPage
from filmbot.tmdb.providers import CertificationList, ProviderList
from tests.fakes.plugin_tmdb import make_client
from tests.fakes.tmdb_server import FakeTMDB

# OpenAPI path -> (a path and query the fake answers, the model, the media of its results)
ENDPOINTS: dict[str, tuple[str, dict[str, str], type[BaseModel], MediaType | None]] = {
    "/3/genre/movie/list": ("/genre/movie/list", {"language": "de-DE"}, GenreList, None),
    "/3/genre/tv/list": ("/genre/tv/list", {}, GenreList, None),
    "/3/certification/movie/list": ("/certification/movie/list", {}, CertificationList, None),
    "/3/watch/providers/movie": (
        "/watch/providers/movie",
        {"watch_region": "US"},
        ProviderList,
        None,
    ),
    "/3/watch/providers/tv": ("/watch/providers/tv", {"watch_region": "DE"}, ProviderList, None),
    "/3/movie/{movie_id}/watch/providers": (
        "/movie/438631/watch/providers",
        {},
        WatchProviders,
        None,
    ),
    "/3/tv/{series_id}/watch/providers": ("/tv/1396/watch/providers", {}, WatchProviders, None),
    "/3/search/person": ("/search/person", {"query": "villeneuve"}, PersonPage, None),
    "/3/person/{person_id}": ("/person/137427", {}, PersonDetails, None),
    "/3/person/{person_id}/combined_credits": (
        "/person/137427",
        {"append_to_response": "combined_credits"},
        CombinedCredits,
        None,
    ),
    "/3/person/changes": ("/person/changes", {}, ChangesPage, None),
    "/3/discover/movie": ("/discover/movie", {}, TitlePage, MediaType.MOVIE),
    "/3/discover/tv": ("/discover/tv", {}, TitlePage, MediaType.TV),
}


def _example(openapi: dict[str, Any], path: str) -> Any:
    content = openapi["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
    return json.loads(content["examples"]["Result"]["value"])


def _schema(openapi: dict[str, Any], path: str) -> dict[str, Any]:
    content = openapi["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
    schema: dict[str, Any] = content["schema"]
    return schema


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    return {str: "string", list: "array", dict: "object"}.get(type(value), "null")


SCHEMA_KIND = {"integer": "number", "number": "number", "string": "string", "boolean": "boolean"}


def assert_shaped_like(value: Any, schema: dict[str, Any], example: Any, where: str) -> None:
    """Fail unless `value` has only fields the schema or example has, each of their type."""
    if value is None:
        return
    kind = _kind(value)
    declared = SCHEMA_KIND.get(schema.get("type", ""), schema.get("type"))
    if declared and declared != kind:
        raise AssertionError(f"{where}: {kind}, the schema says {declared}")
    if example is not None and _kind(example) not in (kind, "null"):
        raise AssertionError(f"{where}: {kind}, TMDB's example has {_kind(example)}")
    if isinstance(value, dict):
        _check_object(value, schema, example if isinstance(example, dict) else {}, where)
    elif isinstance(value, list) and value:
        items = schema.get("items", {})
        sample = example[0] if isinstance(example, list) and example else None
        for n, item in enumerate(value):
            assert_shaped_like(item, items, sample, f"{where}[{n}]")


def _check_object(
    value: dict[str, Any], schema: dict[str, Any], example: dict[str, Any], where: str
) -> None:
    properties = schema.get("properties", {})
    for key, item in value.items():
        if key in properties or key in example:
            assert_shaped_like(item, properties.get(key, {}), example.get(key), f"{where}.{key}")
        elif len(key) == 2 and key.isupper() and example:
            # keyed by country (certifications, watch providers): like any country's entry
            sample_key = next(iter(example))
            sub = properties.get(sample_key, schema.get("additionalProperties", {}))
            assert_shaped_like(item, sub if isinstance(sub, dict) else {}, example[sample_key], key)
        else:
            raise AssertionError(f"{where}.{key}: a field TMDB does not document")


@pytest.fixture
async def client(fake_tmdb: FakeTMDB) -> AsyncIterator[TMDBClient]:
    async with make_client(fake_tmdb) as client:
        yield client


async def _fake_json(fake: FakeTMDB, path: str, query: dict[str, str]) -> Any:
    params = {"api_key": fake.api_key, **query}
    async with (
        aiohttp.ClientSession() as http,
        http.get(fake.base_url + path, params=params) as response,
    ):
        assert response.status == 200, path
        return await response.json()


@pytest.mark.parametrize("path", sorted(ENDPOINTS))
def test_openapi_example_parses_into_the_model(openapi: dict[str, Any], path: str) -> None:
    _, _, model, media = ENDPOINTS[path]
    example = _example(openapi, path)
    parsed = parse_payload(model, example, path, media)
    assert parsed.model_dump(), path
    results = example.get("results")
    if isinstance(results, list):
        key = "id" if "id" in results[0] else "provider_id"
        parsed_ids = [getattr(r, key) for r in parsed.results]  # type: ignore[attr-defined]
        assert parsed_ids == [e[key] for e in results]


@pytest.mark.parametrize("path", sorted(ENDPOINTS))
async def test_the_fake_answers_in_the_shape_of_the_openapi_example(
    openapi: dict[str, Any], fake_tmdb: FakeTMDB, path: str
) -> None:
    fake_path, query, model, media = ENDPOINTS[path]
    body = await _fake_json(fake_tmdb, fake_path, query)
    if model is CombinedCredits:
        body = body["combined_credits"]
    assert body, path
    assert_shaped_like(body, _schema(openapi, path), _example(openapi, path), path)
    parse_payload(model, body, path, media)


def test_the_shape_check_refuses_an_undocumented_field_or_a_wrong_type(
    openapi: dict[str, Any],
) -> None:
    path = "/3/person/{person_id}"
    good = _example(openapi, path)
    with pytest.raises(AssertionError, match="does not document"):
        assert_shaped_like({**good, "nickname": "x"}, _schema(openapi, path), good, path)
    with pytest.raises(AssertionError, match="schema says"):
        assert_shaped_like({**good, "popularity": "high"}, _schema(openapi, path), good, path)


async def test_reference_lists_are_cached_for_a_day(
    client: TMDBClient, fake_tmdb: FakeTMDB
) -> None:
    for _ in range(2):
        await client.certifications()
        await client.watch_providers(MediaType.MOVIE, "us")
        await client.genres(MediaType.TV, language="de-DE")
    assert fake_tmdb.count() == 3
    for path, params in (
        ("/certification/movie/list", {}),
        ("/watch/providers/movie", {"language": "en-US", "watch_region": "US"}),
        ("/genre/tv/list", {"language": "de-DE"}),
    ):
        hit = client.cache.memory.get(cache_key(path, params))
        assert hit is not None, path
        assert hit[1] - LIST_TTL == pytest.approx(client.cache._clock(), abs=60)


async def test_a_region_without_providers_lists_none(client: TMDBClient) -> None:
    assert (await client.watch_providers(MediaType.MOVIE, "IS")).results == []
    us = await client.watch_providers(MediaType.MOVIE, "US")
    assert {"Netflix", "Max", "Hulu"} <= {p.provider_name for p in us.results}
    priorities = [p.priority_in("US") for p in us.results]
    assert priorities == sorted(priorities)
    dune = await client.title_watch_providers(TitleRef(MediaType.MOVIE, 438631))
    assert dune.for_region("IT") is None
    assert [p.provider_name for p in dune.for_region("US").flatrate] == ["Max"]  # type: ignore[union-attr]


async def test_certifications_differ_by_region(client: TMDBClient) -> None:
    certifications = await client.certifications()
    us = [c.certification for c in certifications.for_region("US")]
    de = [c.certification for c in certifications.for_region("de")]
    assert "PG-13" in us and "12" not in us
    assert "12" in de and "PG-13" not in de
    assert certifications.for_region("ZZ") == []


async def test_a_prolific_person_has_hundreds_of_credits_in_one_request(
    client: TMDBClient, fake_tmdb: FakeTMDB
) -> None:
    person = await client.get_person(21315)
    assert person.combined_credits is not None
    assert len(person.combined_credits.cast) >= 300
    assert fake_tmdb.count() == 1
    assert fake_tmdb.requests[0].query["append_to_response"] == "combined_credits"


async def test_a_person_s_credits_come_from_the_catalogue(client: TMDBClient) -> None:
    villeneuve = await client.get_person(137427)
    assert villeneuve.name == "Denis Villeneuve" and villeneuve.birthday == date(1967, 10, 3)
    assert villeneuve.combined_credits is not None
    directed = {c.display_title for c in villeneuve.combined_credits.crew if c.job == "Director"}
    assert {"Dune", "Arrival", "Blade Runner 2049"} <= directed
    found = await client.search_person("zendaya")
    assert [p.id for p in found.results] == [505710]
    assert found.results[0].known_for


async def _titles(client: TMDBClient, query: DiscoverQuery) -> list[str]:
    return [r.display_title for r in (await client.discover(query)).results]


async def test_discover_applies_each_filter(client: TMDBClient) -> None:
    assert await _titles(client, DiscoverQuery(genre_ids=(18, 9648))) == ["Arrival"]
    assert set(await _titles(client, DiscoverQuery(genre_ids=(18,)))) == {
        "Interstellar",
        "Blade Runner 2049",
        "Arrival",
        "Metropolis",
    }
    years = DiscoverQuery(released_from=date(2015, 1, 1), released_to=date(2017, 12, 31))
    assert set(await _titles(client, years)) == {"Blade Runner 2049", "Arrival"}
    rated_r = DiscoverQuery(certification="R", certification_country="US")
    assert set(await _titles(client, rated_r)) == {"The Matrix", "Blade Runner 2049"}
    assert await _titles(client, DiscoverQuery(certification="R", certification_country="DE")) == []
    assert set(await _titles(client, DiscoverQuery(min_rating=8.3))) == {
        "Inception",
        "Interstellar",
    }
    nolan = DiscoverQuery(people=(525,))
    assert set(await _titles(client, nolan)) == {"Inception", "Interstellar"}
    netflix_de = DiscoverQuery(provider_ids=(8,), watch_region="DE")
    assert set(await _titles(client, netflix_de)) == {"Dune", "Inception", "The Matrix"}
    recent_shows = DiscoverQuery(media=MediaType.TV, released_from=date(2020, 1, 1))
    assert set(await _titles(client, recent_shows)) == {"Severance", "The Last of Us"}
    netflix_us = DiscoverQuery(media=MediaType.TV, provider_ids=(8,), watch_region="US")
    assert await _titles(client, netflix_us) == ["Breaking Bad"]


def test_film_only_filters_are_not_sent_for_shows() -> None:
    query = DiscoverQuery(
        media=MediaType.TV, certification="PG", certification_country="US", people=(1,)
    )
    assert not {"certification", "certification_country", "with_people"} & set(query.params())
    assert query.params()["sort_by"] == "popularity.desc"


async def test_discover_sorts_as_asked(client: TMDBClient) -> None:
    villeneuve = (137427,)
    newest = await _titles(client, DiscoverQuery(people=villeneuve, sort="newest"))
    assert newest[:3] == ["Dune: Part Three", "Dune: Part Two", "Dune"]
    oldest = await _titles(client, DiscoverQuery(people=villeneuve, sort="oldest"))
    assert oldest[0] == "Arrival"
    titles = await _titles(client, DiscoverQuery(people=villeneuve, sort="title"))
    assert titles == sorted(titles)
    shows = await _titles(client, DiscoverQuery(media=MediaType.TV, sort="oldest"))
    assert shows[0] == "Twin Peaks"


async def test_the_person_change_feed_lists_people_changed_in_the_window(
    client: TMDBClient, fake_tmdb: FakeTMDB
) -> None:
    fake_tmdb.discovery.add_credit(
        525, "movie", 9_700_001, name="Christopher Nolan", job="Director",
        at=datetime(2026, 3, 9, 8, 0, tzinfo=UTC),
    )  # fmt: skip
    fake_tmdb.discovery.mark_person_changed(21315, datetime(2026, 3, 1, tzinfo=UTC))
    changed = await client.changed_person_ids(date(2026, 3, 8), date(2026, 3, 10))
    assert changed == {525}
    page = await client.person_changes(date(2026, 2, 28), date(2026, 3, 10))
    assert sorted(e.id for e in page.results) == [525, 21315]
    with pytest.raises(ValueError, match="0 to 14 days"):
        await client.person_changes(date(2026, 2, 1), date(2026, 3, 1))
    fresh = await client.fresh_person(525)
    assert "movie:9700001" in qualifying_credits(fresh)
