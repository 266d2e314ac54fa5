"""The `filmbot` command: the composition root."""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from filmbot import __version__, cli_updates
from filmbot.config import Settings, SettingsError, load_settings
from filmbot.log import LogDirError, setup_logging

# The database, Discord and TMDB modules are imported by the subcommands that use them, so
# `filmbot healthcheck` (run by Docker every minute) starts in a fraction of a second.

log = logging.getLogger(__name__)

EXIT_CONFIG = 2
HEALTHY_HEARTBEAT_AGE = 120.0


def build_parser() -> argparse.ArgumentParser:
    """Describe the CLI."""
    parser = argparse.ArgumentParser(
        prog="filmbot", description="FilmBot: films and TV on Discord."
    )
    parser.add_argument("--version", action="version", version=f"filmbot {__version__}")
    parser.add_argument("--env-file", default=".env", help="settings file to read (default: .env)")
    commands = parser.add_subparsers(dest="command", required=True)
    run_parser = commands.add_parser("run", help="migrate the database and start the bot")
    run_parser.add_argument(
        "--dry-run",
        action="store_true",
        help="validate settings and migrate, then exit without connecting",
    )
    db = commands.add_parser("db", help="database migrations").add_subparsers(
        dest="db_command", required=True
    )
    db.add_parser("upgrade", help="upgrade to a revision (default: head)").add_argument(
        "revision", nargs="?", default="head"
    )
    db.add_parser(
        "downgrade", help="downgrade to a revision ('base' drops every table)"
    ).add_argument("revision")
    db.add_parser("current", help="print the database's revision")
    cli_updates.add_parser(commands)
    commands.add_parser("doctor", help="check settings, database, TMDB, Discord and Redis")
    commands.add_parser("healthcheck", help="exit 0 when the running bot's heartbeat is fresh")
    commands.add_parser("web", help="serve the web dashboard (reads the bot's database)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return its exit code."""
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings(args.env_file)
        if args.command == "run":
            settings.require_runtime_secrets()
        if args.command == "web":
            settings.require_web_settings()
    except SettingsError as exc:
        print(f"filmbot: configuration error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    try:
        setup_logging(settings)
    except LogDirError as exc:
        if args.command != "doctor":  # doctor reports it among its other checks
            print(f"filmbot: {exc}", file=sys.stderr)
            return EXIT_CONFIG
    if args.command == "healthcheck":
        return healthcheck(settings)
    handler = _handler(args)
    import asyncio

    from filmbot.cli_database import EXIT_DATABASE, DatabaseUnavailable

    try:
        return asyncio.run(handler(settings))
    except DatabaseUnavailable as exc:
        print(f"filmbot: {exc}", file=sys.stderr)
        return EXIT_DATABASE
    except KeyboardInterrupt:
        return 130


def _handler(args: argparse.Namespace) -> Callable[[Settings], Coroutine[Any, Any, int]]:
    if args.command == "check-updates":
        return cli_updates.check_updates_once
    if args.command == "run":
        return lambda settings: run(settings, dry_run=args.dry_run)
    if args.command == "web":
        from filmbot.cli_web import serve

        return serve
    if args.command == "doctor":
        from filmbot.doctor import run_doctor

        return run_doctor
    if args.db_command == "upgrade":
        return lambda settings: db_upgrade(settings, args.revision)
    if args.db_command == "downgrade":
        return lambda settings: db_downgrade(settings, args.revision)
    return db_current


async def run(settings: Settings, *, dry_run: bool = False) -> int:
    """Migrate, then start the bot (or, with dry_run, say what would start)."""
    from filmbot.cli_database import open_database, prove_writable
    from filmbot.db import migrate

    async with open_database(settings) as engine:
        before = await migrate.current(engine)
        await migrate.upgrade(engine)
        after = await migrate.current(engine)
        await prove_writable(engine, settings)
    if before == after:
        log.info("Database already at %s", after)
    else:
        log.info("Database migrated from %s to %s", before or "base", after)
    log.info(
        "FilmBot is configured: database %s, update cycle every %sh (auto-update %s), TMDB at %s",
        engine.url.render_as_string(hide_password=True),
        settings.update_interval_hours,
        "on" if settings.auto_update_enabled else "off",
        settings.tmdb_base_url,
    )
    if dry_run:
        log.info("Dry run: not connecting to Discord")
        return 0
    from filmbot.runner import run_bot

    return await run_bot(settings)


def healthcheck(settings: Settings) -> int:
    """Exit 0 when HEALTH_FILE was touched within the last two minutes."""
    if settings.health_file is None:
        print("HEALTH_FILE is not set", file=sys.stderr)
        return 1
    try:
        age = time.time() - settings.health_file.stat().st_mtime
    except OSError:
        print("no heartbeat yet", file=sys.stderr)
        return 1
    if age > HEALTHY_HEARTBEAT_AGE:
        print(f"last heartbeat {age:.0f} s ago", file=sys.stderr)
        return 1
    return 0


async def db_upgrade(settings: Settings, revision: str) -> int:
    """Upgrade the database."""
    from filmbot.cli_database import open_database
    from filmbot.db import migrate

    async with open_database(settings) as engine:
        await migrate.upgrade(engine, revision)
        print(f"database at {await migrate.current(engine)}")
    return 0


async def db_downgrade(settings: Settings, revision: str) -> int:
    """Downgrade the database."""
    from filmbot.cli_database import open_database
    from filmbot.db import migrate

    async with open_database(settings) as engine:
        await migrate.downgrade(engine, revision)
        print(f"database at {await migrate.current(engine) or 'base'}")
    return 0


async def db_current(settings: Settings) -> int:
    """Print the current revision and the head."""
    from filmbot.cli_database import open_database
    from filmbot.db import migrate

    async with open_database(settings) as engine:
        revision = await migrate.current(engine)
    head = migrate.head_revision()
    state = "up to date" if revision == head else f"head is {head}"
    print(f"{revision or 'base (empty)'} ({state})")
    return 0
