"""What TMDB's detail payloads cost FilmBot: their bytes, JSON decoding and parsing.

Shared by the benchmarks that report it. `counting_parse` times, inside a running process,
what the update engine does with each detail answer: the transport's JSON decoding
(`_decode_object`) and `snapshot_from_tmdb`, both synchronous, so each timing is the call
alone (plus whatever the machine's load takes from it). `parse_times` times one body
decoded and parsed again and again, away from any cycle.
"""

from __future__ import annotations

import re
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import orjson

DETAILS_PATH = re.compile(r"^/(movie|tv)/\d+$")


@dataclass
class ParseCost:
    """Detail payloads seen, their bytes and the seconds spent decoding and parsing them."""

    payloads: int = 0
    bytes: int = 0
    decode_seconds: float = 0.0
    snapshots: int = 0
    parse_seconds: float = 0.0

    def mean_kb(self) -> float:
        """Mean payload size in KB."""
        return self.bytes / max(1, self.payloads) / 1024

    def decode_ms(self) -> float:
        """Mean JSON decoding time per payload, in ms."""
        return self.decode_seconds / max(1, self.payloads) * 1000

    def parse_ms(self) -> float:
        """Mean `snapshot_from_tmdb` time per payload, in ms."""
        return self.parse_seconds / max(1, self.snapshots) * 1000

    def since(self, earlier: ParseCost) -> ParseCost:
        """What was counted after `earlier` (a copy taken before)."""
        return ParseCost(
            self.payloads - earlier.payloads,
            self.bytes - earlier.bytes,
            self.decode_seconds - earlier.decode_seconds,
            self.snapshots - earlier.snapshots,
            self.parse_seconds - earlier.parse_seconds,
        )


@contextmanager
def counting_parse() -> Iterator[ParseCost]:
    """Count detail payloads decoded by the TMDB transport and parsed by the update engine."""
    from filmbot.services.updates import detect
    from filmbot.tmdb import transport

    cost = ParseCost()
    decode, snapshot = transport._decode_object, detect.snapshot_from_tmdb

    def timed_decode(path: str, body: bytes, *how: Any) -> dict[str, Any]:
        if not DETAILS_PATH.match(path):
            return decode(path, body, *how)
        started = time.perf_counter()
        try:
            return decode(path, body, *how)
        finally:
            cost.decode_seconds += time.perf_counter() - started
            cost.payloads += 1
            cost.bytes += len(body)

    def timed_snapshot(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return snapshot(*args, **kwargs)
        finally:
            cost.parse_seconds += time.perf_counter() - started
            cost.snapshots += 1

    transport._decode_object = timed_decode  # type: ignore[assignment]
    detect.snapshot_from_tmdb = timed_snapshot  # type: ignore[assignment]
    try:
        yield cost
    finally:
        transport._decode_object = decode
        detect.snapshot_from_tmdb = snapshot


def parse_times(body: bytes, parse: Callable[[Any], object], repeat: int = 50) -> list[float]:
    """Seconds to decode `body` and `parse` the result, `repeat` times."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        parse(orjson.loads(body))  # as the TMDB transport decodes
        times.append(time.perf_counter() - started)
    return times


def ms(values: list[float]) -> str:
    """The median and 95th percentile of `values` (seconds), in ms."""
    ordered = sorted(values)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    return f"p50 {statistics.median(ordered) * 1000:7.2f} ms   p95 {p95 * 1000:7.2f} ms"
