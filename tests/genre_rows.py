"""Read back the genres FilmBot recorded for titles (for tests of the genres chart's data)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from filmbot.db.models import TitleGenreRow
from tests.fakes.tmdb_catalogue import Catalogue


async def recorded_genres(
    sessions: async_sessionmaker[AsyncSession],
) -> dict[tuple[str, int], list[int]]:
    """(media, id) -> the recorded genre ids, sorted."""
    async with sessions() as session:
        rows = await session.execute(
            select(TitleGenreRow.media_type, TitleGenreRow.tmdb_id, TitleGenreRow.genre_id)
        )
        found: dict[tuple[str, int], list[int]] = {}
        for media, tmdb_id, genre_id in rows:
            found.setdefault((media.value, tmdb_id), []).append(genre_id)
        return {key: sorted(ids) for key, ids in found.items()}


def catalogue_genres(catalogue: Catalogue, media: str, tmdb_id: int) -> list[int]:
    """The title's genre ids as the fake TMDB serves them."""
    return sorted(g["id"] for g in catalogue.table(media)[tmdb_id]["genres"])
