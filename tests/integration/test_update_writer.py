"""The ledger writer never carries on past findings that were not stored."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from filmbot.db.repositories.snapshots import SnapshotRepository
from filmbot.db.session import Sessions
from filmbot.domain.models import MediaType, TitleRef
from filmbot.services.updates.detect import Findings
from filmbot.services.updates.writer import LedgerWriter
from tests.update_builders import NOW


async def test_a_failed_background_flush_fails_the_cycle_instead_of_being_overtaken(
    sessionmaker: Sessions, monkeypatch: pytest.MonkeyPatch
) -> None:
    saves: list[list[Any]] = []
    real_save = SnapshotRepository.save

    async def save_failing_first(self: SnapshotRepository, scope: str, rows: Any) -> None:
        saves.append(list(rows))
        if len(saves) == 1:
            raise RuntimeError("disk full")
        await real_save(self, scope, rows)

    monkeypatch.setattr(SnapshotRepository, "save", save_failing_first)
    findings = Findings()
    writer = LedgerWriter(sessionmaker, "all", findings, set(), now=NOW, every=1)
    findings.on_title = writer.poke
    for tmdb_id in (1, 2):
        ref = TitleRef(MediaType.MOVIE, tmdb_id)
        findings.snapshots.append((ref, {"id": tmdb_id, "title": f"Film {tmdb_id}"}, NOW))
        findings.title_done()
        await asyncio.sleep(0.05)  # let the background flush run (and fail)

    with pytest.raises(RuntimeError, match="disk full"):
        await writer.finish()
    assert len(saves) == 1  # the second title was not flushed past the lost first one
    async with sessionmaker() as session:
        assert await SnapshotRepository(session).of_titles("all", [ref]) == {}
