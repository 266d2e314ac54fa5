"""Engine and session factory, tuned per backend."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.ext.asyncio import create_async_engine as _create_async_engine

from filmbot.config import Settings
from filmbot.domain.errors import DatabaseUnavailableError

SQLITE_BUSY_TIMEOUT_MS = 30_000

Session = AsyncSession
Sessions = async_sessionmaker[AsyncSession]
"""The one session factory type the services take (they own their transactions)."""
RETRY_ATTEMPTS = 4
# An execution option marking a transaction that only reads (see `_configure_sqlite`).
READ_ONLY = "filmbot_read_only"
_MYSQL_LOCK_CODES = (1213, 1205)
_PG_LOCK_STATES = ("40P01", "40001")
T = TypeVar("T")
log = logging.getLogger(__name__)


def create_engine(settings: Settings) -> AsyncEngine:
    """Create the async engine for DATABASE_URL."""
    return engine_for_url(settings.database_url, echo=settings.database_echo)


def engine_for_url(url: str, *, echo: bool = False) -> AsyncEngine:
    """Create an async engine with FilmBot's pool and SQLite settings."""
    backend = make_url(url).get_backend_name()
    if backend == "sqlite":
        engine = _create_async_engine(
            url, echo=echo, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
        )
        _configure_sqlite(engine)
    else:
        options: dict[str, Any] = {
            "pool_pre_ping": True,
            "pool_size": 10,
            "max_overflow": 20,
            "pool_recycle": 3600,
        }
        engine = _create_async_engine(url, echo=echo, **options)
    _report_outages(engine)
    return engine


def _report_outages(engine: AsyncEngine) -> None:
    """Raise DatabaseUnavailableError when the database cannot be reached or was lost.

    A failed connect (refused, timed out, unknown database, unopenable file) and a dropped
    connection become one domain error, so members are told the database is unavailable
    instead of getting an error id, and logs name the outage instead of a traceback. A
    failed pre-ping is left alone: the pool then simply reconnects.
    """

    @event.listens_for(engine.sync_engine, "do_connect")
    def _connect(dialect: Any, _record: Any, cargs: Any, cparams: Any) -> Any:
        try:
            return dialect.connect(*cargs, **cparams)
        except (OSError, TimeoutError) as exc:
            raise DatabaseUnavailableError(f"cannot connect: {exc}") from exc

    @event.listens_for(engine.sync_engine, "handle_error")
    def _on_error(context: Any) -> None:
        # A cancelled task (shutdown, a timeout) must stay cancelled: SQLAlchemy reports the
        # CancelledError here as a lost connection, which is no outage.
        if context.is_pre_ping or not isinstance(context.original_exception, Exception):
            return
        if context.connection is None or context.is_disconnect:
            reason = context.original_exception
            raise DatabaseUnavailableError(f"database unavailable: {reason}") from reason


def _configure_sqlite(engine: AsyncEngine) -> None:
    """Enforce foreign keys, use WAL and a busy timeout, and take the write lock up front.

    pysqlite's deferred BEGIN lets two readers both try to upgrade to writers, and
    SQLite then fails one at once with "database is locked" instead of waiting.
    BEGIN IMMEDIATE makes every transaction wait for the lock within the busy timeout.
    A transaction marked READ_ONLY (it never writes) begins deferred instead: in WAL mode it
    neither waits for the write lock nor holds other transactions up while it reads.
    """

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        if not _is_memory(engine):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        read_only = connection.get_execution_options().get(READ_ONLY, False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def _is_memory(engine: AsyncEngine) -> bool:
    database = engine.url.database
    return not database or database == ":memory:"


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Create the one session factory; objects stay usable after commit."""
    return async_sessionmaker(engine, expire_on_commit=False)


def read_only_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """A session factory for readers only (the dashboard): on SQLite it takes no write lock."""
    return async_sessionmaker(engine.execution_options(**{READ_ONLY: True}), expire_on_commit=False)


async def retrying(
    sessionmaker: async_sessionmaker[AsyncSession],
    work: Callable[[AsyncSession], Awaitable[T]],
    attempts: int = RETRY_ATTEMPTS,
) -> T:
    """Run `work` in a transaction, retrying it when the database reports a lock conflict."""
    for attempt in range(1, attempts + 1):
        try:
            async with sessionmaker.begin() as session:
                return await work(session)
        except DBAPIError as exc:
            if attempt == attempts or not _is_lock_conflict(exc):
                raise
            log.info("Transaction hit a lock conflict, retrying (%s): %s", attempt, exc.orig)
            await asyncio.sleep(0.05 * attempt)
    raise AssertionError("unreachable")


def _is_lock_conflict(exc: DBAPIError) -> bool:
    """Tell deadlocks and serialization failures (worth a retry) from other errors."""
    orig = exc.orig
    code = getattr(orig, "args", (None,))[0] if orig is not None else None
    sqlstate = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    return (
        code in _MYSQL_LOCK_CODES or sqlstate in _PG_LOCK_STATES or "deadlock" in str(orig).lower()
    )
