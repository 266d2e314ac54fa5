"""Titles as large as TMDB's own: the example responses of its OpenAPI description.

A detail request with FilmBot's `append_to_response` returns 50-150 KB from TMDB (the cast
and crew, release dates and watch providers of every country), against about 0.5 KB for the
fake's blank titles. The fake serves these bodies (made once, with each title's id) so that
benchmarks send, receive and parse real sizes.
"""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path
from typing import Any

from tests.fakes.tmdb_catalogue import APPENDABLE, Title

ROOT = Path(__file__).resolve().parents[2]
OPENAPI_FILE = ROOT.parent / "shared" / "data" / "tmdb-openapi" / "tmdb-api-v3.json"
DETAILS_PATH = {"movie": "/3/movie/{movie_id}", "tv": "/3/tv/{series_id}"}


def openapi_file() -> Path:
    """TMDB's OpenAPI description: FILMBOT_TEST_OPENAPI, else ../shared beside the repository."""
    return Path(os.environ.get("FILMBOT_TEST_OPENAPI") or OPENAPI_FILE)


@cache
def example_title(media: str) -> Title:
    """The details example of `media` with every section FilmBot appends, as one record."""
    paths = json.loads(openapi_file().read_text(encoding="utf-8"))["paths"]
    base = DETAILS_PATH[media]
    record: Title = _example(paths, base)
    for section in APPENDABLE:
        if section != "release_dates" or media == "movie":
            record[section] = _example(paths, f"{base}/{section}")
            record[section].pop("id", None)
    return record


@cache
def _body_parts(media: str) -> tuple[bytes, bytes]:
    rest = {k: v for k, v in example_title(media).items() if k != "id"}
    return b'{"id":', b"," + json.dumps(rest, separators=(",", ":")).encode()[1:]


def example_body(media: str, tmdb_id: int) -> bytes:
    """The JSON answer to a details request for an example-sized title with id `tmdb_id`."""
    prefix, suffix = _body_parts(media)
    return prefix + str(tmdb_id).encode() + suffix


def _example(paths: dict[str, Any], path: str) -> Any:
    content = paths[path]["get"]["responses"]["200"]["content"]["application/json"]
    return json.loads(content["examples"]["Result"]["value"])
