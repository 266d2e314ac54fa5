"""Chart data for the dashboard: pure bucketing of counted timestamps."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from filmbot.domain.models import MediaType
from filmbot.domain.updates.rules import regional_release
from filmbot.domain.updates.snapshot import TitleSnapshot

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
SCORES = tuple(range(1, 11))


@dataclass(frozen=True, slots=True)
class Heatmap:
    """Activity counts by weekday (0 = Monday) and hour, in one timezone."""

    cells: tuple[tuple[int, ...], ...]
    timezone: str

    @property
    def peak(self) -> int:
        """The largest cell (0 when there is no activity)."""
        return max((max(row) for row in self.cells), default=0)

    @property
    def total(self) -> int:
        """Every counted event."""
        return sum(sum(row) for row in self.cells)


@dataclass(frozen=True, slots=True)
class WeekPoint:
    """Subscriptions in force at the end of the week starting on `week`."""

    week: date
    added: int
    total: int


@dataclass(frozen=True, slots=True)
class ScoreBar:
    """How many ratings gave one score, and how many of them are the viewer's own."""

    score: int
    count: int
    mine: int


@dataclass(frozen=True, slots=True)
class GenreBar:
    """How many watched items (each counted once per genre it has) are of one genre."""

    genre_id: int
    name: str
    count: int


@dataclass(frozen=True, slots=True)
class CalendarEntry:
    """A release or an episode on one day of the calendar."""

    day: date
    title: str
    label: str


def calendar(
    snapshots: Iterable[TitleSnapshot], region: str, today: date, days: int = 14
) -> list[CalendarEntry]:
    """Films released in the region and episodes airing from today on, `days` days, by date."""
    last = today + timedelta(days=days - 1)
    entries = []
    for snapshot in snapshots:
        episode = snapshot.next_episode_to_air
        if episode is not None and episode.air_date and today <= episode.air_date <= last:
            label = f"{episode.code} {episode.name}".strip()
            entries.append(CalendarEntry(episode.air_date, snapshot.title, label))
        # A film whose snapshot does not track the region waits for the next update check.
        movie = snapshot.ref.media_type is MediaType.MOVIE and snapshot.covers(region)
        release = regional_release(snapshot, region) if movie else None
        if release is not None and today <= release.date <= last:
            kind = release.type.label if release.type is not None else "release"
            entries.append(CalendarEntry(release.date, snapshot.title, f"{kind} release"))
    return sorted(entries, key=lambda e: (e.day, e.title.casefold()))


def heatmap(hours: Iterable[tuple[datetime, int]], timezone: str) -> Heatmap:
    """Move UTC hour buckets into the timezone and count them by weekday and hour."""
    zone = ZoneInfo(timezone)
    grid = [[0] * 24 for _ in range(7)]
    for when, count in hours:
        local = when.astimezone(zone)
        grid[local.weekday()][local.hour] += count
    return Heatmap(tuple(tuple(row) for row in grid), timezone)


def weekly_trend(
    days: Iterable[tuple[datetime, int]], timezone: str, today: date, limit: int = 52
) -> list[WeekPoint]:
    """Running subscription totals per local week (Monday first), the last `limit` weeks."""
    zone = ZoneInfo(timezone)
    added: dict[date, int] = {}
    for when, count in days:
        local = when.astimezone(zone).date()
        week = local - timedelta(days=local.weekday())
        added[week] = added.get(week, 0) + count
    if not added:
        return []
    week, last = min(added), today - timedelta(days=today.weekday())
    points, total = [], 0
    while week <= max(last, *added):
        total += added.get(week, 0)
        points.append(WeekPoint(week, added.get(week, 0), total))
        week += timedelta(days=7)
    return points[-limit:]


def score_bars(every: Mapping[int, int], mine: Mapping[int, int]) -> list[ScoreBar]:
    """One bar per score 1..10."""
    return [ScoreBar(s, every.get(s, 0), mine.get(s, 0)) for s in SCORES]


def genre_bars(counts: Mapping[int, int], names: Mapping[int, str]) -> list[GenreBar]:
    """Genres by watched items, most first; a genre without a stored name shows its id."""
    bars = [GenreBar(g, names.get(g) or f"Genre {g}", c) for g, c in counts.items() if c > 0]
    return sorted(bars, key=lambda b: (-b.count, b.name.casefold(), b.genre_id))
