"""Errors raised by the TMDB client."""

from __future__ import annotations

from filmbot.domain.errors import ExternalServiceError, NotFoundError


class TMDBError(ExternalServiceError):
    """TMDB failed or sent something FilmBot cannot read."""

    user_message = "TMDB is unavailable right now; try again in a minute."


class TMDBAuthError(TMDBError):
    """TMDB rejected the configured API key or read access token."""

    user_message = "TMDB rejected FilmBot's API key; ask the bot owner to check TMDB_API_KEY."


class TMDBNotFound(TMDBError, NotFoundError):
    """TMDB has no such resource (HTTP 404, status_code 34)."""

    user_message = "TMDB has no title with that id."


class TMDBUnavailable(TMDBError):
    """TMDB kept failing (5xx, 429, bodies that are not JSON, timeouts) until retries ran out."""

    user_message = "TMDB is unavailable right now; try again in a minute."
