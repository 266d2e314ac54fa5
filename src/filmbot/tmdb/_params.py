"""Query parameters of TMDB requests: language, search terms and appended sections."""

from __future__ import annotations

from collections.abc import Iterable

DEFAULT_LANGUAGE = "en-US"


def language_param(language: str | None) -> str:
    """Return the requested language, else FilmBot's default."""
    return language or DEFAULT_LANGUAGE


def present(**values: object) -> dict[str, str]:
    """Return the given values as strings, leaving out those that are None."""
    return {name: str(value) for name, value in values.items() if value is not None}


def search_params(query: str, page: int, language: str | None) -> dict[str, str]:
    """Return the parameters every search endpoint takes (adult titles excluded)."""
    return {
        "query": query,
        "page": str(page),
        "language": language_param(language),
        "include_adult": "false",
    }


def details_params(language: str | None, append: Iterable[str]) -> dict[str, str]:
    """Return a details request's language and `append_to_response` (when any)."""
    params = {"language": language_param(language)}
    appended = ",".join(append)
    if appended:
        params["append_to_response"] = appended
    return params
