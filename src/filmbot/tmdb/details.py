"""TMDB models of one title: movie and TV details and what `append_to_response` adds."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from filmbot.domain.models import MediaType
from filmbot.domain.updates import ReleaseType
from filmbot.tmdb._base import LenientDate, LenientDateTime, MovieFields, TMDBModel, TVFields


class Genre(TMDBModel):
    """A genre id and its localised name."""

    id: int
    name: str = ""


class CastMember(TMDBModel):
    """One cast credit."""

    id: int
    name: str = ""
    original_name: str = ""
    character: str = ""
    order: int = 0
    profile_path: str | None = None
    known_for_department: str = ""
    credit_id: str = ""


class CrewMember(TMDBModel):
    """One crew credit."""

    id: int
    name: str = ""
    original_name: str = ""
    job: str = ""
    department: str = ""
    profile_path: str | None = None
    credit_id: str = ""


class Credits(TMDBModel):
    """Cast and crew of a title."""

    cast: list[CastMember] = Field(default_factory=list)
    crew: list[CrewMember] = Field(default_factory=list)

    def directors(self) -> list[str]:
        """Names of the credited directors."""
        return [member.name for member in self.crew if member.job == "Director"]


class ReleaseDate(TMDBModel):
    """One dated release in one country."""

    type: int = ReleaseType.THEATRICAL.value
    release_date: LenientDateTime = None
    certification: str = ""
    iso_639_1: str = ""
    note: str = ""


class CountryReleaseDates(TMDBModel):
    """The releases of a movie in one country."""

    iso_3166_1: str
    release_dates: list[ReleaseDate] = Field(default_factory=list)


class ReleaseDates(TMDBModel):
    """Release dates of a movie, per country (types 1-6)."""

    results: list[CountryReleaseDates] = Field(default_factory=list)

    def for_country(self, region: str) -> list[ReleaseDate]:
        """The releases in `region` (ISO 3166-1), oldest first."""
        for country in self.results:
            if country.iso_3166_1.upper() == region.upper():
                dated = [r for r in country.release_dates if r.release_date is not None]
                return sorted(dated, key=lambda r: r.release_date or datetime.min)
        return []


class Video(TMDBModel):
    """A trailer, teaser, clip or featurette."""

    id: str = ""
    key: str = ""
    site: str = ""
    name: str = ""
    type: str = ""
    official: bool = False
    size: int = 0
    published_at: LenientDateTime = None
    iso_639_1: str = ""
    iso_3166_1: str = ""

    @property
    def url(self) -> str | None:
        """A watch URL for YouTube and Vimeo videos."""
        if self.site == "YouTube" and self.key:
            return f"https://www.youtube.com/watch?v={self.key}"
        if self.site == "Vimeo" and self.key:
            return f"https://vimeo.com/{self.key}"
        return None


class Videos(TMDBModel):
    """The videos of a title."""

    results: list[Video] = Field(default_factory=list)

    def trailer(self) -> Video | None:
        """The best trailer: official YouTube trailers first."""
        trailers = [v for v in self.results if v.type == "Trailer" and v.url]
        trailers.sort(key=lambda v: (not v.official, v.site != "YouTube"))
        return trailers[0] if trailers else None


class WatchProvider(TMDBModel):
    """A streaming, rental or purchase service."""

    provider_id: int
    provider_name: str = ""
    logo_path: str | None = None
    display_priority: int = 0


class CountryWatchProviders(TMDBModel):
    """Where a title can be watched in one country."""

    link: str = ""
    flatrate: list[WatchProvider] = Field(default_factory=list)
    free: list[WatchProvider] = Field(default_factory=list)
    ads: list[WatchProvider] = Field(default_factory=list)
    rent: list[WatchProvider] = Field(default_factory=list)
    buy: list[WatchProvider] = Field(default_factory=list)


class WatchProviders(TMDBModel):
    """Watch providers of a title, per country (data by JustWatch)."""

    results: dict[str, CountryWatchProviders] = Field(default_factory=dict)

    def for_region(self, region: str) -> CountryWatchProviders | None:
        """The providers in `region`, if any."""
        return self.results.get(region.upper())


class ExternalIds(TMDBModel):
    """Identifiers of a title on other sites."""

    imdb_id: str | None = None
    tvdb_id: int | None = None
    wikidata_id: str | None = None
    facebook_id: str | None = None
    instagram_id: str | None = None
    twitter_id: str | None = None


class Collection(TMDBModel):
    """The collection a movie belongs to."""

    id: int
    name: str = ""
    poster_path: str | None = None
    backdrop_path: str | None = None


class MovieDetails(MovieFields):
    """A movie with whatever `append_to_response` brought along."""

    tagline: str = ""
    status: str = ""
    runtime: int | None = None
    genres: list[Genre] = Field(default_factory=list)
    homepage: str = ""
    imdb_id: str | None = None
    budget: int = 0
    revenue: int = 0
    belongs_to_collection: Collection | None = None
    credits: Credits | None = None
    release_dates: ReleaseDates | None = None
    external_ids: ExternalIds | None = None
    videos: Videos | None = None
    watch_providers: WatchProviders | None = Field(default=None, alias="watch/providers")

    @property
    def media_type(self) -> MediaType:
        """Always MediaType.MOVIE."""
        return MediaType.MOVIE


class Episode(TMDBModel):
    """An episode (e.g. next_episode_to_air); old payloads lack many fields."""

    id: int = 0
    name: str = ""
    overview: str = ""
    air_date: LenientDate = None
    episode_number: int = 0
    season_number: int = 0
    episode_type: str | None = None
    runtime: int | None = None
    still_path: str | None = None
    show_id: int | None = None
    production_code: str = ""
    vote_average: float = 0.0
    vote_count: int = 0

    @property
    def code(self) -> str:
        """The S01E02 code."""
        return f"S{self.season_number:02d}E{self.episode_number:02d}"


class Season(TMDBModel):
    """A season summary in TV details."""

    id: int = 0
    name: str = ""
    overview: str = ""
    air_date: LenientDate = None
    episode_count: int = 0
    season_number: int = 0
    poster_path: str | None = None
    vote_average: float = 0.0


class Network(TMDBModel):
    """A TV network."""

    id: int
    name: str = ""
    logo_path: str | None = None
    origin_country: str = ""


class Creator(TMDBModel):
    """A show's creator."""

    id: int
    name: str = ""
    profile_path: str | None = None
    credit_id: str = ""


class TVDetails(TVFields):
    """A TV show with whatever `append_to_response` brought along."""

    tagline: str = ""
    status: str = ""
    type: str = ""
    in_production: bool = False
    last_air_date: LenientDate = None
    number_of_seasons: int = 0
    number_of_episodes: int = 0
    episode_run_time: list[int] = Field(default_factory=list)
    genres: list[Genre] = Field(default_factory=list)
    networks: list[Network] = Field(default_factory=list)
    created_by: list[Creator] = Field(default_factory=list)
    seasons: list[Season] = Field(default_factory=list)
    next_episode_to_air: Episode | None = None
    last_episode_to_air: Episode | None = None
    homepage: str = ""
    credits: Credits | None = None
    external_ids: ExternalIds | None = None
    videos: Videos | None = None
    watch_providers: WatchProviders | None = Field(default=None, alias="watch/providers")

    @property
    def media_type(self) -> MediaType:
        """Always MediaType.TV."""
        return MediaType.TV


TitleDetails = MovieDetails | TVDetails
