"""The filters of TMDB's /discover/movie and /discover/tv, as query parameters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from filmbot.domain.models import MediaType

__all__ = ["DiscoverQuery", "DiscoverSort"]

DiscoverSort = Literal["popularity", "rating", "newest", "oldest", "title"]

_SORT = {
    MediaType.MOVIE: {
        "popularity": "popularity.desc",
        "rating": "vote_average.desc",
        "newest": "primary_release_date.desc",
        "oldest": "primary_release_date.asc",
        "title": "title.asc",
    },
    MediaType.TV: {
        "popularity": "popularity.desc",
        "rating": "vote_average.desc",
        "newest": "first_air_date.desc",
        "oldest": "first_air_date.asc",
        "title": "name.asc",
    },
}


@dataclass(frozen=True, slots=True)
class DiscoverQuery:
    """What to discover; each filter left as None is not sent.

    `certification` (with `certification_country`) and `people` filter films only:
    TMDB's /discover/tv has neither.
    """

    media: MediaType = MediaType.MOVIE
    genre_ids: tuple[int, ...] = ()
    released_from: date | None = None
    released_to: date | None = None
    certification: str | None = None
    certification_country: str | None = None
    min_rating: float | None = None
    min_votes: int | None = None
    people: tuple[int, ...] = ()
    provider_ids: tuple[int, ...] = ()
    watch_region: str | None = None
    sort: DiscoverSort = "popularity"

    def params(self) -> dict[str, str]:
        """The query parameters of this discovery (page and language excluded)."""
        date_key = "primary_release_date" if self.media is MediaType.MOVIE else "first_air_date"
        params = {"sort_by": _SORT[self.media][self.sort], "include_adult": "false"}
        if self.genre_ids:
            params["with_genres"] = ",".join(str(g) for g in self.genre_ids)
        if self.released_from is not None:
            params[f"{date_key}.gte"] = self.released_from.isoformat()
        if self.released_to is not None:
            params[f"{date_key}.lte"] = self.released_to.isoformat()
        if self.min_rating is not None:
            params["vote_average.gte"] = f"{self.min_rating:g}"
        if self.min_votes is not None:
            params["vote_count.gte"] = str(self.min_votes)
        if self.provider_ids and self.watch_region:
            params["with_watch_providers"] = "|".join(str(p) for p in self.provider_ids)
            params["watch_region"] = self.watch_region
        if self.media is MediaType.MOVIE:
            params |= self._film_only()
        return params

    def _film_only(self) -> dict[str, str]:
        params: dict[str, str] = {}
        if self.certification and self.certification_country:
            params["certification_country"] = self.certification_country
            params["certification"] = self.certification
        if self.people:
            params["with_people"] = ",".join(str(p) for p in self.people)
        return params
