"""The /movie/{id}/alternative_titles and /tv/{id}/alternative_titles payloads."""

from __future__ import annotations

from pydantic import Field

from filmbot.tmdb._base import TMDBModel


class AlternativeTitle(TMDBModel):
    """One other name of a title, in a country (`iso_3166_1`), with its kind if any."""

    iso_3166_1: str = ""
    title: str = ""
    type: str = ""


class AlternativeTitles(TMDBModel):
    """A title's other names: TMDB lists a movie's under `titles`, a show's under `results`."""

    id: int = 0
    titles: list[AlternativeTitle] = Field(default_factory=list)
    results: list[AlternativeTitle] = Field(default_factory=list)

    @property
    def names(self) -> list[str]:
        """Every distinct non-blank alternative name, in TMDB's order."""
        entries = (*self.titles, *self.results)
        return list(dict.fromkeys(e.title for e in entries if e.title.strip()))
