"""An unreachable Discord is named at WARNING once, then every few minutes, never per attempt."""

from __future__ import annotations

import logging
import sys

import pytest

from filmbot.config import load_settings
from filmbot.runner import UnreachableWarnings, report_gateway_retries


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]


def test_first_failure_warns_then_debug_until_the_reminder_is_due(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="filmbot")
    clock = Clock()
    warnings = UnreachableWarnings("Discord at discord.com", every=600, clock=clock)
    for delay in (2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 300.0, 300.0):
        warnings.failed(ConnectionRefusedError(), delay)
        clock.now += delay
    assert _warnings(caplog) == [
        "Discord at discord.com is unreachable (ConnectionRefusedError); retrying in 2 s and "
        "for as long as it takes (next warning in 10 min if it stays unreachable)",
        "Discord at discord.com is still unreachable after 10 attempts over 14 min "
        "(ConnectionRefusedError); still retrying",
    ]
    debug = [r for r in caplog.records if r.levelno == logging.DEBUG]
    assert len(debug) == 8


def test_recovery_is_said_once_and_a_later_outage_warns_again(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="filmbot")
    clock = Clock()
    warnings = UnreachableWarnings("Discord", every=600, clock=clock)
    warnings.failed(OSError(), 2.0)
    warnings.recovered()
    warnings.recovered()
    warnings.failed(OSError(), 2.0)
    assert len(_warnings(caplog)) == 2
    infos = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO]
    assert infos == ["Discord is reachable again after 1 failed attempts"]


def test_gateway_reconnect_tracebacks_become_one_warning_naming_the_gateway_host(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    settings = load_settings(None, discord_gateway_url="wss://gateway.example.test/")
    report_gateway_retries(settings)
    shard_log = logging.getLogger("discord.shard")
    for _ in range(5):
        try:
            raise ConnectionResetError("gone")
        except ConnectionResetError:
            shard_log.error(
                "Attempting a reconnect for shard ID %s in %.2fs", 0, 3.5, exc_info=sys.exc_info()
            )
    shard_log.error("Some other shard error")
    assert _warnings(caplog) == [
        "Discord gateway at gateway.example.test (DISCORD_GATEWAY_URL) is unreachable "
        "(ConnectionResetError); retrying in 4 s and for as long as it takes "
        "(next warning in 10 min if it stays unreachable)"
    ]
    assert not [r for r in caplog.records if r.name == "discord.shard" and r.exc_info]
    assert [r.getMessage() for r in caplog.records if r.name == "discord.shard"] == [
        "Some other shard error"
    ]
