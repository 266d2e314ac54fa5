"""Parse what users type into a person option: a name, `person:ID` or a TMDB person URL."""

from __future__ import annotations

import re

from filmbot.domain.errors import InvalidInputError
from filmbot.domain.titles import parse_title_query

_REF = re.compile(r"^\s*person\s*[:/#]\s*(\d{1,10})\s*$", re.IGNORECASE)
_URL = re.compile(
    r"^\s*(?:https?://)?(?:www\.)?themoviedb\.org/(?:[a-z]{2}(?:-[A-Z]{2})?/)?person/(\d{1,10})",
    re.IGNORECASE,
)


def parse_person_query(text: str) -> int | str:
    """Return the TMDB person id the text names, or the cleaned name to search for."""
    match = _REF.match(text or "") or _URL.match(text or "")
    if match:
        return int(match.group(1))
    parsed = parse_title_query(text)
    if not isinstance(parsed, str):
        raise InvalidInputError("That is a film or show; give a person's name or `person:ID`.")
    return parsed


def named_person(text: str) -> int | None:
    """The person id when the text is `person:ID` or a TMDB person URL, else None."""
    match = _REF.match(text or "") or _URL.match(text or "")
    return int(match.group(1)) if match else None


def person_ref(person_id: int) -> str:
    """The option value naming a person: `person:31`."""
    return f"person:{person_id}"


def person_url(person_id: int) -> str:
    """The person's page on themoviedb.org."""
    return f"https://www.themoviedb.org/person/{person_id}"
