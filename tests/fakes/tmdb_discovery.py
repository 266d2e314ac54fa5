"""The fake TMDB's discovery endpoints: people, certifications, watch providers, /discover.

Shaped like the examples of TMDB's OpenAPI description; /discover applies the filters
FilmBot sends to the fake catalogue, so tests can prove what was filtered.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

from tests.fakes.tmdb_catalogue import DATA_DIR, Catalogue, Title

Query = Mapping[str, str]
MONETIZATION = ("flatrate", "free", "ads", "rent", "buy")


def _load(name: str) -> Any:
    return json.loads((DATA_DIR / name).read_text(encoding="utf-8"))


class Discovery:
    """People, reference lists and /discover over a catalogue."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        self.certifications: dict[str, Any] = _load("certifications.json")
        self.providers: dict[str, list[dict[str, Any]]] = _load("providers.json")
        self.people: dict[int, Title] = {p["id"]: p for p in _load("people.json")}
        self.changed_people: dict[int, datetime] = {}

    def route(self, parts: list[str], query: Query) -> dict[str, Any] | None:
        """Answer a discovery path, or None when it is not one (or names nothing)."""
        match parts:
            case ["certification", "movie", "list"]:
                return self.certifications
            case ["watch", "providers", ("movie" | "tv") as media]:
                return self.provider_list(media, query)
            case [("movie" | "tv") as media, raw_id, "watch", "providers"] if raw_id.isdigit():
                return self.title_providers(media, int(raw_id))
            case ["search", "person"]:
                return self.search_people(query)
            case ["person", "changes"]:
                return self.person_changes(query)
            case ["person", raw_id] if raw_id.isdigit():
                return self.person(int(raw_id), query)
            case ["discover", ("movie" | "tv") as media]:
                return self.discover(media, query)
        return None

    # -- reference lists -------------------------------------------------------------------

    def provider_list(self, media: str, query: Query) -> dict[str, Any]:
        """/watch/providers/{media}: every provider, or those of `watch_region`."""
        region = query.get("watch_region", "").upper()
        entries = [
            p for p in self.providers[media] if not region or region in p["display_priorities"]
        ]
        if region:
            entries.sort(key=lambda p: p["display_priorities"][region])
        return {"results": entries}

    def title_providers(self, media: str, tmdb_id: int) -> dict[str, Any] | None:
        """/{media}/{id}/watch/providers."""
        record = self.catalogue.table(media).get(tmdb_id)
        if record is None:
            return None
        return {"id": tmdb_id, **(record.get("watch/providers") or {"results": {}})}

    # -- people ----------------------------------------------------------------------------

    def person(self, person_id: int, query: Query) -> dict[str, Any] | None:
        """/person/{id}, with `combined_credits` when appended."""
        credits = self.combined_credits(person_id, query.get("language", "en-US"))
        known = self.people.get(person_id)
        if known is None and not (credits["cast"] or credits["crew"]):
            return None
        body = _person_body(person_id, known, credits, self._name_of(person_id))
        if "combined_credits" in query.get("append_to_response", "").split(","):
            body["combined_credits"] = credits
        return body

    def person_changes(self, query: Query) -> dict[str, Any]:
        """/person/changes: ids changed in `start_date..end_date` (default the last day)."""
        end = _day(query.get("end_date")) or datetime.now(UTC).date()
        start = _day(query.get("start_date")) or end - timedelta(days=1)
        ids = [
            {"id": person_id, "adult": False}
            for person_id, at in sorted(self.changed_people.items())
            if start <= at.date() <= end
        ]
        return hits_page(ids, int(query.get("page", "1")), size=100)

    def add_credit(  # noqa: PLR0913 - a credit's whole description
        self,
        person_id: int,
        media: str,
        tmdb_id: int,
        *,
        name: str,
        job: str | None = None,
        character: str = "",
        order: int = 0,
        at: datetime | None = None,
    ) -> None:
        """Test hook: credit the person on a title (crew with `job`, else cast at `order`).

        The title is created when the catalogue lacks it; the person is listed in
        /person/changes as changed at `at` (default now).
        """
        table = self.catalogue.table(media)
        if tmdb_id not in table:
            setter = self.catalogue.set_movie if media == "movie" else self.catalogue.set_tv
            setter(tmdb_id)
        credits = table[tmdb_id].setdefault("credits", {})
        member: Title = {"id": person_id, "name": name}
        if job is None:
            member |= {"character": character, "order": order}
            credits.setdefault("cast", []).append(member)
        else:
            member |= {"department": "Directing" if job == "Director" else "Crew", "job": job}
            credits.setdefault("crew", []).append(member)
        self.mark_person_changed(person_id, at)

    def mark_person_changed(self, person_id: int, at: datetime | None = None) -> None:
        """List the person in /person/changes as changed at `at` (default now)."""
        self.changed_people[person_id] = at or datetime.now(UTC)

    def search_people(self, query: Query) -> dict[str, Any]:
        """/search/person: people whose name contains the query, most popular first."""
        text = query.get("query", "").strip().casefold()
        ids = set(self.people) | {m["id"] for m, _, _ in self._credited()}
        hits = []
        for person_id in ids:
            body = self.person(person_id, {"language": query.get("language", "en-US")})
            if body is not None and text and text in body["name"].casefold():
                hits.append(self._search_entry(body, query.get("language", "en-US")))
        hits.sort(key=lambda p: (-p["popularity"], p["id"]))
        return hits_page(hits, int(query.get("page", "1")))

    def combined_credits(self, person_id: int, language: str) -> dict[str, Any]:
        """A person's cast and crew credits across the catalogue (and generated ones)."""
        cast: list[Title] = []
        crew: list[Title] = []
        for member, media, record in self._credited():
            if member["id"] != person_id:
                continue
            entry = self.catalogue.list_entry(media, record, language, tag=True)
            entry["credit_id"] = f"fake{person_id:x}{media[0]}{record['id']:x}"
            if "character" in member:
                cast.append(entry | {"character": member["character"], "order": member["order"]})
            else:
                crew.append(entry | {"department": member["department"], "job": member["job"]})
        extra = (self.people.get(person_id) or {}).get("_generated_credits", 0)
        cast += [_generated_credit(person_id, n) for n in range(extra)]
        return {"cast": cast, "crew": crew, "id": person_id}

    def _name_of(self, person_id: int) -> str:
        names = (m["name"] for m, _, _ in self._credited() if m["id"] == person_id)
        return next(names, "Unknown")

    def _credited(self) -> Iterable[tuple[dict[str, Any], str, Title]]:
        for media, record in self.catalogue.titles():
            credits = record.get("credits") or {}
            for member in [*credits.get("cast", []), *credits.get("crew", [])]:
                yield member, media, record

    def _search_entry(self, body: Title, language: str) -> Title:
        credits = self.combined_credits(body["id"], language)
        known = sorted(
            credits["cast"] + credits["crew"], key=lambda c: -float(c.get("popularity", 0.0))
        )
        keys = ("adult", "gender", "id", "known_for_department", "name", "original_name")
        entry = {k: body.get(k, body["name"]) for k in keys}
        entry |= {"popularity": body["popularity"], "profile_path": body.get("profile_path")}
        entry["known_for"] = [_known_for(c) for c in known[:3]]
        return entry

    # -- discover --------------------------------------------------------------------------

    def discover(self, media: str, query: Query) -> dict[str, Any]:
        """/discover/{media}: the catalogue's titles that pass every filter sent."""
        language = query.get("language", "en-US")
        checks = self._filters(media, query)
        entries = [
            self.catalogue.list_entry(kind, record, language, tag=False)
            for kind, record in self.catalogue.titles()
            if kind == media and all(check(record) for check in checks)
        ]
        if media == "tv":
            for entry in entries:
                entry.pop("adult", None)  # TMDB's /discover/tv entries carry no `adult`
        entries.sort(key=_sort_key(media, query.get("sort_by", "popularity.desc")))
        if query.get("sort_by", "popularity.desc").endswith(".desc"):
            entries.reverse()
        return hits_page(entries, int(query.get("page", "1")))

    def _filters(self, media: str, query: Query) -> list[Callable[[Title], bool]]:
        checks: list[Callable[[Title], bool]] = []
        if "with_genres" in query:
            wanted = query["with_genres"]
            checks.append(lambda r: _matches(wanted, {g["id"] for g in r.get("genres") or []}))
        date_key = "primary_release_date" if media == "movie" else "first_air_date"
        field = "release_date" if media == "movie" else "first_air_date"
        for bound, keep in ((".gte", lambda a, b: a >= b), (".lte", lambda a, b: a <= b)):
            if date_key + bound in query:
                limit = query[date_key + bound]
                checks.append(lambda r, lim=limit, k=keep: bool(r.get(field)) and k(r[field], lim))
        for name, attr in (("vote_average.gte", "vote_average"), ("vote_count.gte", "vote_count")):
            if name in query:
                minimum = float(query[name])
                checks.append(lambda r, a=attr, m=minimum: float(r.get(a) or 0) >= m)
        if media == "movie":
            checks += _film_filters(query)
        if "with_watch_providers" in query and "watch_region" in query:
            wanted, region = query["with_watch_providers"], query["watch_region"].upper()
            checks.append(lambda r: _matches(wanted, _provider_ids(r, region)))
        return checks


def _film_filters(query: Query) -> list[Callable[[Title], bool]]:
    checks: list[Callable[[Title], bool]] = []
    if "certification" in query and "certification_country" in query:
        wanted, country = query["certification"], query["certification_country"].upper()
        checks.append(lambda r: _matches(wanted, _certifications(r, country)))
    if "with_people" in query:
        wanted = query["with_people"]
        checks.append(lambda r: _matches(wanted, _people(r)))
    return checks


def _matches(expression: str, values: set[Any]) -> bool:
    """TMDB's list filters: comma means AND, pipe means OR."""
    text = {str(v) for v in values}
    if "|" in expression:
        return any(part in text for part in expression.split("|"))
    return all(part in text for part in expression.split(","))


def _certifications(record: Title, country: str) -> set[str]:
    results = (record.get("release_dates") or {}).get("results", [])
    return {
        r["certification"]
        for c in results
        if c["iso_3166_1"] == country
        for r in c["release_dates"]
        if r.get("certification")
    }


def _people(record: Title) -> set[int]:
    credits = record.get("credits") or {}
    return {m["id"] for m in [*credits.get("cast", []), *credits.get("crew", [])]}


def _provider_ids(record: Title, region: str) -> set[int]:
    country = ((record.get("watch/providers") or {}).get("results") or {}).get(region) or {}
    return {p["provider_id"] for kind in MONETIZATION for p in country.get(kind, [])}


def _sort_key(media: str, sort_by: str) -> Callable[[Title], Any]:
    field = sort_by.rsplit(".", 1)[0]
    if field in ("primary_release_date", "first_air_date"):
        key = "release_date" if media == "movie" else "first_air_date"
        return lambda e: e.get(key) or ""
    if field in ("title", "name", "original_title", "original_name"):
        return lambda e: str(e.get(field) or "").casefold()
    return lambda e: float(e.get(field) or 0)


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def hits_page(items: list[Title], page: int, size: int = 20) -> dict[str, Any]:
    """One TMDB-style page of `items`."""
    total_pages = -(-len(items) // size)
    chunk = items[(page - 1) * size : page * size]
    return {"page": page, "results": chunk, "total_pages": total_pages, "total_results": len(items)}


def _person_body(person_id: int, known: Title | None, credits: dict[str, Any], name: str) -> Title:
    if known is None:
        known = {"id": person_id, "name": name, "popularity": 5.0}
        known["known_for_department"] = "Acting" if credits["cast"] else "Production"
    body: Title = {
        "adult": False,
        "also_known_as": [],
        "biography": "",
        "birthday": None,
        "deathday": None,
        "gender": 0,
        "homepage": None,
        "imdb_id": None,
        "place_of_birth": None,
        "profile_path": None,
    }
    body |= {k: v for k, v in known.items() if not k.startswith("_")}
    return body


def _known_for(credit: Title) -> Title:
    credit_only = ("character", "order", "job", "department", "credit_id")
    keep = {k: v for k, v in credit.items() if k not in credit_only}
    return {**keep, "media_type": credit["media_type"]}


def _generated_credit(person_id: int, n: int) -> Title:
    """One of a prolific person's many small roles (films made up for the fake)."""
    released = date(1978, 1, 1) + timedelta(days=41 * n)
    return {
        "adult": False,
        "backdrop_path": None,
        "genre_ids": [53],
        "id": 80_000_000 + person_id * 1000 + n,
        "original_language": "en",
        "original_title": f"Small Role {n + 1}",
        "overview": "",
        "popularity": 1.0 + n / 1000,
        "poster_path": None,
        "release_date": released.isoformat(),
        "title": f"Small Role {n + 1}",
        "video": False,
        "vote_average": 5.0,
        "vote_count": 3,
        "character": "Himself",
        "credit_id": f"fake{person_id:x}g{n}",
        "order": 5,
        "media_type": "movie",
    }
