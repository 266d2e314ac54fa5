"""`filmbot check-updates --once`: one update cycle over Discord's REST API, then exit.

The database, Discord and TMDB modules are imported when the command runs, not when the
CLI builds its parser, so other subcommands (the health check above all) start fast.
"""

from __future__ import annotations

import argparse
import logging
import sys
from typing import TYPE_CHECKING, Any

from filmbot.config import Settings, SettingsError

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

    from filmbot.services.container import Services
    from filmbot.services.updates import CycleReport

log = logging.getLogger(__name__)

EXIT_FAILED = 1
EXIT_CONFIG = 2
EXIT_TMDB_DOWN = 3


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the check-updates subcommand to the CLI."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "check-updates",
        help="run one update cycle without connecting to the gateway, print a summary",
    )
    parser.add_argument(
        "--once",
        action="store_true",
        required=True,
        help="run a single cycle and exit (the bot runs the loop itself)",
    )
    return parser


async def check_updates_once(settings: Settings) -> int:
    """Run one cycle over REST and print its summary.

    Exit 0 when the cycle ran (even if some titles failed), 2 for a configuration problem
    (no DISCORD_TOKEN, or Discord or TMDB rejects its credentials), 3 when titles were due
    and TMDB answered none of them (an outage cron should hear about), 1 for any other
    failure. A database that cannot be opened or is lost is reported by the caller
    (`filmbot.cli`), also in one line.
    """
    try:
        settings.require_runtime_secrets()
    except SettingsError as exc:
        print(f"filmbot: configuration error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    from filmbot.cli_database import open_database
    from filmbot.db import migrate
    from filmbot.discord_rest import DiscordTokenRejected
    from filmbot.domain.errors import DatabaseUnavailableError
    from filmbot.tmdb import TMDBAuthError

    async with open_database(settings) as database:
        try:
            await migrate.upgrade(database)
            report = await _run_cycle(settings, database)
        except (DiscordTokenRejected, TMDBAuthError) as exc:
            print(f"filmbot: {exc}", file=sys.stderr)
            return EXIT_CONFIG
        except DatabaseUnavailableError:
            raise  # open_database turns it into one line naming DATABASE_URL
        except Exception as exc:
            log.exception("The update cycle could not run")
            print(f"filmbot: update cycle failed: {exc}", file=sys.stderr)
            return EXIT_FAILED
    print(describe(report))
    if report.titles_failed and not report.titles_fetched:
        print(
            f"filmbot: TMDB could not be reached: none of the {report.titles_failed} titles "
            "due could be fetched (details in the log)",
            file=sys.stderr,
        )
        return EXIT_TMDB_DOWN
    return 0


async def _run_cycle(settings: Settings, database: AsyncEngine) -> CycleReport:
    from filmbot.discord_rest import DiscordNotificationSender, rest_client
    from filmbot.services.container import build_services, build_update_engine

    services = build_services(settings, database)
    try:
        await _check_tmdb_credentials(services)
        async with rest_client(settings) as discord_client:
            engine = build_update_engine(services, DiscordNotificationSender(discord_client))
            return await engine.run_cycle()
    finally:
        await services.close()


async def _check_tmdb_credentials(services: Services) -> None:
    """Raise TMDBAuthError for rejected credentials; an unreachable TMDB is left to the cycle."""
    from filmbot.tmdb import TMDBAuthError, TMDBError

    try:
        await services.tmdb.check_credentials()
    except TMDBAuthError:
        raise
    except TMDBError as exc:
        log.warning("TMDB is not reachable right now (%s); trying the cycle anyway", exc)


def describe(report: CycleReport) -> str:
    """Render the cycle's summary for the terminal."""
    feed = "change feed" if report.change_feed_used else "full refresh"
    lines = [
        f"update cycle finished in {report.duration_seconds:.1f}s "
        f"({report.guilds} servers, {report.subscriptions} subscriptions)",
        f"titles fetched: {report.titles_fetched} of {report.titles} ({feed})",
        f"people fetched: {report.people_fetched} of {report.people_followed}",
        f"events found:   {report.events_found}",
        f"delivered:      {report.delivered} in {report.messages} messages",
        f"pending:        {report.pending}",
        f"failed:         {report.failed}",
        f"missed:         {report.missed}",
    ]
    return "\n".join(lines)
