"""How accurately /import matches exported history to TMDB titles, and what it costs.

Builds Letterboxd-style (title + year), IMDb-style (tt ids) and Trakt-style (TMDB ids) exports
from MovieLens (titles with years, IMDb and TMDB ids from links.csv), serves a fake TMDB
built from the same titles with realistic ambiguity (remakes under the same name, same-name
titles a year apart, films known abroad by their original title, punctuation and article
variations), and prints each source's precision and recall, then the wall time and TMDB
requests of one 5,000-row import.

Usage: python -m bench.import_match [path/to/movielens-small] [--rows 5000]
       [--rate-limit 30 --period 1]  (the default budget: imports get 7 requests a second)
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import os
import random
import re
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.fakes.plugin_tmdb import make_client
from tests.fakes.tmdb_catalogue import Catalogue
from tests.fakes.tmdb_server import FakeTMDB

from filmbot.db import migrate
from filmbot.db.session import create_sessionmaker, engine_for_url
from filmbot.domain.history import HistoryRow, SkippedLine, Source, normalise_title
from filmbot.domain.models import MediaType, TitleRef
from filmbot.services.history import ImportBudget, ImportService, import_share
from filmbot.services.history.matcher import TitleMatcher

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO.parent / "shared" / "data" / "movielens-small"
TITLE = re.compile(r"^(?P<title>.*?)\s*(?:\((?P<alt>[^()]*)\))?\s*\((?P<year>\d{4})\)\s*$")
DECOY_IDS = 50_000_000


@dataclass(frozen=True)
class Film:
    """One MovieLens film with its ids."""

    title: str
    original: str
    year: int
    imdb_id: str
    tmdb_id: int
    aka: str = ""  # another name (MovieLens' "a.k.a."), one of TMDB's alternative titles


def _unarticle(title: str) -> str:
    """'Matrix, The' -> 'The Matrix' (MovieLens moves articles to the end)."""
    match = re.match(r"^(.*), (The|A|An|Les|La|Le|L'|Il|El|Die|Das|Der)$", title)
    if not match:
        return title
    article = match.group(2)
    return f"{article}{'' if article.endswith(chr(39)) else ' '}{match.group(1)}"


def load_films(data: Path) -> list[Film]:
    """MovieLens films that have a year, an IMDb id and a TMDB id."""
    links = {}
    with (data / "links.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["tmdbId"] and row["imdbId"]:
                links[row["movieId"]] = (f"tt{int(row['imdbId']):07d}", int(row["tmdbId"]))
    films, seen = [], set()
    with (data / "movies.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            match = TITLE.match(row["title"])
            if not match or row["movieId"] not in links or links[row["movieId"]][1] in seen:
                continue
            imdb_id, tmdb_id = links[row["movieId"]]
            seen.add(tmdb_id)
            raw = match.group("alt") or ""
            aka = raw.removeprefix("a.k.a. ") if raw.startswith("a.k.a. ") else ""
            title = _unarticle(match.group("title").strip())
            original = _unarticle(raw) if raw and not aka else title
            year = int(match.group("year"))
            films.append(Film(title, original, year, imdb_id, tmdb_id, _unarticle(aka)))
    return films


class SearchingCatalogue(Catalogue):
    """The fake TMDB's catalogue, searched as loosely as TMDB (punctuation and '&' ignored)."""

    def __init__(self) -> None:
        super().__init__()
        self._names: dict[int, str] = {}

    def display_title(self, media: str, record: dict[str, Any], language: str) -> str:
        """The names searched: as written, and normalised (worked out once per title)."""
        names = self._names.get(record["id"])
        if names is None:
            written = [record.get("title") or "", record.get("original_title") or ""]
            written += [alt["title"] for alt in record.get("_alternative_titles") or []]
            names = " ".join(written + [normalise_title(n) for n in written])
            self._names[record["id"]] = names
        return names


def build_tmdb(films: list[Film], rng: random.Random) -> FakeTMDB:
    """A fake TMDB holding the films and their decoys."""
    catalogue = SearchingCatalogue()
    catalogue.movies.clear()
    catalogue.tv.clear()
    decoy = DECOY_IDS
    for film in films:
        catalogue.set_movie(
            film.tmdb_id,
            title=film.title,
            original_title=film.original,
            release_date=f"{film.year}-06-01",
            external_ids={"imdb_id": film.imdb_id},
            popularity=rng.uniform(1, 50),
            _alternative_titles=[{"iso_3166_1": "US", "title": film.aka, "type": ""}]
            if film.aka
            else [],
        )
        roll = rng.random()
        if roll < 0.15:  # a remake or an older film under the same name
            year = film.year + rng.choice([-30, -12, 8, 20])
        elif roll < 0.20:  # a same-name title a year apart (a short, a TV film)
            year = film.year + rng.choice([-1, 1])
        else:
            continue
        decoy += 1
        catalogue.set_movie(decoy, title=film.title, release_date=f"{year}-03-01", popularity=5.0)
    return FakeTMDB(catalogue=catalogue)


def vary(title: str, rng: random.Random) -> str:
    """The title as another service might spell it."""
    roll = rng.random()
    if roll < 0.05 and title.startswith("The "):
        return title[4:]
    if roll < 0.10:
        return title.replace(":", " -").replace("&", "and")
    if roll < 0.13:
        return title.lower()
    return title


def rows_for(source: Source, films: list[Film], rng: random.Random) -> list[HistoryRow]:
    """One export line per film, as the source writes it."""
    rows = []
    for index, film in enumerate(films, start=2):
        where = f"{source.value}.csv:{index}"
        if source is Source.IMDB:
            row = HistoryRow(where, film.title, film.year, MediaType.MOVIE, imdb_id=film.imdb_id)
        elif source is Source.TRAKT:
            row = HistoryRow(where, film.title, film.year, MediaType.MOVIE, tmdb_id=film.tmdb_id)
        else:
            foreign = film.original != film.title and rng.random() < 0.5
            title = film.original if foreign else vary(film.title, rng)
            if film.aka and rng.random() < 0.5:
                title = film.aka
            row = HistoryRow(where, title, film.year, MediaType.MOVIE)
        rows.append(row)
    return rows


async def accuracy(matcher: TitleMatcher, rows: list[HistoryRow], films: list[Film]) -> str:
    """Precision and recall of the matcher over the rows."""
    matched = correct = 0
    for row, film in zip(rows, films, strict=True):
        found = await matcher.match(row)
        if isinstance(found, SkippedLine):
            continue
        matched += 1
        correct += found[0] == TitleRef(MediaType.MOVIE, film.tmdb_id)
    precision = correct / matched if matched else 0.0
    return f"precision {precision:7.2%}  recall {correct / len(rows):7.2%}  ({matched} matched)"


def letterboxd_csv(films: list[Film]) -> bytes:
    """A Letterboxd ratings.csv of the films."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["Date", "Name", "Year", "Letterboxd URI", "Rating"])
    for film in films:
        writer.writerow(["2023-01-01", film.title, film.year, "https://boxd.it/x", "3.5"])
    return buffer.getvalue().encode()


async def timed_import(tmdb: FakeTMDB, films: list[Film], rate_limit: int, period: float) -> str:
    """Wall time and TMDB requests of one Letterboxd import of the films."""
    with tempfile.TemporaryDirectory() as folder:
        engine = engine_for_url(f"sqlite+aiosqlite:///{folder}/bench.db")
        await migrate.upgrade(engine)
        async with make_client(tmdb) as client:
            budget = ImportBudget.local(rate_limit, period)
            service = ImportService(create_sessionmaker(engine), client, budget, len(films))
            started = time.perf_counter()
            report = await service.run(
                1, 1, Source.LETTERBOXD, "ratings.csv", letterboxd_csv(films)
            )
            seconds = time.perf_counter() - started
        await engine.dispose()
    return (
        f"{len(films):,} rows: {seconds:.1f} s, {report.tmdb_requests:,} TMDB requests "
        f"(imports' share: {import_share(rate_limit):,} per {period:g} s of "
        f"TMDB_RATE_LIMIT={rate_limit:,})"
        f"; {report.added:,} added, {len(report.unmatched):,} unmatched"
    )


async def run(data: Path, size: int, rate_limit: int, period: float, timed: bool) -> None:
    """Measure and print."""
    rng = random.Random(16)
    films = load_films(data)
    sample = rng.sample(films, min(size, len(films)))
    async with build_tmdb(films, rng) as tmdb:
        print(f"catalogue: {len(tmdb.catalogue.movies):,} titles ({len(films):,} MovieLens films)")
        if timed:
            print(await timed_import(tmdb, sample, rate_limit, period))
        async with make_client(tmdb) as client:
            matcher = TitleMatcher(client, ImportBudget.local(100_000, 1.0).gate())
            for source in (Source.TRAKT, Source.IMDB, Source.LETTERBOXD):
                rows = rows_for(source, sample, rng)
                before = _alternative_lookups(tmdb)
                result = await accuracy(matcher, rows, sample)
                print(f"{source.label:<10} {result}")
            named = sum(row.title == film.aka for row, film in zip(rows, sample, strict=True))
            print(
                f"Letterboxd lines naming a film by an alternative title: {named:,}; "
                f"alternative-title lookups: {_alternative_lookups(tmdb) - before:,}"
            )


def _alternative_lookups(tmdb: FakeTMDB) -> int:
    return sum(1 for r in tmdb.requests if r.path.endswith("/alternative_titles"))


def main() -> int:
    """Parse the arguments, run, print."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("data", nargs="?", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--rate-limit", type=int, default=40_000, help="TMDB_RATE_LIMIT")
    parser.add_argument("--period", type=float, default=10.0, help="TMDB_RATE_PERIOD")
    parser.add_argument("--no-import", action="store_true", help="measure accuracy only")
    args = parser.parse_args()
    if not (args.data / "links.csv").is_file():
        message = f"MovieLens data not found at {args.data} (need movies.csv and links.csv)"
        print(message)
        return 1 if os.environ.get("CI") == "true" else 0
    asyncio.run(run(args.data, args.rows, args.rate_limit, args.period, not args.no_import))
    return 0


if __name__ == "__main__":
    sys.exit(main())
