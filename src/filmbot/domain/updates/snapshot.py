"""What FilmBot remembers about a title between update cycles.

A `TitleSnapshot` keeps only the TMDB fields the update rules read. It round-trips through
plain JSON (`to_dict` / `from_dict`) so the update engine can store it in the database, and
`snapshot_from_tmdb` builds one from a raw TMDB `/movie/{id}?append_to_response=release_dates`
or `/tv/{id}` response. Both readers tolerate missing, null and empty fields, because old
stored snapshots and sparse TMDB entries are normal.

TMDB lists release dates and streaming offers for about 60 countries; a snapshot built for
the regions of a title's followers keeps only theirs (`regions`), which makes it a few
hundred bytes instead of tens of kilobytes. A region the snapshot does not track is unknown,
not empty: the update rules wait for a snapshot that tracks it (the engine refetches the
title when a follower's region is missing) instead of falling back to the primary date.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any, NamedTuple

from filmbot.domain.models import MediaType, TitleRef
from filmbot.domain.updates.streaming import (
    Streaming,
    carry_forward,
    only_regions,
    streaming_from_tmdb,
)

SNAPSHOT_FORMAT = 1
UNKNOWN_FETCH_TIME = datetime(1970, 1, 1, tzinfo=UTC)


class ReleaseType(int, enum.Enum):
    """TMDB's release_dates type codes."""

    PREMIERE = 1
    THEATRICAL_LIMITED = 2
    THEATRICAL = 3
    DIGITAL = 4
    PHYSICAL = 5
    TV = 6

    @property
    def label(self) -> str:
        """The word shown to users."""
        return _RELEASE_TYPE_LABELS[self]


_RELEASE_TYPE_LABELS = {
    ReleaseType.PREMIERE: "premiere",
    ReleaseType.THEATRICAL_LIMITED: "limited theatrical",
    ReleaseType.THEATRICAL: "theatrical",
    ReleaseType.DIGITAL: "digital",
    ReleaseType.PHYSICAL: "physical",
    ReleaseType.TV: "TV",
}


class RegionalRelease(NamedTuple):
    """One release of a film in one country: (type, date)."""

    type: ReleaseType
    date: date


@dataclass(frozen=True, slots=True)
class EpisodeInfo:
    """One TV episode as TMDB lists it in next/last_episode_to_air."""

    season_number: int
    episode_number: int
    air_date: date | None = None
    name: str = ""
    overview: str = ""
    episode_type: str = ""

    @property
    def code(self) -> str:
        """The episode code, e.g. S02E05."""
        return f"S{self.season_number:02d}E{self.episode_number:02d}"

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "season_number": self.season_number,
            "episode_number": self.episode_number,
            "air_date": _date_text(self.air_date),
            "name": self.name,
            "overview": self.overview,
            "episode_type": self.episode_type,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> EpisodeInfo | None:
        """Read a stored or TMDB episode dict; None when it names no episode."""
        if not isinstance(data, Mapping):
            return None
        season, episode = _as_int(data.get("season_number")), _as_int(data.get("episode_number"))
        if season is None or episode is None:
            return None
        return cls(
            season_number=season,
            episode_number=episode,
            air_date=parse_tmdb_date(data.get("air_date")),
            name=_as_text(data.get("name")),
            overview=_as_text(data.get("overview")),
            episode_type=_as_text(data.get("episode_type")),
        )


@dataclass(frozen=True)
class TitleSnapshot:
    """The fields of one TMDB title that update detection needs, at one fetch.

    `release_date` is the primary release date for films and the first air date for TV.
    `release_dates` maps an ISO 3166-1 country code to that country's releases (films only).
    """

    ref: TitleRef
    title: str
    fetched_at: datetime
    poster_path: str | None = None
    status: str = ""
    release_date: date | None = None
    release_dates: Mapping[str, tuple[RegionalRelease, ...]] = field(default_factory=dict)
    number_of_seasons: int | None = None
    next_episode_to_air: EpisodeInfo | None = None
    last_episode_to_air: EpisodeInfo | None = None
    network: str = ""
    streaming: Streaming | None = None
    """Streaming offers per region; None in snapshots made without watch providers."""
    regions: frozenset[str] | None = None
    """The countries whose release dates and offers this snapshot tracks; None for all."""

    def covers(self, region: str) -> bool:
        """Whether the snapshot tracks the region's release dates and streaming offers."""
        return self.regions is None or region.upper() in self.regions

    def covers_all(self, regions: Collection[str]) -> bool:
        """Whether the snapshot tracks every one of these (upper-case) regions."""
        return self.regions is None or self.regions.issuperset(regions)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict that `from_dict` reads back."""
        stored: dict[str, Any] = {
            "format": SNAPSHOT_FORMAT,
            "media_type": self.ref.media_type.value,
            "tmdb_id": self.ref.tmdb_id,
            "title": self.title,
            "poster_path": self.poster_path,
            "status": self.status,
            "release_date": _date_text(self.release_date),
            "release_dates": {
                country: [[item.type.value, item.date.isoformat()] for item in items]
                for country, items in self.release_dates.items()
            },
            "number_of_seasons": self.number_of_seasons,
            "next_episode_to_air": _episode_dict(self.next_episode_to_air),
            "last_episode_to_air": _episode_dict(self.last_episode_to_air),
            "fetched_at": self.fetched_at.isoformat(),
            "network": self.network,
        }
        if self.streaming is not None:
            stored["streaming"] = self.streaming.to_dict()
        if self.regions is not None:
            stored["regions"] = sorted(self.regions)
        return stored

    def remembering(self, previous: TitleSnapshot | None) -> TitleSnapshot:
        """This snapshot with the streaming departures `previous` knew of carried over.

        Only the regions this snapshot tracks are carried over.
        """
        if self.streaming is None or previous is None or previous.streaming is None:
            return self
        seen_on = previous.fetched_at.date()
        before = previous.streaming
        if self.regions is not None:
            before = only_regions(before, self.regions)
        return replace(self, streaming=carry_forward(self.streaming, before, seen_on))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], ref: TitleRef | None = None) -> TitleSnapshot:
        """Read a dict written by `to_dict`, tolerating keys missing from older formats.

        Pass `ref` when the caller stores the title identity beside the dict.
        """
        return cls(
            ref=ref or _stored_ref(data),
            title=_as_text(data.get("title")),
            fetched_at=_parse_instant(data.get("fetched_at")),
            poster_path=_as_text(data.get("poster_path")) or None,
            status=_as_text(data.get("status")),
            release_date=parse_tmdb_date(data.get("release_date")),
            release_dates=_stored_release_dates(data.get("release_dates")),
            number_of_seasons=_as_int(data.get("number_of_seasons")),
            next_episode_to_air=EpisodeInfo.from_dict(data.get("next_episode_to_air")),
            last_episode_to_air=EpisodeInfo.from_dict(data.get("last_episode_to_air")),
            network=_as_text(data.get("network")),
            streaming=Streaming.from_dict(data.get("streaming")),
            regions=_stored_regions(data.get("regions")),
        )


def snapshot_from_tmdb(
    payload: Mapping[str, Any],
    media_type: MediaType | str,
    fetched_at: datetime,
    regions: Collection[str] | None = None,
) -> TitleSnapshot:
    """Build a snapshot from a raw TMDB movie or TV details response.

    With `regions`, only those countries' release dates and streaming offers are read and
    kept; without, every country's.
    """
    kind = MediaType(media_type)
    wanted = None if regions is None else frozenset(region.upper() for region in regions)
    tmdb_id = _as_int(payload.get("id"))
    if tmdb_id is None:
        raise ValueError("TMDB payload has no id")
    if fetched_at.tzinfo is None:
        raise ValueError("fetched_at must be timezone-aware")
    is_movie = kind is MediaType.MOVIE
    return TitleSnapshot(
        ref=TitleRef(kind, tmdb_id),
        title=_payload_title(payload, is_movie),
        fetched_at=fetched_at.astimezone(UTC),
        poster_path=_as_text(payload.get("poster_path")) or None,
        status=_as_text(payload.get("status")),
        release_date=parse_tmdb_date(payload.get("release_date" if is_movie else "first_air_date")),
        release_dates=(
            _tmdb_release_dates(payload.get("release_dates"), wanted) if is_movie else {}
        ),
        number_of_seasons=None if is_movie else _as_int(payload.get("number_of_seasons")),
        next_episode_to_air=None if is_movie else _episode(payload, "next_episode_to_air"),
        last_episode_to_air=None if is_movie else _episode(payload, "last_episode_to_air"),
        network="" if is_movie else _first_network(payload.get("networks")),
        streaming=(
            streaming_from_tmdb(payload["watch/providers"], wanted)
            if "watch/providers" in payload
            else None
        ),
        regions=wanted,
    )


def parse_tmdb_date(value: object) -> date | None:
    """Parse '2026-03-12' or '2026-03-12T00:00:00.000Z'; None for empty or malformed values."""
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _stored_ref(data: Mapping[str, Any]) -> TitleRef:
    """Read the title identity of a stored snapshot."""
    tmdb_id = _as_int(data.get("tmdb_id"))
    kind = data.get("media_type")
    if tmdb_id is None or kind not in {MediaType.MOVIE.value, MediaType.TV.value}:
        raise ValueError("stored snapshot has no tmdb_id/media_type; pass ref")
    return TitleRef(MediaType(kind), tmdb_id)


def _payload_title(payload: Mapping[str, Any], is_movie: bool) -> str:
    """Return the display title, falling back to the original title."""
    keys = ("title", "original_title") if is_movie else ("name", "original_name")
    for key in keys:
        text = _as_text(payload.get(key))
        if text:
            return text
    return ""


def _episode(payload: Mapping[str, Any], key: str) -> EpisodeInfo | None:
    """Read next/last_episode_to_air from a TV payload."""
    return EpisodeInfo.from_dict(payload.get(key))


def _first_network(networks: object) -> str:
    """Return the name of a TV show's first network, or ''."""
    if not isinstance(networks, list) or not networks or not isinstance(networks[0], Mapping):
        return ""
    return _as_text(networks[0].get("name"))


def _tmdb_release_dates(
    block: object, wanted: frozenset[str] | None
) -> dict[str, tuple[RegionalRelease, ...]]:
    """Read TMDB's {'results': [{'iso_3166_1', 'release_dates': [...]}]} block.

    Only the `wanted` countries are read (every country when None).
    """
    results = block.get("results") if isinstance(block, dict) else None
    by_country: dict[str, tuple[RegionalRelease, ...]] = {}
    for entry in results if isinstance(results, list) else []:
        if not isinstance(entry, dict):
            continue
        country = _as_text(entry.get("iso_3166_1")).upper()
        if wanted is not None and country not in wanted:
            continue
        releases = _country_releases(entry.get("release_dates"))
        if country and releases:
            by_country[country] = tuple(sorted(by_country.get(country, ()) + releases))
    return by_country


def _country_releases(items: object) -> tuple[RegionalRelease, ...]:
    """Read one country's TMDB release_dates list, skipping unreadable entries."""
    releases = (
        _release(item.get("type"), item.get("release_date"))
        for item in (items if isinstance(items, list) else [])
        if isinstance(item, dict)
    )
    return tuple(release for release in releases if release is not None)


def _stored_release_dates(block: object) -> dict[str, tuple[RegionalRelease, ...]]:
    """Read the {'US': [[3, '2026-03-12'], ...]} form written by `to_dict`."""
    if not isinstance(block, Mapping):
        return {}
    by_country: dict[str, tuple[RegionalRelease, ...]] = {}
    for country, items in block.items():
        releases = [
            release
            for item in (items if isinstance(items, list) else [])
            if isinstance(item, list | tuple) and len(item) == 2
            for release in [_release(item[0], item[1])]
            if release is not None
        ]
        if releases:
            by_country[str(country).upper()] = tuple(sorted(releases))
    return by_country


def _stored_regions(value: object) -> frozenset[str] | None:
    """Read the stored list of tracked regions; None (every region) in older snapshots."""
    if not isinstance(value, list):
        return None
    return frozenset(item.upper() for item in value if isinstance(item, str))


def _release(type_code: object, when: object) -> RegionalRelease | None:
    """Build one regional release; None for unknown types or unreadable dates."""
    code, day = _as_int(type_code), parse_tmdb_date(when)
    if code is None or day is None or not ReleaseType.PREMIERE <= code <= ReleaseType.TV:
        return None
    return RegionalRelease(ReleaseType(code), day)


def _parse_instant(value: object) -> datetime:
    """Parse a stored ISO timestamp as aware UTC; the epoch when absent or unreadable."""
    if not isinstance(value, str):
        return UNKNOWN_FETCH_TIME
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return UNKNOWN_FETCH_TIME
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _episode_dict(episode: EpisodeInfo | None) -> dict[str, Any] | None:
    """Return the episode as a dict, or None."""
    return None if episode is None else episode.to_dict()


def _date_text(value: date | None) -> str | None:
    """Return an ISO date string, or None."""
    return None if value is None else value.isoformat()


def _as_int(value: object) -> int | None:
    """Return value as an int when it is one (or a numeric string), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return None


def _as_text(value: object) -> str:
    """Return value when it is a string, else ''."""
    return value if isinstance(value, str) else ""
