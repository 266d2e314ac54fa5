"""The base of every TMDB response model: tolerant of old, partial and odd payloads.

Every field has a default, `null` values fall back to that default, unknown fields
are ignored and blank or malformed dates read as `None`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from filmbot.domain.models import MediaType, TitleRef


def _lenient_date(value: object) -> object:
    """Read '' and unparseable strings as None; keep the first 10 chars of timestamps."""
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        try:
            return date.fromisoformat(text[:10])
        except ValueError:
            return None
    return value


def _lenient_datetime(value: object) -> object:
    """Read '' and unparseable strings as None."""
    if isinstance(value, str):
        text = value.strip().replace(" UTC", "+00:00")
        if not text:
            return None
        try:
            return datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None
    return value


LenientDate = Annotated[date | None, BeforeValidator(_lenient_date)]
LenientDateTime = Annotated[datetime | None, BeforeValidator(_lenient_datetime)]


class TMDBModel(BaseModel):
    """Base of every response model: ignore unknown fields, treat null as absent."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True, frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _drop_nulls(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {key: value for key, value in data.items() if value is not None}
        return data


class TitleFields(TMDBModel):
    """What every movie and TV payload shares: id, overview, images and votes."""

    id: int
    original_language: str = ""
    overview: str = ""
    poster_path: str | None = None
    backdrop_path: str | None = None
    popularity: float = 0.0
    vote_average: float = 0.0
    vote_count: int = 0
    adult: bool = False


class MovieFields(TitleFields):
    """A movie payload's titles and release date, and the derived identity."""

    title: str = ""
    original_title: str = ""
    release_date: LenientDate = None

    @property
    def ref(self) -> TitleRef:
        """This movie's identity."""
        return TitleRef(MediaType.MOVIE, self.id)

    @property
    def display_title(self) -> str:
        """The localised title, else the original."""
        return self.title or self.original_title

    @property
    def year(self) -> int | None:
        """The release year, if known."""
        return self.release_date.year if self.release_date else None


class TVFields(TitleFields):
    """A TV payload's names, first air date and countries, and the derived identity."""

    name: str = ""
    original_name: str = ""
    first_air_date: LenientDate = None
    origin_country: list[str] = Field(default_factory=list)

    @property
    def ref(self) -> TitleRef:
        """This show's identity."""
        return TitleRef(MediaType.TV, self.id)

    @property
    def display_title(self) -> str:
        """The localised name, else the original."""
        return self.name or self.original_name

    @property
    def year(self) -> int | None:
        """The first air year, if known."""
        return self.first_air_date.year if self.first_air_date else None
