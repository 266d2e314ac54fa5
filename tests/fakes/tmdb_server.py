"""A fake TMDB v3 over real HTTP on 127.0.0.1, with a mutable catalogue and fault injection.

async with FakeTMDB() as fake:
    client = TMDBClient.create(fake.base_url, api_key=fake.api_key)
    fake.catalogue.set_status("movie", 1170608, "Released")
    fake.faults.rate_limit_next(3, retry_after=0.1)
"""

from __future__ import annotations

import argparse
import asyncio
import math
import random
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from types import TracebackType
from typing import Any

from aiohttp import web

from tests.fakes.tmdb_catalogue import Catalogue
from tests.fakes.tmdb_discovery import Discovery

API_KEY = "fake-tmdb-api-key"
READ_TOKEN = "fake-tmdb-read-access-token"
PAGE_SIZE = 20
CHANGES_PAGE_SIZE = 100

INVALID_KEY = {
    "status_code": 7,
    "status_message": "Invalid API key: You must be granted a valid key.",
    "success": False,
}
NOT_FOUND = {
    "status_code": 34,
    "status_message": "The resource you requested could not be found.",
    "success": False,
}
INVALID_ID = {
    "status_code": 6,
    "status_message": "Invalid id: The pre-requisite id is invalid or not found.",
    "success": False,
}
EXTERNAL_SOURCES = (
    "imdb_id",
    "facebook_id",
    "instagram_id",
    "tvdb_id",
    "tiktok_id",
    "twitter_id",
    "wikidata_id",
    "youtube_id",
)
INTERNAL_ERROR = {
    "status_code": 11,
    "status_message": "Internal error: Something went wrong, contact TMDb.",
    "success": False,
}


def _too_many(limit: int) -> dict[str, Any]:
    return {
        "status_code": 25,
        "status_message": f"Your request count is over the allowed limit of ({limit}).",
        "success": False,
    }


@dataclass
class RecordedRequest:
    """One request as the fake saw it."""

    path: str
    query: dict[str, str]
    auth: str | None
    at: float
    status: int = 200


@dataclass
class Faults:
    """Failures the fake injects into the next authenticated requests."""

    rate_limited: int = 0
    retry_after: float = 1.0
    server_errors: int = 0
    server_error_status: int = 500
    malformed: int = 0
    not_found: int = 0
    delay: float = 0.0
    jitter: float = 0.0
    limit: int | None = None
    period: float = 10.0
    strict: bool = False
    _window: deque[float] = field(default_factory=deque)
    _random: random.Random = field(default_factory=random.Random)

    def rate_limit_next(self, count: int, retry_after: float = 1.0) -> None:
        """Answer the next `count` requests with 429 and Retry-After."""
        self.rate_limited, self.retry_after = count, retry_after

    def fail_next(self, count: int, status: int = 500) -> None:
        """Answer the next `count` requests with a 5xx."""
        self.server_errors, self.server_error_status = count, status

    def malformed_next(self, count: int) -> None:
        """Answer the next `count` requests with a body that is not JSON."""
        self.malformed = count

    def not_found_next(self, count: int) -> None:
        """Answer the next `count` requests with TMDB's 404 body."""
        self.not_found = count

    def slow(self, delay: float) -> None:
        """Delay every answer by `delay` seconds."""
        self.delay = delay

    def bunch(self, jitter: float, seed: int = 0) -> None:
        """Hold each request up to `jitter` s before it is counted, as a congested path would."""
        self.jitter = jitter
        self._random.seed(seed)

    def arrival_delay(self) -> float:
        """How long to hold the next request before counting it."""
        return self._random.uniform(0, self.jitter)

    def enforce_rate_limit(
        self, limit: int | None, period: float = 10.0, *, strict: bool = False
    ) -> None:
        """Answer 429 once more than `limit` requests arrive in any `period` (None: off).

        The window slides: each request is stamped on arrival and counted for `period`.
        Only answered requests count, unless `strict`: then refused ones count too, as a
        proxy in front of an API counts every request it sees, so a client that keeps
        knocking stays refused.
        """
        self.limit, self.period, self.strict = limit, period, strict
        self._window.clear()

    def clear(self) -> None:
        """Stop injecting anything."""
        self.rate_limited = self.server_errors = self.malformed = self.not_found = 0
        self.delay = self.jitter = 0.0
        self.enforce_rate_limit(None)

    def over_limit(self, now: float) -> float | None:
        """Seconds until a slot frees if this request breaks the enforced limit, else None."""
        if self.limit is None:
            return None
        while self._window and self._window[0] <= now - self.period:
            self._window.popleft()
        if len(self._window) < self.limit:
            self._window.append(now)
            return None
        wait = self._window[0] + self.period - now
        if self.strict:
            self._window.append(now)
        return wait


class FakeTMDB:
    """The fake TMDB server. Use as an async context manager or start()/stop()."""

    def __init__(
        self,
        *,
        api_key: str = API_KEY,
        read_access_token: str = READ_TOKEN,
        catalogue: Catalogue | None = None,
    ) -> None:
        self.api_key = api_key
        self.read_access_token = read_access_token
        self.catalogue = catalogue or Catalogue()
        self.discovery = Discovery(self.catalogue)
        self.faults = Faults()
        self.requests: list[RecordedRequest] = []
        self.rate_limited_responses = 0
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        """What TMDB_BASE_URL should be to talk to this fake."""
        return f"http://127.0.0.1:{self.port}/3"

    # -- lifecycle ------------------------------------------------------------------------

    async def start(self, port: int = 0) -> FakeTMDB:
        """Listen on 127.0.0.1 (a free port unless `port` is given)."""
        app = web.Application(middlewares=[self._middleware])
        app.router.add_get("/3/{tail:.*}", self._route)
        app.router.add_get("/_fake/stats", self._stats)
        app.router.add_post("/_fake/forget", self._forget)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def stop(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeTMDB:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    # -- what tests inspect -----------------------------------------------------------------

    def count(self, path: str | None = None) -> int:
        """Requests received in total, or for one path (e.g. '/movie/603')."""
        if path is None:
            return len(self.requests)
        return sum(1 for r in self.requests if r.path == path)

    def counts_by_path(self) -> Counter[str]:
        """Requests received per path."""
        return Counter(r.path for r in self.requests)

    def request_times(self, path_prefix: str = "") -> list[float]:
        """time.monotonic() arrival times of the requests (optionally under a path prefix)."""
        return [r.at for r in self.requests if r.path.startswith(path_prefix)]

    def max_in_window(self, period: float, path_prefix: str = "") -> int:
        """The most requests that arrived within any window of `period` seconds."""
        times = sorted(self.request_times(path_prefix))
        best, start = 0, 0
        for end, at in enumerate(times):
            while at - times[start] >= period:
                start += 1
            best = max(best, end - start + 1)
        return best

    def reset(self) -> None:
        """Forget recorded requests and faults (the catalogue stays)."""
        self.requests.clear()
        self.rate_limited_responses = 0
        self.faults.clear()

    # -- HTTP -----------------------------------------------------------------------------

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Any) -> web.StreamResponse:
        if request.path.startswith("/_fake/"):
            control: web.StreamResponse = await handler(request)
            return control
        if self.faults.jitter:
            await asyncio.sleep(self.faults.arrival_delay())
        path = "/" + request.match_info.get("tail", request.path.removeprefix("/3/"))
        record = RecordedRequest(path, dict(request.query), self._auth(request), time.monotonic())
        self.requests.append(record)
        response = await self._answer(request, handler, record)
        record.status = response.status
        return response

    async def _answer(
        self, request: web.Request, handler: Any, record: RecordedRequest
    ) -> web.StreamResponse:
        if record.auth is None:
            return web.json_response(INVALID_KEY, status=401)
        faulted = self._fault(record.at)
        if self.faults.delay:
            await asyncio.sleep(self.faults.delay)
        if faulted is not None:
            return faulted
        response: web.StreamResponse = await handler(request)
        return response

    def _auth(self, request: web.Request) -> str | None:
        if request.headers.get("Authorization") == f"Bearer {self.read_access_token}":
            return "bearer"
        if request.query.get("api_key") == self.api_key:
            return "api_key"
        return None

    def _fault(self, now: float) -> web.Response | None:
        faults = self.faults
        if faults.rate_limited > 0:
            faults.rate_limited -= 1
            return self._too_many(faults.retry_after)
        if faults.server_errors > 0:
            faults.server_errors -= 1
            return web.json_response(INTERNAL_ERROR, status=faults.server_error_status)
        if faults.malformed > 0:
            faults.malformed -= 1
            return web.Response(text="<html>upstream hiccup</html>", content_type="text/html")
        if faults.not_found > 0:
            faults.not_found -= 1
            return web.json_response(NOT_FOUND, status=404)
        wait = faults.over_limit(now)
        if wait is not None:
            return self._too_many(wait)
        return None

    def _too_many(self, retry_after: float) -> web.Response:
        self.rate_limited_responses += 1
        limit = self.faults.limit or 40
        seconds = f"{retry_after:.3f}".rstrip("0").rstrip(".") or "0"
        return web.json_response(_too_many(limit), status=429, headers={"Retry-After": seconds})

    async def _stats(self, request: web.Request) -> web.Response:
        """Report counters to a test or benchmark in another process."""
        period = float(request.query.get("period", self.faults.period))
        return web.json_response(
            {
                "requests": self.count(),
                "rate_limited": self.rate_limited_responses,
                "max_in_window": self.max_in_window(period),
            }
        )

    async def _forget(self, request: web.Request) -> web.Response:
        """Forget recorded requests and 429s (not faults or titles) between benchmark runs."""
        self.requests.clear()
        self.rate_limited_responses = 0
        return web.json_response({"forgotten": True})

    async def _route(self, request: web.Request) -> web.Response:
        parts = [p for p in request.match_info["tail"].split("/") if p]
        query = request.query
        language = query.get("language", "en-US")
        realistic = self.catalogue.realistic
        if parts[:1] == ["find"] and query.get("external_source") not in EXTERNAL_SOURCES:
            return web.json_response(INVALID_ID, status=404)
        match parts:
            case [("movie" | "tv") as media, tmdb_id] if tmdb_id.isdigit() and realistic:
                return self._details_of_real_size(media, int(tmdb_id), query, language)
        body = self.discovery.route(parts, query)
        if body is None:
            body = self._dispatch(parts, query, language)
        if body is None:
            return web.json_response(NOT_FOUND, status=404)
        return web.json_response(body)

    def _details_of_real_size(
        self, media: str, tmdb_id: int, query: Any, language: str
    ) -> web.Response:
        body = self.catalogue.details_json(media, tmdb_id, language, _appended(query))
        if body is None:
            return web.json_response(NOT_FOUND, status=404)
        return web.Response(body=body, content_type="application/json")

    def _dispatch(self, parts: list[str], query: Any, language: str) -> dict[str, Any] | None:
        match parts:
            case ["authentication"]:
                return {"success": True, "status_code": 1, "status_message": "Success."}
            case ["configuration"]:
                return self.catalogue.configuration
            case ["genre", ("movie" | "tv") as media, "list"]:
                genres = self.catalogue.genres[media]
                return {"genres": genres.get(language, genres["en-US"])}
            case ["find", external_id]:
                return self.catalogue.find(external_id, query["external_source"], language)
            case ["search", ("multi" | "movie" | "tv") as kind]:
                return self._search(kind, query, language)
            case ["trending", ("all" | "movie" | "tv") as media, ("day" | "week")]:
                return self._trending(media, query, language)
            case [("movie" | "tv") as media, "changes"]:
                return self._changes(media, query)
            case [("movie" | "tv") as media, tmdb_id, "alternative_titles"] if tmdb_id.isdigit():
                return self.catalogue.alternative_titles(media, int(tmdb_id))
            case [("movie" | "tv") as media, tmdb_id, ("similar" | "recommendations") as kind]:
                return self._related(media, tmdb_id, kind, language)
            case [("movie" | "tv") as media, tmdb_id]:
                return self._details(media, tmdb_id, query, language)
        return None

    def _details(self, media: str, raw_id: str, query: Any, language: str) -> dict[str, Any] | None:
        if not raw_id.isdigit():
            return None
        return self.catalogue.details(media, int(raw_id), language, _appended(query))

    def _related(self, media: str, raw_id: str, kind: str, language: str) -> dict[str, Any] | None:
        details = self._details(media, raw_id, {"append_to_response": kind}, language)
        return None if details is None else details[kind]

    def _search(self, kind: str, query: Any, language: str) -> dict[str, Any]:
        text = query.get("query", "").strip().lower()
        medias = ("movie", "tv") if kind == "multi" else (kind,)
        hits = [
            self.catalogue.list_entry(media, record, language, tag=kind == "multi")
            for media, record in self.catalogue.titles()
            if media in medias
            and text
            and text in self.catalogue.display_title(media, record, language).lower()
            and _year_matches(media, record, query)
        ]
        if kind == "multi":
            hits += self._people(text)
        hits.sort(key=lambda e: -float(e.get("popularity", 0.0)))
        return _paged(hits, int(query.get("page", "1")), PAGE_SIZE)

    def _people(self, text: str) -> list[dict[str, Any]]:
        people: dict[int, dict[str, Any]] = {}
        for media, record in self.catalogue.titles():
            credits = record.get("credits") or {}
            for member in [*credits.get("cast", []), *credits.get("crew", [])]:
                if not text or text not in member["name"].lower():
                    continue
                person = people.setdefault(member["id"], _person(member))
                if len(person["known_for"]) < 3:
                    entry = self.catalogue.list_entry(media, record, "en-US", tag=True)
                    person["known_for"].append(entry)
        return list(people.values())

    def _trending(self, media: str, query: Any, language: str) -> dict[str, Any]:
        entries = [
            self.catalogue.list_entry(kind, record, language, tag=True)
            for kind, record in self.catalogue.titles()
            if media in ("all", kind)
        ]
        entries.sort(key=lambda e: -float(e.get("popularity", 0.0)))
        return _paged(entries, int(query.get("page", "1")), PAGE_SIZE)

    def _changes(self, media: str, query: Any) -> dict[str, Any]:
        end = _parse_day(query.get("end_date")) or datetime.now(UTC).date()
        start = _parse_day(query.get("start_date")) or end - timedelta(days=1)
        ids = [
            {"id": tmdb_id, "adult": False}
            for tmdb_id, at in self.catalogue.changed[media].items()
            if start <= at.date() <= end
        ]
        return _paged(ids, int(query.get("page", "1")), CHANGES_PAGE_SIZE)


def _appended(query: Any) -> list[str]:
    """The parts a details request's `append_to_response` asks for, in order."""
    return [a for a in query.get("append_to_response", "").split(",") if a]


def _paged(items: list[dict[str, Any]], page: int, size: int) -> dict[str, Any]:
    total_pages = max(1, math.ceil(len(items) / size)) if items else 0
    chunk = items[(page - 1) * size : page * size]
    return {"page": page, "results": chunk, "total_pages": total_pages, "total_results": len(items)}


def _year_matches(media: str, record: dict[str, Any], query: Any) -> bool:
    keys = ("year", "primary_release_year") if media == "movie" else ("year", "first_air_date_year")
    wanted = [query[k] for k in keys if k in query]
    if not wanted:
        return True
    when = record.get("release_date" if media == "movie" else "first_air_date") or ""
    return all(when.startswith(str(year)) for year in wanted)


def _person(member: dict[str, Any]) -> dict[str, Any]:
    return {
        "adult": False,
        "gender": member.get("gender", 0),
        "id": member["id"],
        "known_for_department": member.get("known_for_department")
        or ("Acting" if "character" in member else member.get("department", "")),
        "name": member["name"],
        "original_name": member["name"],
        "popularity": 10.0,
        "profile_path": member.get("profile_path"),
        "media_type": "person",
        "known_for": [],
    }


async def serve(args: argparse.Namespace) -> None:
    """Run the fake TMDB until cancelled (for a bot process or a benchmark)."""
    fake = FakeTMDB(catalogue=Catalogue(realistic=args.payload == "realistic"))
    for tmdb_id in range(args.first_id, args.first_id + args.titles):
        fake.catalogue.set_movie(tmdb_id)
    fake.faults.slow(args.delay)
    if args.limit:
        fake.faults.enforce_rate_limit(args.limit, args.period, strict=args.strict)
    await fake.start(args.port)
    print(f"fake TMDB on {fake.base_url} api_key={fake.api_key}", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await fake.stop()


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Options of `python -m tests.fakes.tmdb_server`."""
    parser = argparse.ArgumentParser(description="Run the fake TMDB on 127.0.0.1.")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--delay", type=float, default=0.0, help="seconds added to each answer")
    parser.add_argument("--limit", type=int, default=0, help="enforce N requests per period")
    parser.add_argument("--period", type=float, default=10.0)
    parser.add_argument("--strict", action="store_true", help="count refused requests too")
    parser.add_argument("--titles", type=int, default=0, help="extra blank movies to serve")
    parser.add_argument("--first-id", type=int, default=5_000_000)
    parser.add_argument(
        "--payload",
        choices=("small", "realistic"),
        default="small",
        help="details of the catalogue's fields alone (~0.5 KB) or of real size (~80 KB)",
    )
    return parser.parse_args(argv)


def _parse_day(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


if __name__ == "__main__":
    asyncio.run(serve(parse_args()))
