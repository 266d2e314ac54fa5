"""Kept snapshots stay only while the database holds exactly what this engine wrote."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime

from filmbot.domain.models import MediaType, TitleRef
from filmbot.domain.updates import StoredSnapshot
from filmbot.services.updates.memory import PlanMemory
from tests.update_builders import NOW

FILM = TitleRef(MediaType.MOVIE, 1)


async def _one_batch(when: datetime) -> AsyncIterator[list[tuple[TitleRef, StoredSnapshot]]]:
    yield [(FILM, StoredSnapshot({"id": 1, "title": "The Film"}, when))]


async def _loaded(writes: int) -> PlanMemory:
    memory = PlanMemory(upcoming_days=7)
    await memory.load_snapshots((1, NOW, writes), _one_batch(NOW))
    return memory


async def test_snapshots_are_kept_when_only_this_engine_wrote() -> None:
    memory = await _loaded(writes=5)
    memory.wrote()
    memory.settle((1, NOW, 6))
    assert memory.fingerprint == (1, NOW, 6) and FILM in memory.snapshots


async def test_a_write_by_another_process_forces_a_reload_even_when_counts_and_times_match() -> (
    None
):
    memory = await _loaded(writes=5)
    memory.wrote()
    memory.settle((1, NOW, 7))  # same count, same newest fetch time, one write more
    assert memory.fingerprint is None and memory.snapshots == {}


async def test_a_different_count_forces_a_reload() -> None:
    memory = await _loaded(writes=5)
    memory.settle((2, NOW, 5))
    assert memory.fingerprint is None
