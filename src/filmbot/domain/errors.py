"""Domain errors: each becomes a short reply to the user."""

from __future__ import annotations


class FilmBotError(Exception):
    """Base of every error FilmBot reports to a user."""

    user_message = "Something went wrong."

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.user_message)
        self.message = message or self.user_message


class NotFoundError(FilmBotError):
    """The title, item or setting does not exist."""

    user_message = "Not found."


class AlreadyExistsError(FilmBotError):
    """A row with the same identity exists already (unique constraint)."""

    user_message = "That is there already."


class LimitReachedError(FilmBotError):
    """A per-user or per-guild limit is reached."""

    user_message = "Limit reached."


class InvalidInputError(FilmBotError):
    """User input failed validation."""

    user_message = "That input is not valid."


class InvalidScoreError(InvalidInputError):
    """A rating outside 1..10."""

    user_message = "A rating must be a whole number from 1 to 10."


class PermissionDeniedError(FilmBotError):
    """The member lacks the permission the action needs."""

    user_message = "You don't have permission to do that."


class ExternalServiceError(FilmBotError):
    """TMDB, Discord or Redis failed after bounded retries."""

    user_message = "An external service is unavailable right now; try again in a minute."


class DatabaseUnavailableError(ExternalServiceError):
    """The database cannot be reached or opened (down, restarting, wrong address)."""

    user_message = "The database is unavailable right now; try again in a moment."


class DataIntegrityError(FilmBotError):
    """A write broke a database rule (foreign key, check, not null)."""

    user_message = "That change breaks a data rule and was not saved."
