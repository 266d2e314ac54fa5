"""`filmbot web`: serve the dashboard as its own process, reading the bot's database."""

from __future__ import annotations

import logging
import signal
import sys
from types import FrameType

from filmbot.config import Settings

log = logging.getLogger(__name__)

EXIT_NOT_MIGRATED = 1


async def serve(settings: Settings) -> int:
    """Serve the dashboard on WEB_HOST:WEB_PORT until interrupted."""
    import uvicorn

    from filmbot.cli_database import open_database
    from filmbot.db import migrate
    from filmbot.services.container import build_dashboard
    from filmbot.web.app import create_app

    async with open_database(settings) as engine:
        # The bot owns the schema; the dashboard only reads it, so it must be current.
        revision, head = await migrate.current(engine), migrate.head_revision()
        if revision != head:
            print(
                f"filmbot: the database is at {revision or 'base (empty)'}, not {head}: "
                "start the bot or run `filmbot db upgrade` first",
                file=sys.stderr,
            )
            return EXIT_NOT_MIGRATED
        app = create_app(settings, build_dashboard(engine))
        config = uvicorn.Config(
            app,
            host=settings.web_host,
            port=settings.web_port,
            log_config=None,
            proxy_headers=True,
            server_header=False,
        )
        log.info(
            "Dashboard at %s (listening on %s:%s)",
            settings.web_base_url,
            settings.web_host,
            settings.web_port,
        )
        # uvicorn stops gracefully on SIGTERM, then re-raises it to the handler found before
        # it started; this one lets the process exit 0 after that clean shutdown.
        previous = signal.signal(signal.SIGTERM, _stopped)
        try:
            await uvicorn.Server(config).serve()
        finally:
            signal.signal(signal.SIGTERM, previous)
    return 0


def _stopped(_signal: int, _frame: FrameType | None) -> None:
    log.info("Dashboard stopped")
