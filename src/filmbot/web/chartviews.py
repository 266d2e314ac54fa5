"""Server-rendered SVG geometry for the charts: no JavaScript, no CDN, a tooltip per mark.

Each mark carries its number in an SVG <title> (shown on hover and read by screen readers);
the page also has a table of the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

from filmbot.domain.charts import WEEKDAYS, GenreBar, Heatmap, ScoreBar, WeekPoint

WIDTH = 600
HEIGHT = 200
CELL = 22
GENRE_ROW = 24
GENRE_LABEL = 150


@dataclass(frozen=True, slots=True)
class Mark:
    """One rectangle: where, how strong, and what it says."""

    x: float
    y: float
    width: float
    height: float
    label: str
    value: int
    opacity: float = 1.0
    highlight: bool = False


def score_marks(bars: list[ScoreBar]) -> list[Mark]:
    """Bars for 1..10, each with the viewer's own share drawn on top."""
    peak = max((b.count for b in bars), default=0) or 1
    slot = WIDTH / len(bars)
    marks = []
    for i, bar in enumerate(bars):
        height = HEIGHT * bar.count / peak
        label = f"Score {bar.score}: {bar.count} ratings"
        if bar.mine:
            label += f" ({bar.mine} yours)"
        marks.append(Mark(i * slot + 4, HEIGHT - height, slot - 8, height, label, bar.count))
        if bar.mine:
            own = HEIGHT * bar.mine / peak
            marks.append(
                Mark(i * slot + 4, HEIGHT - own, slot - 8, own, label, bar.mine, highlight=True)
            )
    return marks


def heat_marks(heatmap: Heatmap) -> list[Mark]:
    """A 7 x 24 grid; darker cells had more activity."""
    peak = heatmap.peak or 1
    marks = []
    for day, row in enumerate(heatmap.cells):
        for hour, count in enumerate(row):
            label = f"{WEEKDAYS[day]} {hour:02d}:00: {count}"
            opacity = 0.08 + 0.92 * count / peak if count else 0.04
            marks.append(
                Mark(40 + hour * CELL, day * CELL, CELL - 2, CELL - 2, label, count, opacity)
            )
    return marks


def trend_marks(points: list[WeekPoint]) -> list[Mark]:
    """One bar per week: subscriptions in force at the week's end."""
    if not points:
        return []
    peak = max(p.total for p in points) or 1
    slot = WIDTH / len(points)
    marks = []
    for i, point in enumerate(points):
        height = HEIGHT * point.total / peak
        label = f"Week of {point.week.isoformat()}: {point.total} (+{point.added})"
        marks.append(
            Mark(i * slot + 1, HEIGHT - height, max(slot - 2, 1), height, label, point.total)
        )
    return marks


def genre_marks(bars: list[GenreBar]) -> list[Mark]:
    """Horizontal bars, most-watched genre first, one row each (the name drawn beside it)."""
    peak = max((b.count for b in bars), default=0) or 1
    room = WIDTH - GENRE_LABEL - 50
    return [
        Mark(
            GENRE_LABEL,
            i * GENRE_ROW,
            max(room * bar.count / peak, 1),
            GENRE_ROW - 6,
            f"{bar.name}: {bar.count} watched",
            bar.count,
        )
        for i, bar in enumerate(bars)
    ]
