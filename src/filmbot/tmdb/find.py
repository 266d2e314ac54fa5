"""The /find/{external_id} payload: titles known by another service's id (IMDb, TVDB...)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, model_validator

from filmbot.domain.models import MediaType, TitleRef
from filmbot.tmdb._base import TMDBModel
from filmbot.tmdb.models import MovieResult, TVResult

ExternalSource = Literal[
    "imdb_id",
    "facebook_id",
    "instagram_id",
    "tvdb_id",
    "tiktok_id",
    "twitter_id",
    "wikidata_id",
    "youtube_id",
]


class EpisodeResult(TMDBModel):
    """A TV episode (or season) found by an external id; `show_id` is its show."""

    id: int
    show_id: int | None = None
    name: str = ""
    season_number: int | None = None
    episode_number: int | None = None


class FindResults(TMDBModel):
    """What TMDB knows under one external id, by kind."""

    movie_results: list[MovieResult] = Field(default_factory=list)
    tv_results: list[TVResult] = Field(default_factory=list)
    tv_episode_results: list[EpisodeResult] = Field(default_factory=list)
    tv_season_results: list[EpisodeResult] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _tag_media(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        tagged = dict(data)
        for key, media in (("movie_results", "movie"), ("tv_results", "tv")):
            entries = data.get(key)
            if isinstance(entries, list):
                tagged[key] = [
                    {**e, "media_type": media} if isinstance(e, dict) else e for e in entries
                ]
        return tagged

    def first_ref(self, prefer: MediaType | None = None) -> TitleRef | None:
        """The title the id names: a movie, a show, or an episode's or season's show."""
        movies = [r.ref for r in self.movie_results]
        shows = [r.ref for r in self.tv_results]
        shows += [
            TitleRef(MediaType.TV, e.show_id)
            for e in (*self.tv_episode_results, *self.tv_season_results)
            if e.show_id
        ]
        ordered = [*shows, *movies] if prefer is MediaType.TV else [*movies, *shows]
        return ordered[0] if ordered else None
