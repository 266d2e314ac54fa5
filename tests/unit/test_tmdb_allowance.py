"""The allowance after 429s: halved at once, once per period, won back 1% per period."""

from __future__ import annotations

import pytest

from filmbot.tmdb._aimd import Allowance


def test_allowance_is_the_configured_limit_until_a_429() -> None:
    allowance = Allowance(40, 1.0)
    assert allowance.current(0.0) == allowance.current(1_000.0) == 40


def test_a_429_halves_the_allowance_once_per_period() -> None:
    allowance = Allowance(40, 1.0)
    assert allowance.cut(10.0)
    assert not allowance.cut(10.5)  # answers to requests already on their way
    assert allowance.current(10.5) == pytest.approx(20.2)
    assert allowance.cut(11.0)
    assert allowance.current(11.0) == pytest.approx(10.2)


def test_the_allowance_recovers_by_one_percent_of_the_limit_per_period() -> None:
    allowance = Allowance(400, 2.0)
    allowance.cut(0.0)
    assert allowance.current(20.0) == pytest.approx(200 + 10 * 4)
    assert allowance.current(100.0) == 400
    assert allowance.current(200.0) == 400


def test_the_allowance_never_drops_below_one_request_per_period() -> None:
    allowance = Allowance(3, 1.0)
    for second in range(10):
        allowance.cut(float(second))
    assert allowance.current(10.0) >= 1.0
