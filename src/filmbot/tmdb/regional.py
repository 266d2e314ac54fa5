"""Decode a details answer for a few countries only.

TMDB's `watch/providers` and `release_dates` sections list about 60 countries; in a film's
details they are nine tenths of its 60-80 KB. A caller that needs a few countries (the
update engine needs its followers' regions) decodes the answer with `regional_decoder`:
msgspec decodes the top-level fields as raw spans, the countries of those two sections as
raw spans too, and only the asked countries into Python objects. The result is the dict a
full decode gives, minus the other countries (a `release_dates` entry keeps its
`iso_3166_1` and `release_dates`); a body that is not JSON raises ValueError, as
`json.loads` does. JSON msgspec refuses but the standard parser reads (an unpaired surrogate
escape in a user-written overview) is decoded whole by the standard parser.

msgspec is used because it can leave parts of a document undecoded (`msgspec.Raw`) while
still checking it is well-formed; orjson, which decodes everything else, cannot.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection
from typing import Any

import msgspec

PROVIDERS = "watch/providers"
RELEASES = "release_dates"

Decoder = Callable[[bytes | str], Any]


class _Providers(msgspec.Struct):
    results: dict[str, msgspec.Raw] = {}


class _Country(msgspec.Struct):
    iso_3166_1: str = ""
    release_dates: msgspec.Raw = msgspec.Raw(b"[]")


class _Releases(msgspec.Struct):
    results: list[_Country] = []


_TOP = msgspec.json.Decoder(dict[str, msgspec.Raw])
_ANY = msgspec.json.Decoder()
_PROVIDERS = msgspec.json.Decoder(_Providers)
_RELEASES = msgspec.json.Decoder(_Releases)


def regional_decoder(regions: Collection[str]) -> Decoder:
    """A decoder keeping only these countries (ISO 3166-1 codes, any case) in the two sections."""
    wanted = frozenset(region.upper() for region in regions)

    def decode(body: bytes | str) -> Any:
        try:
            return _decode(body, wanted)
        except msgspec.DecodeError:
            return json.loads(body)  # raises ValueError on what is not JSON at all

    return decode


def _decode(body: bytes | str, wanted: frozenset[str]) -> dict[str, Any]:
    top = _TOP.decode(body)
    payload: dict[str, Any] = {}
    for key, raw in top.items():
        if key == PROVIDERS:
            payload[key] = _providers(raw, wanted)
        elif key == RELEASES:
            payload[key] = _releases(raw, wanted)
        else:
            payload[key] = _ANY.decode(raw)
    return payload


def _providers(raw: msgspec.Raw, wanted: frozenset[str]) -> Any:
    try:
        section = _PROVIDERS.decode(raw)
    except msgspec.ValidationError:
        return _ANY.decode(raw)  # not the documented shape: leave it to the caller
    return {
        "results": {
            region.upper(): _ANY.decode(country)
            for region, country in section.results.items()
            if region.upper() in wanted
        }
    }


def _releases(raw: msgspec.Raw, wanted: frozenset[str]) -> Any:
    try:
        section = _RELEASES.decode(raw)
    except msgspec.ValidationError:
        return _ANY.decode(raw)
    return {
        "results": [
            {"iso_3166_1": country.iso_3166_1, "release_dates": _ANY.decode(country.release_dates)}
            for country in section.results
            if country.iso_3166_1.upper() in wanted
        ]
    }
