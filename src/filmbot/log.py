"""Logging: the FilmBot logger hierarchy, console plus a rotating file, secrets scrubbed."""

from __future__ import annotations

import logging
import logging.handlers
import os
from collections.abc import Iterable
from pathlib import Path

from filmbot.config import Settings

ROOT_LOGGER = "FilmBot"
FORMAT = "[%(asctime)s] [%(levelname)s] %(name)s: %(message)s"
DATE_FORMAT = "%Y-%m-%d %H:%M:%S"
MAX_BYTES = 10 * 1024 * 1024
BACKUP_COUNT = 5

LOG_FILE = "filmbot.log"

# discord.py warnings that say nothing about FilmBot: it has no voice.
DISCORD_NOISE = {
    "discord.client": (
        "PyNaCl is not installed, voice will NOT be supported",
        "davey is not installed, voice will NOT be supported",
    ),
}

_configured_handlers: list[logging.Handler] = []


class LogDirError(Exception):
    """LOG_DIR cannot hold the log file; the message is one line naming LOG_DIR."""


class FilmBotFormatter(logging.Formatter):
    """Show module loggers (filmbot.x.y) as members of the FilmBot hierarchy."""

    def format(self, record: logging.LogRecord) -> str:
        """Format the record with its FilmBot name."""
        if record.name == "filmbot" or record.name.startswith("filmbot."):
            record.name = ROOT_LOGGER + record.name[len("filmbot") :]
        return super().format(record)


class RedactSecrets(logging.Filter):
    """Replace secret values with *** wherever they appear in a record."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self._secrets = [s for s in secrets if len(s) >= 6]

    def filter(self, record: logging.LogRecord) -> bool:
        """Scrub the rendered message; always keep the record."""
        if not self._secrets:
            return True
        message = record.getMessage()
        scrubbed = message
        for secret in self._secrets:
            scrubbed = scrubbed.replace(secret, "***")
        if scrubbed != message:
            record.msg, record.args = scrubbed, None
        return True


class DropMessages(logging.Filter):
    """Drop records whose message template is one of a fixed set, keep every other."""

    def __init__(self, messages: Iterable[str]) -> None:
        super().__init__()
        self._messages = frozenset(messages)

    def filter(self, record: logging.LogRecord) -> bool:
        """Keep the record unless its template is one of the dropped messages."""
        return record.msg not in self._messages


def get_logger(area: str) -> logging.Logger:
    """Return a logger in the FilmBot hierarchy, e.g. get_logger('AutoUpdate')."""
    return logging.getLogger(f"{ROOT_LOGGER}.{area}")


def setup_logging(settings: Settings) -> None:
    """Configure logging once: console at LOG_LEVEL, rotating DEBUG file in LOG_DIR.

    When LOG_DIR cannot hold the file, the console is still configured and LogDirError raised.
    """
    root = logging.getLogger()
    for handler in _configured_handlers:
        root.removeHandler(handler)
        handler.close()
    _configured_handlers.clear()

    console = logging.StreamHandler()
    console.setLevel(settings.log_level)
    handlers: list[logging.Handler] = [console]
    try:
        handlers.append(open_log_file(settings.log_dir))
    finally:
        _install(handlers, settings)


def open_log_file(log_dir: Path) -> logging.Handler:
    """Create LOG_DIR if needed and open the rotating DEBUG log file in it."""
    if log_dir.exists() and not log_dir.is_dir():
        raise LogDirError(f"LOG_DIR {log_dir}: is a file, not a directory")
    try:
        log_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise LogDirError(f"LOG_DIR {log_dir}: cannot create it ({exc.strerror})") from None
    if not os.access(log_dir, os.W_OK | os.X_OK):
        raise LogDirError(f"LOG_DIR {log_dir}: this user may not write in it")
    try:
        handler = logging.handlers.RotatingFileHandler(
            log_dir / LOG_FILE, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT, encoding="utf-8"
        )
    except OSError as exc:
        raise LogDirError(f"LOG_DIR {log_dir}: cannot write {LOG_FILE} ({exc.strerror})") from None
    handler.setLevel(logging.DEBUG)
    return handler


def _install(handlers: list[logging.Handler], settings: Settings) -> None:
    root = logging.getLogger()
    formatter = FilmBotFormatter(FORMAT, DATE_FORMAT)
    redact = RedactSecrets(_secret_values(settings))
    for handler in handlers:
        handler.setFormatter(formatter)
        handler.addFilter(redact)
        root.addHandler(handler)
        _configured_handlers.append(handler)

    root.setLevel(logging.INFO)
    for name in (ROOT_LOGGER, "filmbot"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    logging.getLogger("discord").setLevel(logging.INFO)
    logging.getLogger("discord.http").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    logging.getLogger("sqlalchemy.engine").setLevel(
        logging.INFO if settings.database_echo else logging.WARNING
    )
    _quiet_discord_noise()


def _quiet_discord_noise() -> None:
    for name, messages in DISCORD_NOISE.items():
        logger = logging.getLogger(name)
        for old in [f for f in logger.filters if isinstance(f, DropMessages)]:
            logger.removeFilter(old)
        logger.addFilter(DropMessages(messages))


def _secret_values(settings: Settings) -> list[str]:
    secrets = [settings.discord_token, settings.tmdb_api_key, settings.tmdb_read_access_token]
    return [s.get_secret_value() for s in secrets if s is not None]
