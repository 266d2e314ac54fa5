"""Genres for the dashboard's most-watched genres chart: titles' genre ids and genre names.

The bot records a title's genres when a member adds, marks watched, rates or imports it
(from the TMDB data those commands already have) and backfills the rest in the
background; it also stores the names of TMDB's genre lists in each server's language,
so the dashboard, which has no TMDB client, can show them.
"""

from __future__ import annotations

import logging

from filmbot.db.repositories.genres import GenreRepository
from filmbot.db.session import Sessions
from filmbot.domain.models import MediaType, TitleRef
from filmbot.tmdb import TMDBClient
from filmbot.tmdb.errors import TMDBError

log = logging.getLogger(__name__)

BACKFILL_BATCH = 100


class GenreService:
    """Fill titles' missing genres and the genre names, from the bot's TMDB client."""

    def __init__(self, sessions: Sessions, tmdb: TMDBClient) -> None:
        self._sessions = sessions
        self._tmdb = tmdb

    async def backfill(self, limit: int = BACKFILL_BATCH) -> int:
        """Store the genres of up to `limit` watchlist titles lacking them; return how many."""
        async with self._sessions() as session:
            missing = await GenreRepository(session).missing(limit)
        if not missing:
            return 0
        batch = await self._tmdb.get_many_details(missing)
        genres: dict[TitleRef, list[int]] = {
            ref: [g.id for g in details.genres] for ref, details in batch.found.items()
        }
        genres.update({ref: [] for ref in batch.missing})
        async with self._sessions.begin() as session:
            stored = await GenreRepository(session).record(genres)
        if batch.failed:
            log.warning("Genres of %d titles unavailable; will retry", len(batch.failed))
        return stored

    async def store_names(self) -> int:
        """Store TMDB's genre names in every language a server uses; return how many."""
        async with self._sessions() as session:
            languages = await GenreRepository(session).languages()
        stored = 0
        for language in languages:
            names: dict[int, str] = {}
            try:
                for media in MediaType:
                    genres = await self._tmdb.genres(media, language=language)
                    names.update({g.id: g.name for g in genres})
            except TMDBError as exc:
                log.warning("Genre names in %s unavailable: %s", language, exc)
                continue
            async with self._sessions.begin() as session:
                await GenreRepository(session).store_names(language, names)
            stored += 1
        return stored
