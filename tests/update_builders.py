"""Builders shared by the update tests: snapshots, episodes, events and ledger arrangements.

Dates are relative to NOW (2026-03-10T11:30Z): already 2026-03-11 in Auckland, still
2026-03-10 in Los Angeles.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from filmbot.domain.models import MediaType, TitleRef
from filmbot.domain.updates import (
    DeliveryStatus,
    EpisodeInfo,
    EventKind,
    GuildPrefs,
    LedgerEntry,
    RegionalRelease,
    ReleaseType,
    TitleSnapshot,
    UpdateEvent,
)

UTC = UTC
NOW = datetime(2026, 3, 10, 11, 30, tzinfo=UTC)
TODAY = date(2026, 3, 10)
FILM_REF = TitleRef(MediaType.MOVIE, 100)
SHOW_REF = TitleRef(MediaType.TV, 200)
UTC_GUILD = GuildPrefs(region="US")
AUCKLAND = GuildPrefs(region="NZ", timezone="Pacific/Auckland")
LOS_ANGELES = GuildPrefs(region="US", timezone="America/Los_Angeles")


def day(offset: int) -> date:
    """Return TODAY plus `offset` days."""
    return TODAY + timedelta(days=offset)


def at(offset_days: float) -> datetime:
    """Return NOW plus `offset_days` days."""
    return NOW + timedelta(days=offset_days)


def film(
    *,
    status: str = "Released",
    primary: date | None = None,
    releases: dict[str, list[tuple[int, date]]] | None = None,
    fetched: datetime = NOW,
) -> TitleSnapshot:
    """A film snapshot with a primary date and {country: [(type, date)]} releases."""
    return TitleSnapshot(
        ref=FILM_REF,
        title="The Film",
        fetched_at=fetched,
        poster_path="/film.jpg",
        status=status,
        release_date=primary,
        release_dates={
            country: tuple(RegionalRelease(ReleaseType(kind), when) for kind, when in items)
            for country, items in (releases or {}).items()
        },
    )


def show(
    *,
    status: str = "Returning Series",
    seasons: int | None = 2,
    next_episode: EpisodeInfo | None = None,
    last_episode: EpisodeInfo | None = None,
    fetched: datetime = NOW,
) -> TitleSnapshot:
    """A TV snapshot with its next and last episodes."""
    return TitleSnapshot(
        ref=SHOW_REF,
        title="The Show",
        fetched_at=fetched,
        poster_path="/show.jpg",
        status=status,
        number_of_seasons=seasons,
        next_episode_to_air=next_episode,
        last_episode_to_air=last_episode,
    )


def episode(season: int, number: int, airs: date | None, name: str = "Ep") -> EpisodeInfo:
    """An episode with a name and an overview."""
    return EpisodeInfo(season, number, airs, name, "Something happens.")


def only(events: list[UpdateEvent]) -> UpdateEvent:
    """Return the one event, failing when there are none or several."""
    assert len(events) == 1, events
    return events[0]


def keys(events: list[UpdateEvent]) -> list[tuple[EventKind, str]]:
    """Return each event's (kind, event_key)."""
    return [(event.kind, event.event_key) for event in events]


def pending_entries(guild_id: int, ref: TitleRef, count: int, now: datetime) -> list[LedgerEntry]:
    """Ledger entries for `count` distinct upcoming events, pending until a day after `now`."""
    return [
        LedgerEntry(
            guild_id,
            ref,
            EventKind.UPCOMING.value,
            f"upcoming:{n}",
            DeliveryStatus.PENDING,
            {},
            now + timedelta(days=1),
        )
        for n in range(count)
    ]
