"""Detail answers of real size: the fake catalogue's titles inside TMDB's example answers.

TMDB answers a details request with the parts its `append_to_response` asks for; for a
popular title those parts are large: in TMDB's examples, Fight Club with what the update
engine asks for (`release_dates,watch/providers`) is 82 KB and with the client's five parts
150 KB; Game of Thrones with `watch/providers` 36 KB and with the client's four 48 KB. The
fake's blank titles are about 0.5 KB. In the catalogue's realistic mode each details answer
is the OpenAPI example of the title and of every part asked for, with what the catalogue
says about the title put in, so the update engine finds the same events in both modes:

- the fields that decide events (EVENT_FIELDS: what `snapshot_from_tmdb` reads) are the
  catalogue's, or absent when it lacks them; any other field is the catalogue's when it
  holds something there, else the example's (genres, seasons, companies, overview...);
- `release_dates` and `watch/providers` are per country: the catalogue's countries, then the
  example's others, except OWN_REGIONS, where the catalogue speaks for the title even when
  it sets nothing there (every guild and member of the tests and benchmarks is in the US);
- any other part (credits, videos, images, keywords, content_ratings...): the catalogue's
  when it holds anything, else the example's, else the catalogue's empty one.

The examples are serialised once, in fragments, so an answer costs a join, not a dump.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cache
from typing import Any

from tests.fakes.tmdb_examples import example_part

OWN_REGIONS = frozenset({"US"})
EVENT_FIELDS = frozenset(
    {
        "title",
        "original_title",
        "name",
        "original_name",
        "status",
        "release_date",
        "first_air_date",
        "last_air_date",
        "number_of_seasons",
        "next_episode_to_air",
        "last_episode_to_air",
        "networks",
    }
)
PER_COUNTRY = ("release_dates", "watch/providers")


def realistic_json(media: str, small: dict[str, Any], append: Sequence[str]) -> bytes:
    """The answer of real size for `small`, the catalogue's details with its appended parts."""
    sections = set(append)
    example = _base_fragments(media)
    filled = [
        key
        for key in example
        if key not in EVENT_FIELDS and key not in sections and _blank(small.get(key))
    ]
    parts = [
        _item(key, value)
        for key, value in small.items()
        if key not in sections and key not in filled
    ]
    parts += [example[key] for key in filled]
    for section in dict.fromkeys(append):
        part = _section(media, section, small.get(section))
        if part is not None:
            parts.append(part)
    return ("{" + ",".join(parts) + "}").encode()


def _section(media: str, section: str, own: Any) -> str | None:
    if section in PER_COUNTRY and isinstance(own, dict) and example_part(media, section):
        return _per_country(media, section, own)
    if own is not None and not _empty(own):
        return _item(section, own)
    example = _example_fragment(media, section)
    if example is not None:
        return example
    return None if own is None else _item(section, own)


def _per_country(media: str, section: str, own: dict[str, Any]) -> str:
    """The catalogue's countries, then the example's others outside OWN_REGIONS."""
    results = own.get("results")
    if section == "release_dates":
        entries = results if isinstance(results, list) else []
        mine = [_dump(entry) for entry in entries]
        skip = OWN_REGIONS | {str(entry.get("iso_3166_1", "")).upper() for entry in entries}
        opening, closing = '{"results":[', "]}"
    else:
        regions = results if isinstance(results, dict) else {}
        mine = [_item(region, value) for region, value in regions.items()]
        skip = OWN_REGIONS | {region.upper() for region in regions}
        opening, closing = '{"results":{', "}}"
    fragments = _country_fragments(media, section)
    theirs = [fragment for region, fragment in fragments if region not in skip]
    return _dump(section) + ":" + opening + ",".join(mine + theirs) + closing


def _empty(value: Any) -> bool:
    """Whether a part holds nothing but empty lists, blank strings, nulls and counts."""
    if isinstance(value, dict):
        return all(_empty(v) for v in value.values())
    if isinstance(value, list | str):
        return not value
    return True


def _blank(value: Any) -> bool:
    """Whether a top-level field is missing, null or empty."""
    return value is None or value in ("", [], {})


@cache
def _base_fragments(media: str) -> dict[str, str]:
    details = example_part(media) or {}
    return {key: _item(key, value) for key, value in details.items() if key != "id"}


@cache
def _example_fragment(media: str, section: str) -> str | None:
    example = example_part(media, section)
    return None if example is None else _item(section, example)


@cache
def _country_fragments(media: str, section: str) -> tuple[tuple[str, str], ...]:
    results = example_part(media, section)["results"]
    if section == "release_dates":
        return tuple((str(entry["iso_3166_1"]).upper(), _dump(entry)) for entry in results)
    return tuple((region.upper(), _item(region, value)) for region, value in results.items())


def _item(key: str, value: Any) -> str:
    return _dump(key) + ":" + _dump(value)


def _dump(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))
