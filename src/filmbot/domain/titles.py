"""Parse a title option: free text, `movie:ID`, `tv:ID`, a TMDB URL, an IMDb id or URL."""

from __future__ import annotations

import re
import unicodedata

from filmbot.domain.errors import InvalidInputError
from filmbot.domain.models import MediaType, TitleRef

MAX_QUERY_LENGTH = 100
_REF = re.compile(r"^\s*(movie|tv)\s*[:/#]\s*(\d{1,10})\s*$", re.IGNORECASE)
_URL = re.compile(
    r"^\s*(?:https?://)?(?:www\.)?themoviedb\.org/(?:[a-z]{2}(?:-[A-Z]{2})?/)?(movie|tv)/(\d{1,10})",
    re.IGNORECASE,
)
_IMDB = re.compile(
    r"^\s*(?:(?:https?://)?(?:(?:www|m)\.)?imdb\.com/(?:[a-z]{2}/)?title/)?(tt\d{7,10})(?:[/?#]\S*)?\s*$",
    re.IGNORECASE,
)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def parse_title_query(text: str) -> TitleRef | str:
    """Return the title reference the text names, or the cleaned search text.

    An IMDb id or URL comes back as the bare id (`tt0816692`): `imdb_id_of` tells it
    apart, and TMDB's /find turns it into a reference. Raises InvalidInputError for
    empty or overlong text.
    """
    cleaned = _CONTROL.sub(" ", unicodedata.normalize("NFC", text or "")).strip()
    if not cleaned:
        raise InvalidInputError(
            "Type part of a title, `movie:ID`, `tv:ID`, an IMDb id or a TMDB or IMDb link."
        )
    match = _REF.match(cleaned) or _URL.match(cleaned)
    if match:
        return TitleRef(MediaType(match.group(1).lower()), int(match.group(2)))
    imdb = _IMDB.match(cleaned)
    if imdb:
        return imdb.group(1).lower()
    if len(cleaned) > MAX_QUERY_LENGTH:
        raise InvalidInputError(
            f"That search is too long; keep it under {MAX_QUERY_LENGTH} characters."
        )
    return " ".join(cleaned.split())


def imdb_id_of(text: str) -> str | None:
    """The IMDb title id (`tt0816692`) that the text is or links to, else None."""
    match = _IMDB.match(text or "")
    return match.group(1).lower() if match else None


def imdb_url(imdb_id: str) -> str:
    """The title's page on imdb.com."""
    return f"https://www.imdb.com/title/{imdb_id}/"


def parse_ref(text: str, expected: MediaType | None = None) -> TitleRef:
    """Parse an id option (`693134`, `movie:693134` or a TMDB URL) for a known media type."""
    stripped = (text or "").strip()
    if expected is not None and stripped.isdigit() and len(stripped) <= 10:
        return TitleRef(expected, int(stripped))
    parsed = parse_title_query(stripped)
    if isinstance(parsed, str):
        raise InvalidInputError("That is not a TMDB id; pick a title from the suggestions.")
    if expected is not None and parsed.media_type is not expected:
        raise InvalidInputError(
            f"That is a {parsed.media_type.label} id, not a {expected.label} id."
        )
    return parsed


TMDB_ATTRIBUTION = (
    "Data from TMDB · This product uses the TMDB API but is not endorsed or certified by TMDB."
)

JUSTWATCH_ATTRIBUTION = "Streaming data provided by JustWatch"


def tmdb_url(ref: TitleRef) -> str:
    """The title's page on themoviedb.org."""
    return f"https://www.themoviedb.org/{ref.media_type.value}/{ref.tmdb_id}"
