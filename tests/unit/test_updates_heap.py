"""The kept plan is frozen out of full garbage collections, and thawed once a day."""

from __future__ import annotations

import gc
import time
import weakref
from collections.abc import Iterator

import pytest

from filmbot.services.updates.memory import THAW_EVERY, PlanMemory


class Node:
    other: Node | None = None


@pytest.fixture(autouse=True)
def _thawed() -> Iterator[None]:
    yield
    gc.unfreeze()


def test_objects_alive_at_a_freeze_escape_collections_until_the_daily_thaw(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = [1_000.0]
    monkeypatch.setattr(time, "monotonic", lambda: clock[0])
    memory = PlanMemory(upcoming_days=7)
    first, second = Node(), Node()
    gone = weakref.ref(first)
    memory.freeze_heap()
    assert gc.get_freeze_count() > 0
    first.other, second.other = second, first
    del first, second

    clock[0] += 3_600
    memory.freeze_heap()
    gc.collect()
    assert gone() is not None, "a frozen cycle is not collected"

    clock[0] += THAW_EVERY.total_seconds()
    memory.freeze_heap()
    assert gone() is None, "the daily thaw collects it"


def test_garbage_made_between_cycles_is_collected_before_the_next_freeze() -> None:
    memory = PlanMemory(upcoming_days=7)
    memory.freeze_heap()
    first, second = Node(), Node()
    first.other, second.other = second, first
    gone = weakref.ref(first)
    gc.collect()  # both survive into the oldest generation, which only a full collection walks
    del first, second
    gc.collect(1)
    assert gone() is not None
    memory.freeze_heap()
    assert gone() is None
