"""Stored snapshots read back for what members see (/upcoming, next-notification hints).

A snapshot that no longer parses is skipped with a warning: it is replaced at the title's
next check, and one bad row must not hide every other title.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

from filmbot.domain.models import TitleRef
from filmbot.domain.updates import StoredSnapshot, TitleSnapshot

log = logging.getLogger(__name__)


def read(ref: TitleRef, stored: StoredSnapshot) -> TitleSnapshot | None:
    """The snapshot, or None (logged) when it cannot be read."""
    try:
        return TitleSnapshot.from_dict(stored.data, ref)
    except (TypeError, ValueError):
        log.warning("Skipping an unreadable stored snapshot of %s", ref)
        return None


def parsed(stored: Mapping[TitleRef, StoredSnapshot]) -> dict[TitleRef, TitleSnapshot]:
    """Each title's snapshot, skipping unreadable ones."""
    snapshots = ((ref, read(ref, copy)) for ref, copy in stored.items())
    return {ref: snapshot for ref, snapshot in snapshots if snapshot is not None}


def tracking(
    stored: Mapping[TitleRef, Sequence[StoredSnapshot]], region: str
) -> dict[TitleRef, TitleSnapshot]:
    """Each title's newest copy that tracks the region, else its newest readable one.

    `stored` holds every scope's copy of a title, newest first (`across_scopes`). Scopes
    keep the regions of their own followers, so the newest copy may have been stored by a
    process whose servers are elsewhere, while the process checking members' follows
    (shard 0's) keeps theirs.
    """
    chosen = {}
    for ref, copies in stored.items():
        readable = [s for s in (read(ref, copy) for copy in copies) if s is not None]
        best = next((s for s in readable if s.covers(region)), readable[0] if readable else None)
        if best is not None:
            chosen[ref] = best
    return chosen
