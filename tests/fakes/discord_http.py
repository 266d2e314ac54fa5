"""HTTP plumbing shared by the fake Discord's REST handlers: responses, errors, bodies, faults."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from aiohttp import BodyPartReader, web

RATE_LIMIT_HEADERS = {
    "X-RateLimit-Limit": "5",
    "X-RateLimit-Remaining": "4",
    "X-RateLimit-Reset-After": "1.000",
    "X-RateLimit-Scope": "user",
}


def json_response(
    data: Any, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    """Answer with JSON and the exact ``application/json`` content type Discord uses."""
    all_headers = {"Content-Type": "application/json", "Via": "1.1 google", **RATE_LIMIT_HEADERS}
    all_headers.update(headers or {})
    return web.Response(body=json.dumps(data).encode(), status=status, headers=all_headers)


def no_content() -> web.Response:
    """Answer 204 No Content."""
    return web.Response(status=204, headers=dict(RATE_LIMIT_HEADERS))


def error(status: int, message: str, code: int = 0) -> web.Response:
    """Answer with a Discord-style JSON error body."""
    return json_response({"message": message, "code": code}, status=status)


def invalid_form(field_name: str, code: str, message: str) -> web.Response:
    """Answer 400 Invalid Form Body (code 50035) naming the offending field, as Discord does."""
    errors = {field_name: {"_errors": [{"code": code, "message": message}]}}
    body = {"message": "Invalid Form Body", "code": 50035, "errors": errors}
    return json_response(body, status=400)


def unknown(what: str, code: int) -> web.Response:
    """Answer 404 for an unknown entity, e.g. ``unknown("Channel", 10003)``."""
    return error(404, f"Unknown {what}", code)


UNAUTHORIZED = (401, "401: Unauthorized", 0)
MISSING_PERMISSIONS = (403, "Missing Permissions", 50013)
ALREADY_ACKNOWLEDGED = (400, "Interaction has already been acknowledged.", 40060)


async def read_body(request: web.Request) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Return the JSON payload and uploaded files of a JSON or multipart request."""
    if not request.body_exists:
        return {}, []
    if request.content_type.startswith("multipart/"):
        return await _read_multipart(request)
    raw = await request.read()
    if not raw:
        return {}, []
    body = json.loads(raw)
    return (body if isinstance(body, dict) else {"items": body}), []


async def _read_multipart(request: web.Request) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    payload: dict[str, Any] = {}
    files: list[dict[str, Any]] = []
    reader = await request.multipart()
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader):
            continue
        data = await part.read()
        if part.name == "payload_json":
            payload = json.loads(data)
        else:
            files.append({"filename": part.filename, "size": len(data), "data": bytes(data)})
    return payload, files


async def read_list(request: web.Request) -> list[dict[str, Any]]:
    """Return a JSON array body."""
    raw = await request.read()
    value = json.loads(raw) if raw else []
    return value if isinstance(value, list) else []


@dataclass
class Fault:
    """An injected failure answering the next ``times`` matching requests."""

    method: str
    path_pattern: str
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)
    times: int = 1
    hits: int = 0

    def matches(self, method: str, path: str) -> bool:
        """Tell whether this fault should answer ``method path`` now."""
        if self.hits >= self.times or method != self.method:
            return False
        return re.fullmatch(self.path_pattern, path) is not None

    def respond(self) -> web.Response:
        """Consume one use and build the failure response."""
        self.hits += 1
        return json_response(self.body, status=self.status, headers=self.headers)


@dataclass
class Delay:
    """Network latency injected before the next ``times`` matching requests are answered."""

    method: str
    path_pattern: str
    seconds: float
    times: int = 1
    hits: int = 0

    def take(self, method: str, path: str) -> float:
        """The delay for ``method path`` now (consuming one use), or 0."""
        if self.hits >= self.times or method != self.method:
            return 0.0
        if re.fullmatch(self.path_pattern, path) is None:
            return 0.0
        self.hits += 1
        return self.seconds


def rate_limit_fault(
    method: str, path_pattern: str, *, times: int, retry_after: float, is_global: bool
) -> Fault:
    """Build a 429 fault with the headers and body discord.py honours."""
    headers = {
        "Retry-After": str(max(1, round(retry_after))),
        "X-RateLimit-Limit": "5",
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset-After": f"{retry_after:.3f}",
        "X-RateLimit-Bucket": "fakebucket0001",
        "X-RateLimit-Scope": "shared" if not is_global else "global",
    }
    if is_global:
        headers["X-RateLimit-Global"] = "true"
    body = {
        "message": "You are being rate limited.",
        "retry_after": retry_after,
        "global": is_global,
    }
    return Fault(method, path_pattern, 429, body, headers=headers, times=times)
