"""Logging: the FilmBot logger hierarchy, console plus a rotating file, secrets scrubbed."""

from __future__ import annotations

import logging
import logging.handlers
from collections.abc import Iterable

from filmbot.config import Settings

ROOT_LOGGER = "FilmBot"
FORMAT = "[%(asctime)s] [%(levelname)s] %(name)s: %(message)s"
DATE_FORMAT = "%Y-%m-%d %H:%M:%S"
MAX_BYTES = 10 * 1024 * 1024
BACKUP_COUNT = 5

_configured_handlers: list[logging.Handler] = []


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


def get_logger(area: str) -> logging.Logger:
    """Return a logger in the FilmBot hierarchy, e.g. get_logger('AutoUpdate')."""
    return logging.getLogger(f"{ROOT_LOGGER}.{area}")


def setup_logging(settings: Settings) -> None:
    """Configure logging once: console at LOG_LEVEL, rotating DEBUG file in LOG_DIR."""
    root = logging.getLogger()
    for handler in _configured_handlers:
        root.removeHandler(handler)
        handler.close()
    _configured_handlers.clear()

    formatter = FilmBotFormatter(FORMAT, DATE_FORMAT)
    redact = RedactSecrets(_secret_values(settings))
    console = logging.StreamHandler()
    console.setLevel(settings.log_level)
    handlers: list[logging.Handler] = [console]
    settings.log_dir.mkdir(parents=True, exist_ok=True)
    file_handler = logging.handlers.RotatingFileHandler(
        settings.log_dir / "filmbot.log",
        maxBytes=MAX_BYTES,
        backupCount=BACKUP_COUNT,
        encoding="utf-8",
    )
    file_handler.setLevel(logging.DEBUG)
    handlers.append(file_handler)
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


def _secret_values(settings: Settings) -> list[str]:
    secrets = [settings.discord_token, settings.tmdb_api_key, settings.tmdb_read_access_token]
    return [s.get_secret_value() for s in secrets if s is not None]
