"""The `streaming` event: a followed title starts streaming on a provider in a region.

A snapshot keeps, per region, the providers streaming the title (flatrate, free or with ads)
and those that left with the day they were last seen. A provider is announced
when it streams now, did not in the previous snapshot, and was not seen in the 30 days
before: so one that leaves and comes back within 30 days is not announced again. The first
snapshot that tracks streaming is a baseline and announces nothing.

A region the previous snapshot did not track (see `TitleSnapshot.regions`) is a baseline
too: the first snapshot tracking it announces nothing there.

Event keys depend only on the previous snapshot (`US:1899`, or `US:1899:after:2026-01-02`
for a return after 30 days), so a cycle repeated after a crash finds the same keys.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

STREAMING_MONETIZATION = ("flatrate", "free", "ads")
RETURN_QUIET_DAYS = 30

Offers = Mapping[str, frozenset[int]]


@dataclass(frozen=True, slots=True)
class Streaming:
    """Who streams a title where, and who left recently (region -> provider -> last seen)."""

    offers: Offers = field(default_factory=dict)
    names: Mapping[int, str] = field(default_factory=dict)
    gone: Mapping[str, Mapping[int, date]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict that `from_dict` reads back."""
        return {
            "offers": {r: sorted(ids) for r, ids in sorted(self.offers.items()) if ids},
            "names": {str(pid): name for pid, name in sorted(self.names.items())},
            "gone": {
                r: {str(pid): day.isoformat() for pid, day in sorted(left.items())}
                for r, left in sorted(self.gone.items())
                if left
            },
        }

    @classmethod
    def from_dict(cls, data: object) -> Streaming | None:
        """Read the stored form; None when the snapshot predates streaming tracking."""
        if not isinstance(data, Mapping):
            return None
        offers = {
            str(r).upper(): frozenset(int(p) for p in ids if _is_id(p))
            for r, ids in _mapping(data.get("offers")).items()
            if isinstance(ids, list)
        }
        names = {int(p): str(n) for p, n in _mapping(data.get("names")).items() if _is_id(p)}
        gone = {
            str(r).upper(): {
                int(p): d for p, text in _mapping(left).items() if _is_id(p) and (d := _day(text))
            }
            for r, left in _mapping(data.get("gone")).items()
        }
        return cls(offers, names, gone)


def streaming_from_tmdb(block: object, regions: Collection[str] | None = None) -> Streaming:
    """Read TMDB's `watch/providers` section: the streaming offers of every region.

    With `regions` (upper-case country codes), only those regions are read.
    """
    results = _mapping(block.get("results") if isinstance(block, dict) else None)
    if regions is not None:
        results = {key: c for r, c in results.items() if (key := str(r).upper()) in regions}
    offers: dict[str, frozenset[int]] = {}
    names: dict[int, str] = {}
    for region, country in results.items():
        ids = set()
        for kind in STREAMING_MONETIZATION:
            for provider in _list(_mapping(country).get(kind)):
                pid = _mapping(provider).get("provider_id")
                if isinstance(pid, int) and not isinstance(pid, bool):
                    ids.add(pid)
                    names[pid] = str(_mapping(provider).get("provider_name") or pid)
        if ids:
            offers[str(region).upper()] = frozenset(ids)
    return Streaming(offers, names)


def only_regions(streaming: Streaming, regions: Collection[str]) -> Streaming:
    """The streaming data of these regions only, with the names of their providers."""
    offers = {r: ids for r, ids in streaming.offers.items() if r in regions}
    gone = {r: left for r, left in streaming.gone.items() if r in regions}
    return Streaming(offers, _names_of(streaming.names, offers, gone), gone)


def carry_forward(current: Streaming, previous: Streaming | None, seen_on: date) -> Streaming:
    """Remember who left since `previous` (last seen on `seen_on`).

    Departures are kept (a title has few providers), so a return is judged by when the
    provider was last seen and its event key is new however long it was away.
    """
    if previous is None:
        return current
    gone: dict[str, dict[int, date]] = {}
    for region in set(previous.offers) | set(previous.gone):
        now = current.offers.get(region, frozenset())
        left = {pid: day for pid, day in previous.gone.get(region, {}).items() if pid not in now}
        left |= {pid: seen_on for pid in previous.offers.get(region, ()) if pid not in now}
        if left:
            gone[region] = left
    names = _names_of({**previous.names, **current.names}, current.offers, gone)
    return replace(current, gone=gone, names=names)


def newly_streaming(
    current: Streaming, previous: Streaming | None, region: str, today: date
) -> list[tuple[int, str, str]]:
    """(provider id, name, event key) of each provider newly streaming in `region`.

    A returning provider counts when it was last seen more than RETURN_QUIET_DAYS before
    `today`; its key names that day, so a cycle repeated after a crash finds the same key.
    """
    if previous is None:
        return []
    before = previous.offers.get(region, frozenset())
    left = previous.gone.get(region, {})
    found = []
    for pid in sorted(current.offers.get(region, frozenset()) - before):
        last_seen = left.get(pid)
        if last_seen is not None and (today - last_seen).days <= RETURN_QUIET_DAYS:
            continue
        key = f"{region}:{pid}" if last_seen is None else f"{region}:{pid}:after:{last_seen}"
        found.append((pid, current.names.get(pid, f"provider {pid}"), key))
    return found


def _names_of(
    names: Mapping[int, str], offers: Offers, gone: Mapping[str, Mapping[int, date]]
) -> dict[int, str]:
    """The names of the providers that stream or left somewhere in these regions."""
    used = {pid for ids in offers.values() for pid in ids}
    used.update(pid for left in gone.values() for pid in left)
    return {pid: name for pid, name in names.items() if pid in used}


def _mapping(value: object) -> dict[Any, Any]:
    # JSON objects decode to dicts: a check against dict is many times cheaper than one
    # against collections.abc.Mapping, and it runs for every country of every payload.
    return value if isinstance(value, dict) else {}


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _is_id(value: object) -> bool:
    return isinstance(value, int | str) and str(value).isdigit()


def _day(value: object) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
