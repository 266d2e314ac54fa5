"""Turn driver integrity errors into domain errors."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from filmbot.domain.errors import AlreadyExistsError, DataIntegrityError, InvalidScoreError

_UNIQUE_MARKERS = ("unique", "duplicate")
_CHECK_MARKERS = ("check constraint", "ck_ratings_score_range", "score_range")


MARIADB_CHECK_FAILED = 4025


def translate(error: IntegrityError, *, duplicate_message: str | None = None) -> Exception:
    """Map an IntegrityError to the matching domain error."""
    text = str(error.orig).lower()
    if any(marker in text for marker in _CHECK_MARKERS):
        return InvalidScoreError()
    if any(marker in text for marker in _UNIQUE_MARKERS):
        return AlreadyExistsError(duplicate_message)
    return DataIntegrityError()


@asynccontextmanager
async def guarded(
    session: AsyncSession, *, duplicate_message: str | None = None
) -> AsyncIterator[None]:
    """Run writes in a savepoint; a broken rule raises a domain error and keeps the transaction."""
    try:
        async with session.begin_nested():
            yield
    except IntegrityError as exc:
        raise translate(exc, duplicate_message=duplicate_message) from exc
    except OperationalError as exc:
        # MariaDB reports a failed CHECK as an operational error (4025), not an integrity one.
        if getattr(exc.orig, "args", (None,))[0] == MARIADB_CHECK_FAILED:
            raise InvalidScoreError() from exc
        raise
