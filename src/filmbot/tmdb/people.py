"""TMDB models of people: /search/person results and /person/{id} with combined credits."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from filmbot.domain.models import MediaType, TitleRef
from filmbot.tmdb._base import LenientDate, TMDBModel
from filmbot.tmdb.models import Page, PersonResult

__all__ = ["CombinedCredits", "PersonCredit", "PersonDetails", "PersonPage", "PersonResult"]


class PersonPage(Page[PersonResult]):
    """A /search/person page."""


class PersonCredit(TMDBModel):
    """One film or show in a person's combined credits, as cast or as crew."""

    id: int
    media_type: Literal["movie", "tv"] = "movie"
    title: str = ""
    name: str = ""
    original_title: str = ""
    original_name: str = ""
    release_date: LenientDate = None
    first_air_date: LenientDate = None
    character: str = ""
    order: int | None = None
    job: str = ""
    department: str = ""
    credit_id: str = ""
    popularity: float = 0.0
    vote_average: float = 0.0
    vote_count: int = 0
    poster_path: str | None = None
    overview: str = ""
    genre_ids: list[int] = Field(default_factory=list)

    @property
    def ref(self) -> TitleRef:
        """The credited title's identity."""
        return TitleRef(MediaType(self.media_type), self.id)

    @property
    def display_title(self) -> str:
        """The localised title or name, else the original."""
        return self.title or self.name or self.original_title or self.original_name

    @property
    def released(self) -> date | None:
        """The release or first air date, if known."""
        return self.release_date or self.first_air_date


class CombinedCredits(TMDBModel):
    """Everything a person is credited on, films and shows together."""

    cast: list[PersonCredit] = Field(default_factory=list)
    crew: list[PersonCredit] = Field(default_factory=list)


class PersonDetails(TMDBModel):
    """A person with the combined credits `append_to_response` brought along."""

    id: int
    name: str = ""
    biography: str = ""
    birthday: LenientDate = None
    deathday: LenientDate = None
    place_of_birth: str = ""
    known_for_department: str = ""
    profile_path: str | None = None
    imdb_id: str | None = None
    homepage: str = ""
    popularity: float = 0.0
    also_known_as: list[str] = Field(default_factory=list)
    combined_credits: CombinedCredits | None = None
