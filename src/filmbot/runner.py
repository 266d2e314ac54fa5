"""Start the bot: check credentials, connect with backoff, stop cleanly on SIGTERM/SIGINT."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
import time
from collections.abc import Callable
from urllib.parse import urlsplit

import aiohttp
import discord

from filmbot.bot import FilmBot
from filmbot.config import Settings
from filmbot.db.session import create_engine
from filmbot.discord_rest import LOGIN_REFUSED, apply_discord_endpoints
from filmbot.services.container import Services, build_services
from filmbot.tmdb.errors import TMDBAuthError, TMDBError

log = logging.getLogger(__name__)

EXIT_OK, EXIT_CONFIG, EXIT_FAILURE = 0, 2, 1
MAX_LOGIN_BACKOFF = 300.0
UNREACHABLE_REMINDER_SECONDS = 600.0


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


class UnreachableWarnings:
    """Warn that a service is unreachable once, then at most every few minutes while it stays so."""

    def __init__(
        self,
        what: str,
        *,
        every: float = UNREACHABLE_REMINDER_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._what, self._every, self._clock = what, every, clock
        self._failures = 0
        self._since: float | None = None
        self._warned_at = self._failed_at = 0.0

    def failed(self, error: BaseException, retry_in: float) -> None:
        """Record one failed attempt; warn on the first and then once per reminder period."""
        now = self._clock()
        if self._since is not None and now - self._failed_at > self._every:
            self.recovered()  # a quiet period longer than a reminder: this is a new outage
        self._failures += 1
        self._failed_at = now
        reason = error.__class__.__name__
        if self._since is None:
            self._since = self._warned_at = now
            log.warning(
                "%s is unreachable (%s); retrying in %.0f s and for as long as it takes "
                "(next warning in %.0f min if it stays unreachable)",
                self._what,
                reason,
                retry_in,
                self._every / 60,
            )
        elif now - self._warned_at >= self._every:
            self._warned_at = now
            log.warning(
                "%s is still unreachable after %d attempts over %.0f min (%s); still retrying",
                self._what,
                self._failures,
                (now - self._since) / 60,
                reason,
            )
        else:
            log.debug("%s is unreachable (%s); retrying in %.0f s", self._what, reason, retry_in)

    def recovered(self) -> None:
        """Say so when the service answers again after failures."""
        if self._since is not None:
            log.info("%s is reachable again after %d failed attempts", self._what, self._failures)
        self._failures, self._since = 0, None


class GatewayRetryWarnings(logging.Filter):
    """Turn discord.py's traceback per gateway reconnect attempt into UnreachableWarnings."""

    RETRY_MESSAGES = {
        "Failed to connect for shard_id: %s. Retrying...": 5.0,
        "Attempting a reconnect for shard ID %s in %.2fs": None,
    }

    def __init__(self, settings: Settings) -> None:
        super().__init__()
        host = urlsplit(settings.discord_gateway_url).netloc
        self.warnings = UnreachableWarnings(f"Discord gateway at {host} (DISCORD_GATEWAY_URL)")

    def filter(self, record: logging.LogRecord) -> bool:
        """Report a reconnect attempt through the warnings and drop discord.py's record."""
        if record.msg not in self.RETRY_MESSAGES:
            return True
        retry_in = self.RETRY_MESSAGES[record.msg]
        if retry_in is None:
            args = record.args if isinstance(record.args, tuple) else ()
            retry_in = args[1] if len(args) > 1 and isinstance(args[1], float) else 0.0
        error = record.exc_info[1] if record.exc_info and record.exc_info[1] else OSError()
        self.warnings.failed(error, retry_in)
        return False


def report_gateway_retries(settings: Settings) -> GatewayRetryWarnings:
    """Install the gateway retry reporting on discord.py's shard logger (replacing an older one)."""
    logger = logging.getLogger("discord.shard")
    for old in [f for f in logger.filters if isinstance(f, GatewayRetryWarnings)]:
        logger.removeFilter(old)
    retry_filter = GatewayRetryWarnings(settings)
    logger.addFilter(retry_filter)
    return retry_filter


async def login_with_backoff(bot: FilmBot, token: str) -> None:
    """Log in; a wrong token is fatal, an unreachable Discord is retried with backoff."""
    host = urlsplit(bot.settings.discord_api_base_url).netloc
    warnings = UnreachableWarnings(f"Discord at {host} (DISCORD_API_BASE_URL)")
    delay = 2.0
    while True:
        try:
            await bot.login(token)
        except discord.LoginFailure:
            raise StartupError(LOGIN_REFUSED) from None
        except (aiohttp.ClientError, OSError, discord.DiscordServerError) as exc:
            warnings.failed(exc, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, MAX_LOGIN_BACKOFF)
        else:
            warnings.recovered()
            return


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
    report_gateway_retries(settings)
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
