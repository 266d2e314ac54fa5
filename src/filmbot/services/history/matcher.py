"""Find the TMDB title of each export line: by TMDB id, by IMDb id, else by title and year."""

from __future__ import annotations

import dataclasses
import logging

from filmbot.domain.history.matching import (
    Candidate,
    choose,
    normalise_title,
    title_level,
    year_level,
)
from filmbot.domain.history.rows import HistoryRow, SkippedLine
from filmbot.domain.models import MediaType, TitleRef
from filmbot.services.history.budget import ImportGate
from filmbot.tmdb import TMDBClient, TMDBError, TMDBNotFound
from filmbot.tmdb.alternative_titles import AlternativeTitles
from filmbot.tmdb.models import TitlePage

log = logging.getLogger(__name__)

Match = tuple[TitleRef, str]
MAX_ALTERNATIVE_LOOKUPS = 3


class TitleMatcher:
    """Resolve export lines to TMDB titles, every TMDB call through the import's gate."""

    def __init__(self, tmdb: TMDBClient, budget: ImportGate, language: str | None = None) -> None:
        self._tmdb = tmdb
        self._budget = budget
        self._language = language
        self.genres: dict[TitleRef, list[int]] = {}
        """The genre ids of titles matched by search or IMDb id (the caller clears it)."""
        self._seen: dict[TitleRef, list[int]] = {}

    async def match(self, row: HistoryRow) -> Match | SkippedLine:
        """The title the line means, or the skipped line saying why there is none."""
        if row.tmdb_id is not None:
            return TitleRef(row.media_type or MediaType.MOVIE, row.tmdb_id), row.title
        if row.imdb_id:
            found = await self._by_imdb(row)
            if found is not None:
                return found
        if row.episode or not row.title or row.title == row.imdb_id:
            return SkippedLine(row.where, "TMDB does not know this IMDb id", row.label)
        return await self._by_title(row)

    async def _by_imdb(self, row: HistoryRow) -> Match | None:
        imdb_id = row.imdb_id or ""
        result = await self._budget.call(
            lambda: self._tmdb.find_by_imdb_id(imdb_id, language=self._language)
        )
        ref = result.first_ref(prefer=row.media_type)
        if ref is None:
            return None
        movies = [r for r in result.movie_results if r.ref == ref]
        shows = [r for r in result.tv_results if r.ref == ref]
        names = [r.display_title for r in movies] + [r.display_title for r in shows]
        self.genres[ref] = [g for r in movies for g in r.genre_ids] + [
            g for r in shows for g in r.genre_ids
        ]
        return ref, names[0] if names else row.title

    async def _by_title(self, row: HistoryRow) -> Match | SkippedLine:
        media = row.media_type or MediaType.MOVIE
        queries = list(dict.fromkeys([row.title, normalise_title(row.title)]))
        reason = "no TMDB title with that name and year"
        for query in queries:
            for year in dict.fromkeys([row.year, None]):
                candidates = await self._search(media, query, year)
                choice = choose(row.title, row.year, candidates)
                if choice.ref is None and not choice.tied:
                    candidates = await self._with_alternatives(row, candidates)
                    choice = choose(row.title, row.year, candidates)
                if choice.ref is not None:
                    title = next(c.title for c in candidates if c.ref == choice.ref)
                    self.genres[choice.ref] = self._seen.get(choice.ref, [])
                    return choice.ref, title
                if choice.tied:
                    return SkippedLine(row.where, choice.reason, row.label)
                reason = choice.reason
        return SkippedLine(row.where, reason, row.label)

    async def _with_alternatives(
        self, row: HistoryRow, candidates: list[Candidate]
    ) -> list[Candidate]:
        """The candidates, the likeliest few of them with TMDB's alternative titles.

        Only asked when neither title nor original title fits: search found these titles
        under the line's name, so one of their other names (a release abroad, a working
        title) may be the one the line uses. At most MAX_ALTERNATIVE_LOOKUPS are fetched,
        those in the line's year first; each answer is cached like any other.
        """
        wanted = normalise_title(row.title)
        unnamed = [
            c
            for c in candidates
            if title_level(wanted, c) == 0 and year_level(row.year, c.year) > 0
        ]
        unnamed.sort(key=lambda c: -year_level(row.year, c.year))
        looked_up: dict[TitleRef, Candidate] = {}
        for candidate in unnamed[:MAX_ALTERNATIVE_LOOKUPS]:
            try:
                found = await self._alternatives(candidate.ref)
            except TMDBNotFound:
                continue
            names = tuple(found.names)
            looked_up[candidate.ref] = dataclasses.replace(candidate, alternative_titles=names)
        return [looked_up.get(c.ref, c) for c in candidates]

    async def _alternatives(self, ref: TitleRef) -> AlternativeTitles:
        return await self._budget.call(lambda: self._tmdb.alternative_titles(ref))

    async def _search(self, media: MediaType, query: str, year: int | None) -> list[Candidate]:
        if not query.strip():
            return []
        try:
            page = await self._budget.call(lambda: self._page(media, query[:200], year))
        except TMDBNotFound:
            return []
        self._seen = {r.ref: r.genre_ids for r in page.results}
        return [
            Candidate(
                r.ref,
                r.display_title,
                r.original_title if r.media_type == "movie" else r.original_name,
                r.year,
            )
            for r in page.results
        ]

    async def _page(self, media: MediaType, query: str, year: int | None) -> TitlePage:
        if media is MediaType.TV:
            return await self._tmdb.search_tv(
                query, language=self._language, first_air_date_year=year
            )
        return await self._tmdb.search_movie(query, language=self._language, year=year)


__all__ = ["Match", "TMDBError", "TitleMatcher"]
