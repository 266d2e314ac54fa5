"""/find through the client: TMDB's documented example, the fake's answers and its errors."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from filmbot.domain.models import MediaType, TitleRef
from filmbot.tmdb import TMDBClient, TMDBNotFound
from filmbot.tmdb.alternative_titles import AlternativeTitles
from filmbot.tmdb.find import FindResults
from filmbot.tmdb.models import parse_payload
from tests.fakes.plugin_tmdb import make_client
from tests.fakes.tmdb_server import FakeTMDB


@pytest.fixture
async def client(fake_tmdb: FakeTMDB) -> AsyncIterator[TMDBClient]:
    async with make_client(fake_tmdb) as client:
        yield client


def test_the_openapi_example_parses_into_find_results(openapi: dict[str, Any]) -> None:
    operation = openapi["paths"]["/3/find/{external_id}"]["get"]
    content = operation["responses"]["200"]["content"]["application/json"]
    example = json.loads(content["examples"]["Result"]["value"])
    parsed = parse_payload(FindResults, example, "/find/tt")
    assert parsed.first_ref() == TitleRef(MediaType.MOVIE, example["movie_results"][0]["id"])
    sources = next(p for p in operation["parameters"] if p["name"] == "external_source")
    assert "imdb_id" in sources["schema"]["enum"]
    assert set(example) <= set(content["schema"]["properties"])


async def test_find_by_imdb_id_returns_the_movie_or_the_show(client: TMDBClient) -> None:
    matrix = await client.find_by_imdb_id("tt0133093")
    assert matrix.first_ref() == TitleRef(MediaType.MOVIE, 603)
    assert matrix.movie_results[0].title == "The Matrix"
    show = await client.find_by_imdb_id("tt0903747")
    assert show.first_ref() == TitleRef(MediaType.TV, 1396)


async def test_an_unknown_imdb_id_finds_nothing(client: TMDBClient) -> None:
    assert (await client.find_by_imdb_id("tt0000000")).first_ref() is None


async def test_an_unknown_external_source_is_tmdbs_invalid_id_error(
    client: TMDBClient,
) -> None:
    assert (await client.find_by_external_id("x", "youtube_id")).first_ref() is None
    with pytest.raises(TMDBNotFound):
        await client.transport.get_json("/find/tt0133093", {"external_source": "netflix"})


@pytest.mark.parametrize(
    ("path", "ref"),
    [
        ("/3/movie/{movie_id}/alternative_titles", TitleRef(MediaType.MOVIE, 550)),
        ("/3/tv/{series_id}/alternative_titles", TitleRef(MediaType.TV, 1399)),
    ],
)
def test_the_openapi_examples_parse_into_alternative_titles(
    openapi: dict[str, Any], path: str, ref: TitleRef
) -> None:
    content = openapi["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
    example = json.loads(content["examples"]["Result"]["value"])
    parsed = parse_payload(AlternativeTitles, example, path)
    assert parsed.id == ref.tmdb_id
    assert len(parsed.names) == len(
        {e["title"] for e in example.get("titles", example.get("results"))}
    )
    assert set(example) <= set(content["schema"]["properties"])


async def test_the_fake_serves_alternative_titles_of_movies_and_shows(
    client: TMDBClient, fake_tmdb: FakeTMDB
) -> None:
    fake_tmdb.catalogue.movies[329865]["_alternative_titles"] = [
        {"iso_3166_1": "FR", "title": "Premier Contact", "type": ""}
    ]
    arrival = await client.alternative_titles(TitleRef(MediaType.MOVIE, 329865))
    assert arrival.names == ["Premier Contact"]
    assert (await client.alternative_titles(TitleRef(MediaType.TV, 1396))).names == []
    with pytest.raises(TMDBNotFound):
        await client.movie_alternative_titles(999_999_999)
