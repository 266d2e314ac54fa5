"""The fake TMDB's catalogue: fixture titles that tests can change while the server runs."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.fakes.tmdb_realistic import realistic_json

DATA_DIR = Path(__file__).parent / "tmdb_data"
_RELATIVE = re.compile(r"^@(date|datetime):([+-]\d+)$")
APPENDABLE = ("credits", "release_dates", "external_ids", "videos", "watch/providers")
TRANSLATED = ("title", "name", "overview", "tagline")

Title = dict[str, Any]


def _resolve(value: Any, today: date) -> Any:
    """Replace '@date:+N' / '@datetime:+N' markers with dates relative to today."""
    if isinstance(value, dict):
        return {k: _resolve(v, today) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve(v, today) for v in value]
    if isinstance(value, str) and (match := _RELATIVE.match(value)):
        day = today + timedelta(days=int(match.group(2)))
        return _iso(day, match.group(1) == "datetime")
    return value


def _iso(day: date | None, with_time: bool = False) -> str:
    if day is None:
        return ""
    return f"{day.isoformat()}T00:00:00.000Z" if with_time else day.isoformat()


def _load(name: str, today: date) -> Any:
    return _resolve(json.loads((DATA_DIR / name).read_text(encoding="utf-8")), today)


class Catalogue:
    """Movies, TV shows, genres and change marks served by the fake TMDB.

    With `realistic`, details answers are of TMDB's real size (tests/fakes/tmdb_realistic.py):
    TMDB's example title and parts around what the catalogue holds.
    """

    def __init__(self, today: date | None = None, *, realistic: bool = False) -> None:
        today = today or datetime.now(UTC).date()
        self.realistic = realistic
        self.movies: dict[int, Title] = {m["id"]: m for m in _load("movies.json", today)}
        self.tv: dict[int, Title] = {t["id"]: t for t in _load("tv.json", today)}
        self.genres: dict[str, dict[str, list[dict[str, Any]]]] = _load("genres.json", today)
        self.configuration: dict[str, Any] = _load("configuration.json", today)
        self.changed: dict[str, dict[int, datetime]] = {"movie": {}, "tv": {}}

    def table(self, media: str) -> dict[int, Title]:
        """The movie or TV table."""
        return self.movies if media == "movie" else self.tv

    def titles(self) -> Iterator[tuple[str, Title]]:
        """Every title with its media type."""
        yield from (("movie", m) for m in self.movies.values())
        yield from (("tv", t) for t in self.tv.values())

    # -- mutation API for tests ------------------------------------------------------------

    def set_movie(self, movie_id: int, **fields: Any) -> Title:
        """Create or update a movie; return its (live) record."""
        movie = self.movies.setdefault(movie_id, _blank_movie(movie_id))
        movie.update(fields)
        return movie

    def set_tv(self, tv_id: int, **fields: Any) -> Title:
        """Create or update a TV show; return its (live) record."""
        show = self.tv.setdefault(tv_id, _blank_tv(tv_id))
        show.update(fields)
        return show

    def remove(self, media: str, tmdb_id: int) -> None:
        """Delete a title so TMDB answers 404 for it."""
        self.table(media).pop(tmdb_id, None)

    def set_status(self, media: str, tmdb_id: int, status: str) -> None:
        """Change a title's status, e.g. 'Released' or 'Ended'."""
        self.table(media)[tmdb_id]["status"] = status

    def set_release_date(
        self,
        movie_id: int,
        when: date | None,
        *,
        country: str = "US",
        release_type: int = 3,
        certification: str = "",
        primary: bool = True,
    ) -> None:
        """Set a movie's release of `release_type` in `country` (and its primary date)."""
        movie = self.movies[movie_id]
        results = movie.setdefault("release_dates", {"results": []})["results"]
        entry = next((c for c in results if c["iso_3166_1"] == country), None)
        if entry is None:
            entry = {"iso_3166_1": country, "release_dates": []}
            results.append(entry)
        kept = [r for r in entry["release_dates"] if r.get("type") != release_type]
        if when is not None:
            kept.append(_release(when, release_type, certification))
        entry["release_dates"] = kept
        if primary:
            movie["release_date"] = _iso(when)

    def set_next_episode(
        self,
        tv_id: int,
        air_date: date | None,
        *,
        season: int = 1,
        episode: int = 1,
        name: str = "",
        episode_type: str = "standard",
    ) -> None:
        """Set (or with air_date=None clear) a show's next_episode_to_air."""
        show = self.tv[tv_id]
        if air_date is None:
            show["next_episode_to_air"] = None
            return
        show["next_episode_to_air"] = _episode(tv_id, air_date, season, episode, name, episode_type)

    def set_last_episode(
        self, tv_id: int, air_date: date, *, season: int, episode: int, name: str = ""
    ) -> None:
        """Set a show's last_episode_to_air and last_air_date."""
        show = self.tv[tv_id]
        show["last_episode_to_air"] = _episode(tv_id, air_date, season, episode, name, "standard")
        show["last_air_date"] = air_date.isoformat()

    def mark_changed(self, media: str, tmdb_id: int, at: datetime | None = None) -> None:
        """List `tmdb_id` in /{media}/changes as changed at `at` (default now)."""
        self.changed[media][tmdb_id] = at or datetime.now(UTC)

    def clear_changes(self) -> None:
        """Forget every change mark."""
        for marks in self.changed.values():
            marks.clear()

    # -- views served by the fake ----------------------------------------------------------

    def details(self, media: str, tmdb_id: int, language: str, append: list[str]) -> Title | None:
        """A title's details payload with the appended sections, or None."""
        record = self.table(media).get(tmdb_id)
        if record is None:
            return None
        body = {k: copy.deepcopy(v) for k, v in record.items() if not _hidden(k)}
        body.update(self._translation(record, language))
        body.setdefault("adult", False)
        for section in append:
            body.update(self._appended(media, record, section, language))
        return body

    def details_json(
        self, media: str, tmdb_id: int, language: str, append: list[str]
    ) -> bytes | None:
        """The details answer as sent (of real size in the realistic mode), or None."""
        body = self.details(media, tmdb_id, language, append)
        if body is None:
            return None
        if self.realistic:
            return realistic_json(media, body, append)
        return json.dumps(body).encode()

    def list_entry(self, media: str, record: Title, language: str, *, tag: bool) -> Title:
        """A title shaped as in search, trending and similar lists."""
        localized = {**record, **self._translation(record, language)}
        entry = {
            "adult": False,
            "backdrop_path": localized.get("backdrop_path"),
            "genre_ids": [g["id"] for g in localized.get("genres") or []],
            "id": localized["id"],
            "original_language": localized.get("original_language", "en"),
            "overview": localized.get("overview") or "",
            "popularity": localized.get("popularity", 0.0),
            "poster_path": localized.get("poster_path"),
            "vote_average": localized.get("vote_average", 0.0),
            "vote_count": localized.get("vote_count", 0),
        }
        entry |= _movie_fields(localized) if media == "movie" else _tv_fields(localized)
        if tag:
            entry["media_type"] = media
        return entry

    def find(self, external_id: str, source: str, language: str) -> Title:
        """The /find/{external_id} payload: titles whose external_ids carry the id."""
        found: Title = {
            "movie_results": [],
            "person_results": [],
            "tv_results": [],
            "tv_episode_results": [],
            "tv_season_results": [],
        }
        for media, record in self.titles():
            if str((record.get("external_ids") or {}).get(source) or "") == external_id:
                entry = self.list_entry(media, record, language, tag=True)
                found[f"{media}_results"].append(entry)
        return found

    def display_title(self, media: str, record: Title, language: str) -> str:
        """The (localised) title or name used for search matching."""
        localized = {**record, **self._translation(record, language)}
        key = "title" if media == "movie" else "name"
        names = [localized.get(key) or "", record.get("original_" + key) or ""]
        names += [alt["title"] for alt in record.get("_alternative_titles") or []]
        return " ".join(names)

    def alternative_titles(self, media: str, tmdb_id: int) -> Title | None:
        """The /{media}/{id}/alternative_titles payload (a movie's `titles`, a show's `results`)."""
        record = self.table(media).get(tmdb_id)
        if record is None:
            return None
        key = "titles" if media == "movie" else "results"
        return {"id": tmdb_id, key: copy.deepcopy(record.get("_alternative_titles") or [])}

    def _translation(self, record: Title, language: str) -> Title:
        translations = record.get("_translations") or {}
        return {k: v for k, v in translations.get(language, {}).items() if k in TRANSLATED}

    def _appended(self, media: str, record: Title, section: str, language: str) -> Title:
        if section in APPENDABLE and section in record:
            value = copy.deepcopy(record[section])
            if section == "credits":
                value = _expand_credits(value)
            return {section: value}
        if section in ("similar", "recommendations"):
            ids = record.get(f"_{section}") or []
            table = self.table(media)
            entries = [
                self.list_entry(media, table[i], language, tag=False) for i in ids if i in table
            ]
            return {
                section: {
                    "page": 1,
                    "results": entries,
                    "total_pages": 1,
                    "total_results": len(entries),
                }
            }
        return {}


def _hidden(key: str) -> bool:
    return key.startswith("_") or key in APPENDABLE


def _movie_fields(record: Title) -> Title:
    return {
        "original_title": record.get("original_title") or record.get("title", ""),
        "release_date": record.get("release_date") or "",
        "title": record.get("title", ""),
        "video": False,
    }


def _tv_fields(record: Title) -> Title:
    return {
        "first_air_date": record.get("first_air_date") or "",
        "name": record.get("name", ""),
        "origin_country": record.get("origin_country") or [],
        "original_name": record.get("original_name") or record.get("name", ""),
    }


def _expand_credits(credits: Title) -> Title:
    """Fill the fields real TMDB credits carry but the fixtures leave out."""
    for member in credits.get("cast", []):
        member.setdefault("adult", False)
        member.setdefault("gender", 0)
        member.setdefault("known_for_department", "Acting")
        member.setdefault("original_name", member["name"])
        member.setdefault("popularity", 10.0)
        member.setdefault("profile_path", None)
        member.setdefault("cast_id", member.get("order", 0) + 1)
        member.setdefault("credit_id", f"fake{member['id']:x}c{member.get('order', 0)}")
    for member in credits.get("crew", []):
        member.setdefault("adult", False)
        member.setdefault("gender", 0)
        member.setdefault("known_for_department", member.get("department", ""))
        member.setdefault("original_name", member["name"])
        member.setdefault("popularity", 5.0)
        member.setdefault("profile_path", None)
        member.setdefault("credit_id", f"fake{member['id']:x}{member.get('job', '')[:3]}")
    return credits


def _release(when: date, release_type: int, certification: str) -> Title:
    return {
        "certification": certification,
        "descriptors": [],
        "iso_639_1": "",
        "note": "",
        "release_date": _iso(when, with_time=True),
        "type": release_type,
    }


def _episode(
    tv_id: int, air_date: date, season: int, episode: int, name: str, episode_type: str
) -> Title:
    return {
        "id": tv_id * 1000 + season * 100 + episode,
        "name": name or f"Episode {episode}",
        "overview": "",
        "vote_average": 0.0,
        "vote_count": 0,
        "air_date": air_date.isoformat(),
        "episode_number": episode,
        "episode_type": episode_type,
        "production_code": "",
        "runtime": None,
        "season_number": season,
        "show_id": tv_id,
        "still_path": None,
    }


def _blank_movie(movie_id: int) -> Title:
    return {
        "id": movie_id,
        "title": f"Movie {movie_id}",
        "original_title": f"Movie {movie_id}",
        "original_language": "en",
        "status": "Released",
        "release_date": "",
        "overview": "",
        "genres": [],
        "popularity": 1.0,
        "credits": {"cast": [], "crew": []},
        "release_dates": {"results": []},
        "external_ids": {"imdb_id": None},
        "videos": {"results": []},
        "watch/providers": {"results": {}},
    }


def _blank_tv(tv_id: int) -> Title:
    return {
        "id": tv_id,
        "name": f"Show {tv_id}",
        "original_name": f"Show {tv_id}",
        "original_language": "en",
        "status": "Returning Series",
        "first_air_date": "",
        "overview": "",
        "genres": [],
        "networks": [],
        "created_by": [],
        "seasons": [],
        "popularity": 1.0,
        "next_episode_to_air": None,
        "last_episode_to_air": None,
        "credits": {"cast": [], "crew": []},
        "external_ids": {"imdb_id": None},
        "videos": {"results": []},
        "watch/providers": {"results": {}},
    }
