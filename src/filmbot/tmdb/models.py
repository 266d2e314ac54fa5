"""Typed TMDB v3 response models; every model tolerates missing, null and unknown fields."""

from __future__ import annotations

import logging
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import BaseModel, Field, ValidationError, model_validator

from filmbot.domain.models import MediaType, TitleRef
from filmbot.domain.updates import ReleaseType
from filmbot.tmdb._base import LenientDate, LenientDateTime, MovieFields, TMDBModel, TVFields
from filmbot.tmdb.details import (
    CastMember,
    Collection,
    CountryReleaseDates,
    CountryWatchProviders,
    Creator,
    Credits,
    CrewMember,
    Episode,
    ExternalIds,
    Genre,
    MovieDetails,
    Network,
    ReleaseDate,
    ReleaseDates,
    Season,
    TitleDetails,
    TVDetails,
    Video,
    Videos,
    WatchProvider,
    WatchProviders,
)
from filmbot.tmdb.errors import TMDBError

__all__ = [
    "CastMember",
    "ChangedId",
    "ChangesPage",
    "Collection",
    "Configuration",
    "CountryReleaseDates",
    "CountryWatchProviders",
    "Creator",
    "Credits",
    "CrewMember",
    "Episode",
    "ExternalIds",
    "Genre",
    "GenreList",
    "ImagesConfiguration",
    "LenientDate",
    "LenientDateTime",
    "MovieDetails",
    "MovieResult",
    "MultiPage",
    "MultiResult",
    "Network",
    "Page",
    "PersonResult",
    "ReleaseDate",
    "ReleaseDates",
    "ReleaseType",
    "Season",
    "Suggestion",
    "TMDBModel",
    "TVDetails",
    "TVResult",
    "TitleDetails",
    "TitlePage",
    "TitleResult",
    "Video",
    "Videos",
    "WatchProvider",
    "WatchProviders",
    "parse_payload",
]

log = logging.getLogger(__name__)


class GenreList(TMDBModel):
    """The /genre/{movie|tv}/list payload."""

    genres: list[Genre] = Field(default_factory=list)


class MovieResult(MovieFields):
    """A movie in a search, trending or similar list."""

    media_type: Literal["movie"] = "movie"
    genre_ids: list[int] = Field(default_factory=list)


class TVResult(TVFields):
    """A TV show in a search, trending or similar list."""

    media_type: Literal["tv"] = "tv"
    genre_ids: list[int] = Field(default_factory=list)


class PersonResult(TMDBModel):
    """A person in a multi search or trending list."""

    media_type: Literal["person"] = "person"
    id: int
    name: str = ""
    original_name: str = ""
    known_for_department: str = ""
    profile_path: str | None = None
    popularity: float = 0.0
    known_for: list[Annotated[MovieResult | TVResult, Field(discriminator="media_type")]] = Field(
        default_factory=list
    )

    @model_validator(mode="before")
    @classmethod
    def _known_titles_only(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("known_for"), list):
            known = [e for e in data["known_for"] if _media_of(e) in ("movie", "tv")]
            return {**data, "known_for": known}
        return data


TitleResult = Annotated[MovieResult | TVResult, Field(discriminator="media_type")]
MultiResult = Annotated[MovieResult | TVResult | PersonResult, Field(discriminator="media_type")]
_MULTI_TYPES = ("movie", "tv", "person")


def _media_of(entry: object) -> object:
    return entry.get("media_type") if isinstance(entry, dict) else None


ResultT = TypeVar("ResultT")


class Page(TMDBModel, Generic[ResultT]):
    """One page of a paged TMDB list."""

    page: int = 1
    results: list[ResultT] = Field(default_factory=list)
    total_pages: int = 0
    total_results: int = 0


class MultiPage(Page[MultiResult]):
    """A /search/multi or /trending/all page; entries of unknown media types are dropped."""

    @model_validator(mode="before")
    @classmethod
    def _known_media_only(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("results"), list):
            results = [e for e in data["results"] if _media_of(e) in _MULTI_TYPES]
            return {**data, "results": results}
        return data


class TitlePage(Page[TitleResult]):
    """A page of movies and/or TV shows (search, trending, similar, recommendations)."""


class ChangedId(TMDBModel):
    """One id in a /movie/changes or /tv/changes page."""

    id: int
    adult: bool | None = None


class ChangesPage(Page[ChangedId]):
    """A page of ids changed in a date window."""


class ImagesConfiguration(TMDBModel):
    """Where images live and which sizes exist."""

    base_url: str = "http://image.tmdb.org/t/p/"
    secure_base_url: str = "https://image.tmdb.org/t/p/"
    backdrop_sizes: list[str] = Field(default_factory=list)
    logo_sizes: list[str] = Field(default_factory=list)
    poster_sizes: list[str] = Field(default_factory=list)
    profile_sizes: list[str] = Field(default_factory=list)
    still_sizes: list[str] = Field(default_factory=list)


class Configuration(TMDBModel):
    """The /configuration payload."""

    images: ImagesConfiguration = Field(default_factory=ImagesConfiguration)
    change_keys: list[str] = Field(default_factory=list)


class Suggestion(TMDBModel):
    """One autocomplete choice: a movie or TV show."""

    media_type: MediaType
    id: int
    title: str
    year: int | None = None

    @property
    def ref(self) -> TitleRef:
        """This title's identity."""
        return TitleRef(self.media_type, self.id)

    @property
    def label(self) -> str:
        """E.g. 'Dune (2021) · Movie'."""
        year = f" ({self.year})" if self.year else ""
        return f"{self.title}{year} · {self.media_type.label}"


ModelT = TypeVar("ModelT", bound=BaseModel)


def parse_payload(
    model: type[ModelT], payload: dict[str, Any], path: str, media: MediaType | None = None
) -> ModelT:
    """Validate a payload into `model`; an unexpected shape becomes TMDBError."""
    if media is not None:
        payload = _with_media_type(payload, media)
    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        log.warning("TMDB %s payload has an unexpected shape: %s", path, exc.errors()[:3])
        raise TMDBError(f"TMDB sent an unexpected {path} payload") from None


def _with_media_type(payload: dict[str, Any], media: MediaType) -> dict[str, Any]:
    """Tag list entries that lack media_type (single-type endpoints omit it)."""
    results = payload.get("results")
    if not isinstance(results, list):
        return payload
    tagged = [
        {"media_type": media.value, **entry} if isinstance(entry, dict) else entry
        for entry in results
    ]
    return {**payload, "results": tagged}
