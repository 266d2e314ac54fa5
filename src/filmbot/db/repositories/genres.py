"""Titles' TMDB genre ids and genre names per language (for the most-watched genres chart)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from sqlalchemy import delete, exists, select, tuple_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from filmbot.db.models import GenreNameRow, GuildRow, TitleGenreRow, WatchlistRow
from filmbot.domain.models import TitleRef

NO_GENRE = 0
"""The genre id stored for a title TMDB lists without genres, so it is not fetched again."""


class GenreRepository:
    """Record titles' genres once, find titles still lacking them, keep genre names."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def record(self, genres: Mapping[TitleRef, Iterable[int]]) -> int:
        """Store the genres of titles not recorded yet; return how many titles were new.

        A title's genres are kept as first recorded. Two writers recording the same title
        at once are fine: the loser's savepoint is rolled back and nothing else is.
        """
        if not genres:
            return 0
        known = await self._recorded(list(genres))
        added = 0
        for ref, ids in genres.items():
            if ref in known:
                continue
            rows = sorted({int(i) for i in ids if int(i) > 0}) or [NO_GENRE]
            try:
                async with self._session.begin_nested():
                    self._session.add_all(
                        TitleGenreRow(media_type=ref.media_type, tmdb_id=ref.tmdb_id, genre_id=g)
                        for g in rows
                    )
                    await self._session.flush()
            except IntegrityError:
                continue
            added += 1
        return added

    async def _recorded(self, refs: list[TitleRef]) -> set[TitleRef]:
        found: set[TitleRef] = set()
        for start in range(0, len(refs), 500):
            chunk = refs[start : start + 500]
            keys = [(r.media_type, r.tmdb_id) for r in chunk]
            query = (
                select(TitleGenreRow.media_type, TitleGenreRow.tmdb_id)
                .where(tuple_(TitleGenreRow.media_type, TitleGenreRow.tmdb_id).in_(keys))
                .distinct()
            )
            found.update(TitleRef(m, int(t)) for m, t in await self._session.execute(query))
        return found

    async def missing(self, limit: int) -> list[TitleRef]:
        """Titles on some watchlist whose genres are not recorded yet (at most `limit`)."""
        item = WatchlistRow
        recorded = exists().where(
            TitleGenreRow.media_type == item.media_type, TitleGenreRow.tmdb_id == item.tmdb_id
        )
        query = (
            select(item.media_type, item.tmdb_id)
            .where(~recorded)
            .distinct()
            .order_by(item.media_type, item.tmdb_id)
            .limit(limit)
        )
        return [TitleRef(m, int(t)) for m, t in await self._session.execute(query)]

    async def languages(self) -> list[str]:
        """The languages of the servers the bot is in."""
        query = select(GuildRow.language).where(GuildRow.left_at.is_(None)).distinct()
        return sorted(str(lang) for lang in await self._session.scalars(query))

    async def store_names(self, language: str, names: Mapping[int, str]) -> None:
        """Replace the stored names of these genres in one language."""
        if not names:
            return
        row = GenreNameRow
        await self._session.execute(
            delete(row).where(row.language == language, row.genre_id.in_(list(names)))
        )
        self._session.add_all(
            row(language=language, genre_id=int(i), name=n[:100]) for i, n in names.items()
        )
        await self._session.flush()
