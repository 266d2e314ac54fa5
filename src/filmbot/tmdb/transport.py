"""HTTP to TMDB: credentials, rate limit, timeouts and bounded retries."""

from __future__ import annotations

import asyncio
import json
import logging
import math
import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import aiohttp
import orjson

from filmbot.tmdb.errors import TMDBAuthError, TMDBError, TMDBNotFound, TMDBUnavailable
from filmbot.tmdb.gate import RequestGate, current_gate
from filmbot.tmdb.limiter import RateLimiter
from filmbot.tmdb.regional import Decoder
from filmbot.tmdb.stats import TMDBStats

log = logging.getLogger(__name__)

USER_AGENT = "FilmBot (+https://github.com/filmbot)"
_UNGATED = RequestGate()


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how long to retry: `max_retries` after the first try, within `deadline`."""

    max_retries: int = 4
    deadline: float = 30.0
    timeout: float = 10.0
    backoff_base: float = 0.5
    backoff_cap: float = 8.0

    def backoff(self, retry: int) -> float:
        """Exponential backoff with jitter for the n-th retry (1-based)."""
        ceiling = min(self.backoff_cap, self.backoff_base * 2 ** (retry - 1))
        return random.uniform(ceiling / 2, ceiling)


@dataclass(frozen=True, slots=True)
class Credentials:
    """A v3 API key (query parameter) or a v4 read access token (Bearer header)."""

    api_key: str | None = None
    read_access_token: str | None = None

    def __post_init__(self) -> None:
        if not self.api_key and not self.read_access_token:
            raise ValueError("TMDB credentials need an API key or a read access token")

    def __repr__(self) -> str:
        kind = "read access token" if self.read_access_token else "API key"
        return f"Credentials(<{kind}>)"

    def apply(self, params: dict[str, str], headers: dict[str, str]) -> None:
        """Add the credential to a request; the Bearer token is preferred when both exist."""
        if self.read_access_token:
            headers["Authorization"] = f"Bearer {self.read_access_token}"
        elif self.api_key:
            params["api_key"] = self.api_key


class _Retryable(Exception):
    """A failure worth another try (429, 5xx, a body that is not JSON, network, timeout)."""

    def __init__(
        self,
        reason: str,
        retry_after: float | None = None,
        *,
        rate_limited: bool = False,
        cut_short: bool = False,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after
        self.rate_limited = rate_limited
        self.cut_short = cut_short  # a timeout shortened to what was left of the deadline


class TMDBTransport:
    """Send GET requests to TMDB and return the decoded JSON object."""

    def __init__(
        self,
        base_url: str,
        credentials: Credentials,
        limiter: RateLimiter,
        *,
        policy: RetryPolicy | None = None,
        stats: TMDBStats | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.credentials = credentials
        self.limiter = limiter
        self.policy = policy or RetryPolicy()
        self.stats = stats or TMDBStats()
        self._session: aiohttp.ClientSession | None = None

    @property
    def session(self) -> aiohttp.ClientSession:
        """The one HTTP session, opened on first use."""
        if self._session is None or self._session.closed:
            headers = {"Accept": "application/json", "User-Agent": USER_AGENT}
            self._session = aiohttp.ClientSession(headers=headers, raise_for_status=False)
        return self._session

    async def close(self) -> None:
        """Close the HTTP session."""
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def get_json(
        self, path: str, params: Mapping[str, str], decode: Decoder | None = None
    ) -> dict[str, Any]:
        """GET `path`; retry transient failures within the policy; raise TMDBError.

        `decode` turns the body into JSON values (orjson by default; see `regional`); its
        ValueError counts as a malformed answer, which is retried.
        """
        try:
            return await self._with_retries(path, params, decode or _loads)
        except TMDBNotFound:
            self.stats.not_found += 1
            raise
        except TMDBError:
            self.stats.errors += 1
            raise

    async def _with_retries(
        self, path: str, params: Mapping[str, str], decode: Decoder
    ) -> dict[str, Any]:
        loop = asyncio.get_running_loop()
        deadline = math.inf  # starts once the limiter admits the first try
        retry = 0
        last: _Retryable | None = None
        gate = current_gate() or _UNGATED
        while True:
            try:
                async with gate.admit(), self.limiter.request():
                    deadline = min(deadline, loop.time() + self.policy.deadline)
                    remaining = deadline - loop.time()
                    if last is not None and remaining <= 0:
                        # The limiter held this retry past the deadline: the fault that
                        # caused the retry is the one to report, not a zero-length timeout.
                        raise self._give_up(path, retry, last)
                    answer = await self._attempt(path, params, remaining)
                return self._interpret(path, *answer, decode)
            except _Retryable as failure:
                if failure.rate_limited:
                    await self.limiter.rate_limited()
                if failure.cut_short and last is not None:
                    # The deadline, not TMDB, ended this try: report the fault before it.
                    raise self._give_up(path, retry + 1, last) from None
                last = failure
                retry += 1
                delay = self._delay(failure, retry)
                if retry > self.policy.max_retries or loop.time() + delay >= deadline:
                    raise self._give_up(path, retry, failure) from None
                self.stats.retries += 1
                log.info("TMDB %s: %s; retry %s in %.2fs", path, failure.reason, retry, delay)
                await asyncio.sleep(delay)

    @staticmethod
    def _give_up(path: str, attempts: int, failure: _Retryable) -> TMDBUnavailable:
        message = _give_up_message(path, attempts, failure)
        log.warning("Giving up: %s", message)
        return TMDBUnavailable(message)

    def _delay(self, failure: _Retryable, retry: int) -> float:
        if failure.retry_after is not None:
            return failure.retry_after
        return self.policy.backoff(retry)

    async def _attempt(
        self, path: str, params: Mapping[str, str], remaining: float
    ) -> tuple[int, Mapping[str, str], bytes]:
        """Send one request; return the status, headers and body of the answer."""
        query = dict(params)
        headers: dict[str, str] = {}
        self.credentials.apply(query, headers)
        timeout = aiohttp.ClientTimeout(total=max(0.001, min(self.policy.timeout, remaining)))
        self.stats.upstream_requests += 1
        gate = current_gate()
        if gate is not None:
            gate.requests += 1
        try:
            async with self.session.get(
                self.base_url + path, params=query, headers=headers, timeout=timeout
            ) as response:
                return response.status, response.headers, await response.read()
        except TimeoutError:
            raise _Retryable(
                f"no answer within {timeout.total:.1f}s",
                cut_short=remaining < self.policy.timeout,
            ) from None
        except aiohttp.ClientError as exc:
            raise _Retryable(f"connection failed ({type(exc).__name__})") from None

    def _interpret(
        self, path: str, status: int, headers: Mapping[str, str], body: bytes, decode: Decoder
    ) -> dict[str, Any]:
        if 200 <= status < 300:
            return _decode_object(path, body, decode)
        message = _status_message(body)
        if status == 401:
            raise TMDBAuthError(
                f"TMDB rejected the credentials ({message or 'HTTP 401'}); "
                "check TMDB_API_KEY / TMDB_READ_ACCESS_TOKEN"
            )
        if status == 404:
            raise TMDBNotFound(f"TMDB has no {path} ({message or 'HTTP 404'})")
        if status == 429:
            self.stats.rate_limited += 1
            raise _Retryable("rate limited (HTTP 429)", _retry_after(headers), rate_limited=True)
        if status >= 500:
            raise _Retryable(f"HTTP {status}")
        raise TMDBError(f"TMDB refused {path}: HTTP {status} {message}".rstrip())


def _decode_object(path: str, body: bytes, decode: Decoder | None = None) -> dict[str, Any]:
    """Decode a JSON object; a body that is not JSON (HTML, cut short) is worth a retry."""
    try:
        payload = (decode or _loads)(body)
    except ValueError:
        raise _Retryable("the response was not JSON") from None
    if not isinstance(payload, dict):
        raise TMDBError(f"TMDB sent a response to {path} that is not a JSON object")
    return payload


def _loads(body: bytes | str) -> Any:
    """Decode JSON with orjson; what only the standard parser accepts (say an unpaired
    surrogate escape in a user-written overview) is decoded by it instead."""
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        return json.loads(body)


def _status_message(body: bytes) -> str:
    """Return TMDB's 'status_code N: message' from an error body, if any."""
    try:
        payload = _loads(body)
    except ValueError:
        return ""
    if not isinstance(payload, dict) or "status_code" not in payload:
        return ""
    return f"status_code {payload['status_code']}: {payload.get('status_message', '')}".strip()


def _retry_after(headers: Mapping[str, str]) -> float | None:
    """Parse Retry-After (seconds or an HTTP date) into seconds to wait."""
    value = headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _give_up_message(path: str, attempts: int, failure: _Retryable) -> str:
    noun = "attempt" if attempts == 1 else "attempts"
    return f"TMDB {path} unavailable after {attempts} {noun}: {failure.reason}"
