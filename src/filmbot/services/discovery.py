"""/discover: check a member's filters against TMDB's lists, then page through the matches."""

from __future__ import annotations

from dataclasses import dataclass

from filmbot.domain.discovery import RATING_SORT_MIN_VOTES, DiscoverOptions, check_options
from filmbot.domain.errors import InvalidInputError
from filmbot.domain.limits import clip
from filmbot.domain.models import MediaType
from filmbot.services.catalog import SearchPage, summarise
from filmbot.services.people import PeopleService
from filmbot.tmdb import TMDBClient
from filmbot.tmdb.discover import DiscoverQuery, DiscoverSort
from filmbot.tmdb.models import Genre, MovieResult, TVResult
from filmbot.tmdb.providers import RegionProvider

SORTS: tuple[DiscoverSort, ...] = ("popularity", "rating", "newest", "oldest", "title")
MAX_PAGE = 500


@dataclass(frozen=True, slots=True)
class Discovery:
    """Checked filters: the TMDB query and the words that describe it."""

    query: DiscoverQuery
    labels: tuple[str, ...]


def _match_genre(genres: list[Genre], text: str) -> Genre | None:
    wanted = text.strip().casefold()
    return next((g for g in genres if str(g.id) == wanted or g.name.casefold() == wanted), None)


def _match_provider(providers: list[RegionProvider], text: str) -> RegionProvider | None:
    wanted = text.strip().casefold()
    return next(
        (
            p
            for p in providers
            if str(p.provider_id) == wanted or p.provider_name.casefold() == wanted
        ),
        None,
    )


class DiscoveryService:
    """Filtered discovery over TMDB's /discover, in the server's language and region."""

    def __init__(self, tmdb: TMDBClient, people: PeopleService) -> None:
        self._tmdb = tmdb
        self._people = people

    async def prepare(self, options: DiscoverOptions, *, language: str, region: str) -> Discovery:
        """Check the options (lists are cached for a day) and build the TMDB query."""
        check_options(options)
        sort = next((s for s in SORTS if s == options.sort), None)
        if sort is None:
            raise InvalidInputError(f"Sort by one of: {', '.join(SORTS)}.")
        labels: list[str] = []
        genre_ids: tuple[int, ...] = ()
        if options.genre:
            genre = await self._genre(options.media, options.genre, language)
            genre_ids, labels = (genre.id,), [*labels, genre.name]
        start, end = options.date_range()
        if start or end:
            labels.append(f"{options.year_from or '…'}–{options.year_to or '…'}")
        certification = None
        if options.certification:
            certification = await self._certification(options.certification, region)
            labels.append(f"rated {certification} ({region})")
        if options.min_rating is not None:
            labels.append(f"★ {options.min_rating:g}+")
        people: tuple[int, ...] = ()
        if options.person:
            person = await self._people.find(options.person, language=language)
            people, labels = (person.id,), [*labels, f"with {person.name}"]
        providers: tuple[int, ...] = ()
        if options.provider:
            provider = await self._provider(options.media, options.provider, region, language)
            providers = (provider.provider_id,)
            labels.append(f"on {provider.provider_name} ({region})")
        query = DiscoverQuery(
            media=options.media,
            genre_ids=genre_ids,
            released_from=start,
            released_to=end,
            certification=certification,
            certification_country=region if certification else None,
            min_rating=options.min_rating,
            min_votes=RATING_SORT_MIN_VOTES if options.sort == "rating" else None,
            people=people,
            provider_ids=providers,
            watch_region=region if providers else None,
            sort=sort,
        )
        return Discovery(query, tuple(labels))

    async def page(self, query: DiscoverQuery, page: int, *, language: str) -> SearchPage:
        """One TMDB page of matches."""
        result = await self._tmdb.discover(query, page=page, language=language)
        items = [summarise(r) for r in result.results if isinstance(r, MovieResult | TVResult)]
        return SearchPage(
            items, result.page, min(result.total_pages, MAX_PAGE), result.total_results
        )

    # -- autocomplete ---------------------------------------------------------------------

    async def genre_choices(
        self, media: MediaType, current: str, *, language: str
    ) -> list[tuple[str, str]]:
        """Genres (in the server's language) whose names contain what was typed."""
        genres = await self._tmdb.genres(media, language=language)
        wanted = current.strip().casefold()
        return [(g.name, str(g.id)) for g in genres if wanted in g.name.casefold()][:25]

    async def certification_choices(
        self, media: MediaType, current: str, *, region: str
    ) -> list[tuple[str, str]]:
        """The region's film certifications; for TV, one choice that says there are none."""
        if media is MediaType.TV:
            return [("Certifications filter films only: TMDB has none for TV shows", "films-only")]
        certifications = (await self._tmdb.certifications()).for_region(region)
        wanted = current.strip().casefold()
        return [
            (clip(f"{c.certification} ({region}) · {c.meaning}", 100), c.certification)
            for c in certifications
            if wanted in c.certification.casefold()
        ][:25]

    async def provider_choices(
        self, media: MediaType, current: str, *, region: str, language: str
    ) -> list[tuple[str, str]]:
        """Streaming and rental services of the region whose names contain what was typed."""
        providers = await self._region_providers(media, region, language)
        wanted = current.strip().casefold()
        return [
            (clip(p.provider_name, 100), str(p.provider_id))
            for p in providers
            if wanted in p.provider_name.casefold()
        ][:25]

    # -- checks ---------------------------------------------------------------------------

    async def _genre(self, media: MediaType, text: str, language: str) -> Genre:
        genre = _match_genre(await self._tmdb.genres(media, language=language), text)
        if genre is None:
            kind = "film" if media is MediaType.MOVIE else "TV"
            raise InvalidInputError(
                f"“{clip(text, 40)}” is not a {kind} genre on TMDB; pick one from the suggestions."
            )
        return genre

    async def _certification(self, text: str, region: str) -> str:
        known = [c.certification for c in (await self._tmdb.certifications()).for_region(region)]
        match = next((c for c in known if c.casefold() == text.strip().casefold()), None)
        if match is None:
            listed = ", ".join(c for c in known if c) or "none"
            raise InvalidInputError(
                f"“{clip(text, 20)}” is not a certification in {region} (this server's region); "
                f"{region} has: {listed}."
            )
        return match

    async def _provider(
        self, media: MediaType, text: str, region: str, language: str
    ) -> RegionProvider:
        provider = _match_provider(await self._region_providers(media, region, language), text)
        if provider is None:
            raise InvalidInputError(
                f"“{clip(text, 40)}” is not a streaming or rental service in {region}; "
                "pick one from the suggestions."
            )
        return provider

    async def _region_providers(
        self, media: MediaType, region: str, language: str
    ) -> list[RegionProvider]:
        providers = (await self._tmdb.watch_providers(media, region, language=language)).results
        return sorted(providers, key=lambda p: p.priority_in(region))
