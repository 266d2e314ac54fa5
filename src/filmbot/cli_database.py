"""The database as the CLI and `doctor` open it: one-line errors, proof that it takes writes."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from filmbot.config import Settings
from filmbot.db.session import create_engine
from filmbot.domain.errors import DatabaseUnavailableError

EXIT_DATABASE = 1
MAX_REASON = 200
MIN_SCRUBBED_PASSWORD = 4
DRIVER_THREAD_GRACE = 2.0
SQLITE_WORKER_THREAD = "(_connection_worker_thread)"

# Errors a driver raises when the database cannot be reached, opened or written.
# ImportError: a DATABASE_URL driver (e.g. aiomysql) that is not installed.
# DatabaseUnavailableError: what the engine makes of a failed connect or a lost connection.
DATABASE_ERRORS = (SQLAlchemyError, OSError, ImportError, DatabaseUnavailableError)


class DatabaseUnavailable(Exception):
    """The database cannot be opened or written; the message is one line naming DATABASE_URL."""


@asynccontextmanager
async def open_database(settings: Settings) -> AsyncIterator[AsyncEngine]:
    """Yield a connected engine, disposed afterwards; a database error becomes one line."""
    url = shown_url(settings)
    try:
        engine = create_engine(settings)
    except DATABASE_ERRORS as exc:
        raise DatabaseUnavailable(
            f"cannot open DATABASE_URL {url}: {reason(exc, settings)}"
        ) from None
    try:
        try:
            async with engine.connect():
                pass
        except DATABASE_ERRORS as exc:
            await _let_sqlite_threads_finish()
            raise DatabaseUnavailable(
                f"cannot connect to DATABASE_URL {url}: {reason(exc, settings)}"
            ) from None
        try:
            yield engine
        except (DatabaseUnavailableError, OSError) as exc:
            # The database went away during the command. Other errors (a failing migration,
            # a bug) keep their traceback: they are not about reaching the database.
            raise DatabaseUnavailable(f"DATABASE_URL {url}: {reason(exc, settings)}") from None
    finally:
        await engine.dispose()


async def prove_writable(engine: AsyncEngine, settings: Settings) -> None:
    """Write to the migrated schema in a transaction that is rolled back, or raise.

    A database that opens and reads can still refuse writes (a read-only file or mount,
    a read-only replica or user); every command would then fail, so start-up checks here.
    """
    try:
        async with engine.connect() as connection:
            transaction = await connection.begin()
            try:
                await connection.execute(
                    text("UPDATE alembic_version SET version_num = version_num")
                )
            finally:
                await transaction.rollback()
    except DATABASE_ERRORS as exc:
        raise DatabaseUnavailable(
            f"DATABASE_URL {shown_url(settings)} does not accept writes: {reason(exc, settings)}"
        ) from None


async def _let_sqlite_threads_finish() -> None:
    """Wait briefly for aiosqlite's worker threads to end after a failed connect.

    aiosqlite stops its thread without awaiting it when the connect fails; if the event loop
    closes first, that thread prints "Event loop is closed" and a traceback on stderr.
    """
    workers = [t for t in threading.enumerate() if t.name.endswith(SQLITE_WORKER_THREAD)]
    await asyncio.to_thread(_join_all, workers, DRIVER_THREAD_GRACE)


def _join_all(threads: list[threading.Thread], timeout: float) -> None:
    for thread in threads:
        thread.join(timeout)


def shown_url(settings: Settings) -> str:
    """DATABASE_URL with its password replaced by ***."""
    try:
        return make_url(settings.database_url).render_as_string(hide_password=True)
    except SQLAlchemyError:
        return "(unparsable URL)"


def reason(exc: BaseException, settings: Settings) -> str:
    """The driver's own words for a database error, on one line, without the password."""
    if isinstance(exc, DatabaseUnavailableError) and exc.__cause__ is not None:
        exc = exc.__cause__
    cause: BaseException = exc.orig if isinstance(exc, DBAPIError) and exc.orig else exc
    args = cause.args
    words = str(args[1]) if len(args) == 2 and isinstance(args[0], int) else str(cause)
    words = " ".join(words.split()) or cause.__class__.__name__
    password = _password(settings)
    if password and len(password) >= MIN_SCRUBBED_PASSWORD:
        words = words.replace(password, "***")
    if len(words) > MAX_REASON:
        words = words[: MAX_REASON - 3] + "..."
    return words


def _password(settings: Settings) -> str | None:
    try:
        return make_url(settings.database_url).password
    except SQLAlchemyError:
        return None
