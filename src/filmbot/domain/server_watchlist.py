"""The server watchlist: titles a server plans to watch together, and their order."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from filmbot.domain.models import TitleRef

MAX_NOTE_LENGTH = 200
_NEVER = datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class ServerWatchlistEntry:
    """One title on a server's shared watchlist.

    `added_by` is None once the member who added it deleted their data; `average_rating` is
    the mean score of the server's members who rated the title on their own watchlists.
    """

    id: int
    guild_id: int
    ref: TitleRef
    title: str
    poster_path: str | None
    note: str | None
    added_by: int | None
    added_at: datetime
    picked_at: datetime | None = None
    average_rating: float | None = None
    ratings: int = 0


def list_order(entries: list[ServerWatchlistEntry]) -> list[ServerWatchlistEntry]:
    """The server watchlist's own order: first added first (it breaks poll ties)."""
    return sorted(entries, key=lambda e: (e.added_at, e.id))


def candidate_order(entries: list[ServerWatchlistEntry]) -> list[ServerWatchlistEntry]:
    """Movie-night candidates: never picked first, then picked longest ago; best rated first.

    Within the same pick state, a higher average rating comes first and unrated titles last;
    the list order settles the rest.
    """
    ranks = {entry.id: index for index, entry in enumerate(list_order(entries))}

    def key(entry: ServerWatchlistEntry) -> tuple[bool, datetime, bool, float, int]:
        rated = entry.average_rating is not None
        return (
            entry.picked_at is not None,
            entry.picked_at or _NEVER,
            not rated,
            -(entry.average_rating or 0.0),
            ranks[entry.id],
        )

    return sorted(entries, key=key)
