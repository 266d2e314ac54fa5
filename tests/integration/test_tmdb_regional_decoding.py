"""Details decoded for a few countries: the same data as a full decode, minus the others."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import orjson
import pytest

from filmbot.domain.models import MediaType, TitleRef
from filmbot.domain.updates import snapshot_from_tmdb
from filmbot.services.updates import TMDBTitleSource
from filmbot.tmdb import TMDBUnavailable, regional_decoder
from tests.fakes.tmdb_catalogue import Catalogue
from tests.fakes.tmdb_server import FakeTMDB
from tests.integration.test_update_support import day, make_client

NOW = datetime(2026, 3, 10, 12, tzinfo=UTC)
FILM, SHOW = TitleRef(MediaType.MOVIE, 7), TitleRef(MediaType.TV, 8)


def trimmed(payload: dict[str, Any], regions: set[str]) -> dict[str, Any]:
    """The full payload with only `regions` in the two per-country sections."""
    out = dict(payload)
    if "watch/providers" in out:
        results = out["watch/providers"]["results"]
        out["watch/providers"] = {"results": {r: v for r, v in results.items() if r in regions}}
    if "release_dates" in out:
        out["release_dates"] = {
            "results": [
                {"iso_3166_1": e["iso_3166_1"], "release_dates": e["release_dates"]}
                for e in out["release_dates"]["results"]
                if e["iso_3166_1"] in regions
            ]
        }
    return out


async def test_tmdb_sized_details_decoded_for_two_regions_match_a_full_decode(
    openapi: dict[str, Any],
) -> None:
    catalogue = Catalogue(today=NOW.date(), realistic=True)
    catalogue.set_movie(7, title="Film 7", status="Released")
    catalogue.set_release_date(7, day(0), country="US")
    catalogue.set_tv(8, name="Show 8", status="Returning Series")
    catalogue.set_next_episode(8, day(1), season=2, episode=3)
    regions = {"US", "DE"}
    async with FakeTMDB(catalogue=catalogue) as fake, make_client(fake) as client:
        source = TMDBTitleSource(client)
        full = {ref: await source.details(ref) for ref in (FILM, SHOW)}
        few = {ref: await source.details(ref, ["us", "de"]) for ref in (FILM, SHOW)}

    for ref in (FILM, SHOW):
        assert few[ref] == trimmed(full[ref], regions)
        assert snapshot_from_tmdb(few[ref], ref.media_type, NOW, regions) == snapshot_from_tmdb(
            full[ref], ref.media_type, NOW, regions
        )
    assert set(few[FILM]["watch/providers"]["results"]) == {"DE"}  # no US offers in the fake
    assert {e["iso_3166_1"] for e in few[FILM]["release_dates"]["results"]} == regions
    assert len(full[FILM]["watch/providers"]["results"]) > 40


def test_sections_of_another_shape_and_lower_case_countries_are_kept_as_sent() -> None:
    body = {
        "id": 1,
        "title": "Odd",
        "watch/providers": {"results": {"us": {"flatrate": [{"provider_id": 8}]}, "FR": {}}},
        "release_dates": {"results": "none"},
        "credits": {"cast": [{"name": "A"}]},
    }
    decoded = regional_decoder({"US"})(orjson.dumps(body))
    assert decoded["watch/providers"] == {"results": {"US": {"flatrate": [{"provider_id": 8}]}}}
    assert decoded["release_dates"] == {"results": "none"}
    assert decoded["credits"] == body["credits"]


def test_what_only_the_standard_parser_reads_is_decoded_whole_and_garbage_is_refused() -> None:
    odd = b'{"id": 2, "overview": "cut \\ud83c here", "watch/providers": {"results": {}}}'
    assert regional_decoder({"US"})(odd) == json.loads(odd)
    with pytest.raises(ValueError):
        regional_decoder({"US"})(b"<html>502 Bad Gateway</html>")


async def test_a_malformed_answer_is_retried_with_the_regional_decoder_too() -> None:
    catalogue = Catalogue(today=NOW.date())
    catalogue.set_movie(7, title="Film 7", status="Released")
    async with FakeTMDB(catalogue=catalogue) as fake, make_client(fake) as client:
        fake.faults.malformed_next(1)
        film = await TMDBTitleSource(client).details(FILM, ["US"])
        fake.faults.malformed_next(5)
        with pytest.raises(TMDBUnavailable, match="not JSON"):
            await TMDBTitleSource(client).details(FILM, ["US"])

    assert film["title"] == "Film 7"
    assert client.transport.stats.retries >= 1
