"""Start the bot: check credentials, connect with backoff, stop cleanly on SIGTERM/SIGINT."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys

import aiohttp
import discord

from filmbot.bot import FilmBot
from filmbot.config import Settings
from filmbot.db.session import create_engine
from filmbot.discord_rest import apply_discord_endpoints
from filmbot.services.container import Services, build_services
from filmbot.tmdb.errors import TMDBAuthError, TMDBError

log = logging.getLogger(__name__)

EXIT_OK, EXIT_CONFIG, EXIT_FAILURE = 0, 2, 1
MAX_LOGIN_BACKOFF = 300.0


class StartupError(Exception):
    """A problem that stops the bot before it connects; the message is one line."""


async def check_tmdb(services: Services) -> None:
    """Refuse to start with a TMDB key that TMDB rejects; warn when TMDB is unreachable."""
    try:
        await services.tmdb.check_credentials()
    except TMDBAuthError as exc:
        raise StartupError(str(exc)) from None
    except TMDBError as exc:
        log.warning("TMDB is not reachable right now (%s); starting anyway", exc)


async def login_with_backoff(bot: FilmBot, token: str) -> None:
    """Log in; a wrong token is fatal, an unreachable Discord is retried with backoff."""
    delay = 2.0
    while True:
        try:
            await bot.login(token)
            return
        except discord.LoginFailure:
            raise StartupError(
                "Discord rejected DISCORD_TOKEN (improper token); reset it in the developer portal"
            ) from None
        except (aiohttp.ClientError, OSError, discord.DiscordServerError) as exc:
            log.warning(
                "Discord is unreachable (%s); retrying in %.0f s", exc.__class__.__name__, delay
            )
            await asyncio.sleep(delay)
            delay = min(delay * 2, MAX_LOGIN_BACKOFF)


def _install_signals(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()

    def request_stop(sig: signal.Signals) -> None:
        if stop.is_set():
            log.warning("Second %s: exiting at once", sig.name)
            logging.shutdown()
            os._exit(EXIT_FAILURE)
        log.info("%s received: shutting down", sig.name)
        stop.set()

    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, request_stop, sig)


async def run_bot(settings: Settings) -> int:
    """Run the bot until it is stopped; return the exit code."""
    assert settings.discord_token is not None
    apply_discord_endpoints(settings)
    services = build_services(settings, create_engine(settings))
    try:
        await check_tmdb(services)
    except StartupError as exc:
        await services.close()
        return _startup_failed(exc)
    bot = FilmBot(settings, services)
    stop = asyncio.Event()
    _install_signals(stop)
    stopper = asyncio.create_task(stop.wait(), name="stop-signal")
    token = settings.discord_token.get_secret_value()
    try:
        login = asyncio.create_task(login_with_backoff(bot, token), name="discord-login")
        if await _finished_first(login, stopper):
            connection = asyncio.create_task(bot.connect(reconnect=True), name="discord-gateway")
            await _finished_first(connection, stopper)
        return EXIT_OK
    except StartupError as exc:
        return _startup_failed(exc)
    except discord.PrivilegedIntentsRequired:
        return _startup_failed(
            StartupError(
                "MESSAGE_CONTENT_INTENT=true but the intent is off in the developer portal"
            )
        )
    finally:
        stopper.cancel()
        await bot.close()
        log.info("FilmBot stopped")


async def _finished_first(task: asyncio.Task[None], stopper: asyncio.Task[bool]) -> bool:
    """Wait for the task or a stop signal; True when the task finished (its error is raised)."""
    done, _ = await asyncio.wait({task, stopper}, return_when=asyncio.FIRST_COMPLETED)
    if task in done:
        task.result()
        return True
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    return False


def _startup_failed(error: StartupError) -> int:
    print(f"filmbot: {error}", file=sys.stderr, flush=True)
    return EXIT_CONFIG
