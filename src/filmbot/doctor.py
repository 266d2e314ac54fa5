"""`filmbot doctor`: check every dependency and say clearly what is wrong."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import aiohttp

from filmbot.cli_database import DatabaseUnavailable, open_database, prove_writable
from filmbot.config import Settings, SettingsError
from filmbot.db import migrate
from filmbot.log import LOG_FILE, LogDirError, open_log_file
from filmbot.services.container import build_tmdb
from filmbot.tmdb.errors import TMDBAuthError, TMDBError

log = logging.getLogger(__name__)

CHECK_TIMEOUT = 15.0


@dataclass(frozen=True, slots=True)
class CheckResult:
    """One line of the doctor's report."""

    name: str
    ok: bool
    detail: str
    hint: str = ""

    def line(self) -> str:
        """`[ OK ] name: detail` or `[FAIL] name: detail (hint)`."""
        mark = " OK " if self.ok else "FAIL"
        hint = f"\n       hint: {self.hint}" if self.hint and not self.ok else ""
        return f"[{mark}] {self.name}: {self.detail}{hint}"


async def check_settings(settings: Settings) -> CheckResult:
    """The secrets `run` needs are there."""
    try:
        settings.require_runtime_secrets()
    except SettingsError as exc:
        return CheckResult("settings", False, str(exc), "set it in .env or the environment")
    return CheckResult("settings", True, "DISCORD_TOKEN and a TMDB credential are set")


async def check_log_dir(settings: Settings) -> CheckResult:
    """LOG_DIR exists (or can be created) and takes the log file."""
    try:
        open_log_file(settings.log_dir).close()
    except LogDirError as exc:
        return CheckResult(
            "logs", False, str(exc), "point LOG_DIR at a directory this user may write in"
        )
    return CheckResult("logs", True, f"writing {settings.log_dir / LOG_FILE}")


async def check_database(settings: Settings) -> CheckResult:
    """The database answers, is migrated to the head revision and accepts writes."""
    head = migrate.head_revision()
    try:
        async with open_database(settings) as engine:
            current = await migrate.current(engine)
            if current == head:
                await prove_writable(engine, settings)
    except DatabaseUnavailable as exc:
        return CheckResult(
            "database",
            False,
            str(exc),
            "check DATABASE_URL, that the server runs and the user may connect and write",
        )
    if current != head:
        return CheckResult(
            "database",
            False,
            f"at revision {current or 'base'}, head is {head}",
            "run `filmbot db upgrade` (or just `filmbot run`, which migrates)",
        )
    return CheckResult("database", True, f"connected, schema at {head}, accepts writes")


async def check_tmdb(settings: Settings) -> CheckResult:
    """TMDB accepts the credentials (one cheap call)."""
    try:
        settings.require_tmdb_credentials()
    except SettingsError as exc:
        return CheckResult("tmdb", False, str(exc), "set TMDB_API_KEY")
    client = build_tmdb(settings)
    try:
        await client.check_credentials()
    except TMDBAuthError:
        return CheckResult(
            "tmdb",
            False,
            "TMDB rejected the credentials (401)",
            "check TMDB_API_KEY / TMDB_READ_ACCESS_TOKEN",
        )
    except TMDBError as exc:
        return CheckResult(
            "tmdb",
            False,
            f"TMDB unreachable: {exc}",
            f"check network access to {settings.tmdb_base_url}",
        )
    finally:
        await client.close()
    return CheckResult("tmdb", True, f"credentials accepted by {settings.tmdb_base_url}")


async def check_discord(settings: Settings) -> CheckResult:
    """Discord accepts the bot token (GET /users/@me)."""
    if settings.discord_token is None:
        return CheckResult(
            "discord",
            False,
            "DISCORD_TOKEN is not set",
            "copy the bot token from the developer portal",
        )
    url = f"{settings.discord_api_base_url}/users/@me"
    headers = {
        "Authorization": f"Bot {settings.discord_token.get_secret_value()}",
        "User-Agent": "FilmBot doctor",
    }
    try:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session,
            session.get(url, headers=headers) as response,
        ):
            if response.status == 401:
                return CheckResult(
                    "discord",
                    False,
                    "Discord rejected DISCORD_TOKEN (401)",
                    "reset the token in the developer portal and update .env",
                )
            response.raise_for_status()
            user = await response.json(content_type=None)
    except (aiohttp.ClientError, TimeoutError) as exc:
        return CheckResult(
            "discord",
            False,
            f"Discord unreachable ({exc.__class__.__name__})",
            f"check network access to {settings.discord_api_base_url}",
        )
    return CheckResult("discord", True, f"token accepted: logged in as {user.get('username', '?')}")


async def check_redis(settings: Settings) -> CheckResult:
    """Redis answers PING when it is enabled."""
    if not settings.redis_enabled:
        return CheckResult("redis", True, "disabled (REDIS_ENABLED=false): in-process cache only")
    from redis.asyncio import Redis

    client = Redis.from_url(settings.redis_url, socket_timeout=3, socket_connect_timeout=3)
    try:
        await client.ping()
    except Exception as exc:
        return CheckResult(
            "redis",
            False,
            f"no answer at {settings.redis_url} ({exc.__class__.__name__})",
            "start Redis or set REDIS_ENABLED=false",
        )
    finally:
        await client.aclose()
    return CheckResult("redis", True, f"PONG from {settings.redis_url}")


CHECKS: tuple[Callable[[Settings], Awaitable[CheckResult]], ...] = (
    check_settings,
    check_log_dir,
    check_database,
    check_tmdb,
    check_discord,
    check_redis,
)


async def run_doctor(settings: Settings) -> int:
    """Run every check, print one line each, return 1 when any failed."""
    results = []
    for check in CHECKS:
        try:
            result = await asyncio.wait_for(check(settings), CHECK_TIMEOUT)
        except TimeoutError:
            result = CheckResult(
                check.__name__.removeprefix("check_"),
                False,
                "timed out",
                "is the service reachable?",
            )
        print(result.line(), flush=True)
        results.append(result)
    failed = [r.name for r in results if not r.ok]
    print(
        f"{len(results) - len(failed)} passed, {len(failed)} failed"
        if failed
        else "all checks passed"
    )
    return 1 if failed else 0
