"""The fake TMDB's realistic mode: details of TMDB's real size, the same events as small ones."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from filmbot.domain.models import MediaType, TitleRef
from filmbot.services.updates import TMDBTitleSource
from tests.fakes.tmdb_catalogue import Catalogue
from tests.fakes.tmdb_server import FakeTMDB
from tests.integration.test_update_support import FILM, SHOW, Sessions, day, make_client, world

NETFLIX = {"provider_id": 8, "provider_name": "Netflix", "logo_path": "/n.jpg"}


def size(payload: dict[str, Any]) -> int:
    """The payload's bytes as the fake sends it (compact JSON)."""
    return len(json.dumps(payload, separators=(",", ":")).encode())


async def test_details_the_engine_asks_for_are_of_tmdb_size_around_the_catalogue_fields(
    openapi: dict[str, Any],
) -> None:
    catalogue = Catalogue(today=datetime.now(UTC).date(), realistic=True)
    catalogue.set_movie(7, title="Film 7", status="Released")
    catalogue.set_release_date(7, day(0), country="US")
    catalogue.set_tv(8, name="Show 8", status="Returning Series")
    catalogue.set_next_episode(8, day(1), season=2, episode=3)
    async with FakeTMDB(catalogue=catalogue) as fake, make_client(fake) as client:
        source = TMDBTitleSource(client)
        film = await source.details(TitleRef(MediaType.MOVIE, 7))
        show = await source.details(TitleRef(MediaType.TV, 8))
        full = await client.get_movie(7)

    assert 60_000 < size(film) < 100_000 and 25_000 < size(show) < 50_000
    assert (film["id"], film["title"], film["status"]) == (7, "Film 7", "Released")
    countries = {entry["iso_3166_1"]: entry for entry in film["release_dates"]["results"]}
    assert len(countries) > 40
    assert [r["release_date"][:10] for r in countries["US"]["release_dates"]] == [str(day(0))]
    assert "US" not in film["watch/providers"]["results"]  # the catalogue sets none there
    assert len(film["watch/providers"]["results"]) > 40
    assert (show["id"], show["name"], show["next_episode_to_air"]["air_date"]) == (
        8,
        "Show 8",
        str(day(1)),
    )
    assert "credits" not in film and "release_dates" not in show
    assert full.credits is not None and len(full.credits.cast) > 10  # the example's cast


@pytest.mark.parametrize("backend", ["sqlite"])
@pytest.mark.parametrize("realistic", [False, True], ids=["small", "realistic"])
async def test_the_engine_finds_the_same_events_in_realistic_payloads(
    sessionmaker: Sessions, openapi: dict[str, Any], realistic: bool
) -> None:
    async with world(sessionmaker) as w:
        w.catalogue.realistic = realistic
        w.dated_film(on=-1)
        w.airing_show(season=2, episode=5)
        await w.follow(FILM)
        await w.subscribe(SHOW)
        await w.engine().run_cycle()
        w.clock.advance(days=1)
        w.film(**{"watch/providers": {"results": {"US": {"flatrate": [NETFLIX]}}}})
        w.changed(FILM)
        await w.engine().run_cycle()
        stored = await w.ledger()
        served = await TMDBTitleSource(w.client).details(FILM)

    assert (size(served) > 60_000) is realistic
    assert sorted(w.sender.titles()) == [
        "The Film is now streaming on Netflix in US",
        "The Film is out in US",
        "The Show S02E05 airs tomorrow",
    ]
    assert len(stored) == 3
