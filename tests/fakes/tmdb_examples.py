"""TMDB's own answers: the example responses of its OpenAPI description, read once.

Every endpoint of the description carries an example answer for a real, popular title
(Fight Club, Game of Thrones). The fake's realistic mode (`tests/fakes/tmdb_realistic.py`)
builds detail answers of real size from them; benchmarks use whole example titles.
"""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path
from typing import Any

from filmbot.tmdb.client import MOVIE_APPEND, TV_APPEND

ROOT = Path(__file__).resolve().parents[2]
OPENAPI_FILE = ROOT.parent / "shared" / "data" / "tmdb-openapi" / "tmdb-api-v3.json"
DETAILS_PATH = {"movie": "/3/movie/{movie_id}", "tv": "/3/tv/{series_id}"}
FILMBOT_APPEND = {"movie": MOVIE_APPEND, "tv": TV_APPEND}


def openapi_file() -> Path:
    """TMDB's OpenAPI description: FILMBOT_TEST_OPENAPI, else ../shared beside the repository."""
    return Path(os.environ.get("FILMBOT_TEST_OPENAPI") or OPENAPI_FILE)


@cache
def _paths() -> dict[str, Any]:
    paths: dict[str, Any] = json.loads(openapi_file().read_text(encoding="utf-8"))["paths"]
    return paths


@cache
def example_part(media: str, part: str | None = None) -> Any:
    """The example answer of /{media}/{id} (part None) or /{media}/{id}/{part}, else None.

    Shared between callers: copy it before changing it. A part's own `id` is left out, as
    TMDB leaves it out of a section brought by `append_to_response`.
    """
    path = DETAILS_PATH[media] + (f"/{part}" if part else "")
    try:
        content = _paths()[path]["get"]["responses"]["200"]["content"]["application/json"]
        value = json.loads(content["examples"]["Result"]["value"])
    except KeyError:
        return None
    if part and isinstance(value, dict):
        value.pop("id", None)
    return value


def example_title(media: str) -> dict[str, Any]:
    """The details example of `media` with every section FilmBot's client appends."""
    record: dict[str, Any] = dict(example_part(media))
    for section in FILMBOT_APPEND[media]:
        record[section] = example_part(media, section)
    return record
