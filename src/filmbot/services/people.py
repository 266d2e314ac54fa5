"""People on TMDB: find a person, and sort their credits into what /person shows."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from filmbot.domain.clock import utcnow
from filmbot.domain.errors import InvalidInputError, NotFoundError
from filmbot.domain.people import parse_person_query, person_ref
from filmbot.tmdb import TMDBClient
from filmbot.tmdb.errors import TMDBNotFound
from filmbot.tmdb.people import PersonCredit, PersonDetails

log = logging.getLogger(__name__)

AUTOCOMPLETE_BUDGET_SECONDS = 2.5


@dataclass(frozen=True, slots=True)
class Filmography:
    """A person's credits as /person shows them; each list newest first, one entry a title."""

    known_for: list[PersonCredit]
    directed: list[PersonCredit]
    acted: list[PersonCredit]
    upcoming: list[PersonCredit]
    total: int


def _newest_first(credits: Iterable[PersonCredit]) -> list[PersonCredit]:
    unique = {c.ref: c for c in sorted(credits, key=lambda c: c.credit_id)}
    return sorted(unique.values(), key=lambda c: (c.released or date.max, c.id), reverse=True)


def filmography(person: PersonDetails, today: date) -> Filmography:
    """Sort a person's combined credits: known for, directed, acted and upcoming."""
    credits = person.combined_credits
    cast = credits.cast if credits else []
    crew = credits.crew if credits else []
    directing = [c for c in crew if c.job == "Director"]

    def out(credit: PersonCredit) -> bool:
        return credit.released is not None and credit.released <= today

    main = directing if person.known_for_department == "Directing" else cast
    popular = sorted(
        (c for c in (main or [*cast, *directing]) if out(c)),
        key=lambda c: (-c.vote_count, -c.popularity),
    )
    return Filmography(
        known_for=list({c.ref: c for c in popular}.values())[:4],
        directed=_newest_first(c for c in directing if out(c)),
        acted=_newest_first(c for c in cast if out(c)),
        upcoming=_newest_first(c for c in (*cast, *directing) if not out(c))[::-1],
        total=len({c.ref for c in (*cast, *crew)}),
    )


class PeopleService:
    """Find people on TMDB and read their credits."""

    def __init__(self, tmdb: TMDBClient) -> None:
        self._tmdb = tmdb

    async def find(self, text: str, *, language: str | None = None) -> PersonDetails:
        """The person a `person` option names; NotFoundError when TMDB has nobody."""
        person_id = await self.person_id(text, language=language)
        return await self.get(person_id, language=language)

    async def get(self, person_id: int, *, language: str | None = None) -> PersonDetails:
        """A person with combined credits; NotFoundError when TMDB has no such person."""
        try:
            return await self._tmdb.get_person(person_id, language=language)
        except TMDBNotFound:
            raise NotFoundError(f"TMDB has no person with id {person_id}.") from None

    async def person_id(self, text: str, *, language: str | None = None) -> int:
        """The id a `person` option names (searching by name costs one request)."""
        parsed = parse_person_query(text)
        if isinstance(parsed, int):
            return parsed
        found = await self._tmdb.search_person(parsed, language=language)
        if not found.results:
            raise NotFoundError(f"TMDB knows nobody called “{parsed[:80]}”.")
        return found.results[0].id

    def filmography(self, person: PersonDetails, today: date | None = None) -> Filmography:
        """The person's credits sorted for display."""
        return filmography(person, today or utcnow().date())

    async def autocomplete(
        self, text: str, *, language: str | None = None
    ) -> list[tuple[str, str]]:
        """Up to 25 (label, `person:ID`) pairs; never raises."""
        try:
            parsed = parse_person_query(text)
            if isinstance(parsed, int):
                person = await asyncio.wait_for(
                    self.get(parsed, language=language), AUTOCOMPLETE_BUDGET_SECONDS
                )
                return [(_label(person.name, person.known_for_department), person_ref(parsed))]
            found = await asyncio.wait_for(
                self._tmdb.search_person(parsed, language=language), AUTOCOMPLETE_BUDGET_SECONDS
            )
        except (InvalidInputError, NotFoundError):
            return []
        except Exception:
            log.warning("Person autocomplete for %r failed", text[:50], exc_info=True)
            return []
        return [
            (_label(p.name, p.known_for_department), person_ref(p.id)) for p in found.results[:25]
        ]


def _label(name: str, department: str) -> str:
    return f"{name} · {department}"[:100] if department else name[:100]
