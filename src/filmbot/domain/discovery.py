"""The rules of /discover's options that need nothing but the options themselves."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from filmbot.domain.errors import InvalidInputError
from filmbot.domain.models import MediaType

FIRST_YEAR = 1874
LAST_YEAR = 2100
RATING_SORT_MIN_VOTES = 200
"""With sort `rating`, titles need this many votes: a 10.0 from 3 votes does not win."""


@dataclass(frozen=True, slots=True)
class DiscoverOptions:
    """What a member asked /discover for, as typed (ids resolved later)."""

    media: MediaType = MediaType.MOVIE
    genre: str | None = None
    year_from: int | None = None
    year_to: int | None = None
    certification: str | None = None
    min_rating: float | None = None
    person: str | None = None
    provider: str | None = None
    sort: str = "popularity"

    def date_range(self) -> tuple[date | None, date | None]:
        """The first and last day of the year range, where given."""
        start = date(self.year_from, 1, 1) if self.year_from is not None else None
        end = date(self.year_to, 12, 31) if self.year_to is not None else None
        return start, end


def check_options(options: DiscoverOptions) -> None:
    """Refuse options that contradict themselves or TMDB's limits (InvalidInputError)."""
    for name, year in (("year_from", options.year_from), ("year_to", options.year_to)):
        if year is not None and not FIRST_YEAR <= year <= LAST_YEAR:
            raise InvalidInputError(f"`{name}` must be a year from {FIRST_YEAR} to {LAST_YEAR}.")
    if (
        options.year_from is not None
        and options.year_to is not None
        and options.year_from > options.year_to
    ):
        raise InvalidInputError(
            f"`year_from` ({options.year_from}) is after `year_to` ({options.year_to})."
        )
    if options.min_rating is not None and not 0 <= options.min_rating <= 10:
        raise InvalidInputError("`min_rating` goes from 0 to 10.")
    if options.media is MediaType.TV and options.certification:
        raise InvalidInputError(
            "Certifications filter films only: TMDB has no certification filter for TV shows."
        )
    if options.media is MediaType.TV and options.person:
        raise InvalidInputError(
            "The person filter works for films only: TMDB's TV discovery has no people filter."
        )
