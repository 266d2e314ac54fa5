"""Which titles a cycle may leave unjudged: nothing of theirs can have fallen due since.

A stored snapshot judged again yields only time-driven events (its status and seasons equal
themselves), and each such event's window opens on a day the snapshot fixes: a film's
dates (the release on the day, the upcoming notice `upcoming_days` before it), the day
before the next episode airs, the day the last episode aired. Every event whose window had
opened when the title was last judged was recorded in the ledger then, so judging the title
again can only find something new once one of its opening days lies between that judgement
and now. The comparison is made with a 14-hour margin on both sides, which covers every
guild time zone (UTC-12 to UTC+14). A title whose snapshot or subscriptions changed is
always judged.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from filmbot.domain.models import TitleRef
from filmbot.domain.updates import TitleSnapshot

ZONE_MARGIN = timedelta(hours=14)
ONE_DAY = timedelta(days=1)


def opening_days(snapshot: TitleSnapshot, upcoming_days: int) -> tuple[date, ...]:
    """Return, sorted, every day on which one of the snapshot's event windows can open."""
    days: set[date] = set()
    lead = timedelta(days=upcoming_days)
    releases = {item.date for items in snapshot.release_dates.values() for item in items}
    if snapshot.release_date is not None:
        releases.add(snapshot.release_date)
    for day in releases:
        days.update((day, day - lead))
    upcoming, last = snapshot.next_episode_to_air, snapshot.last_episode_to_air
    if upcoming is not None and upcoming.air_date is not None:
        days.add(upcoming.air_date - ONE_DAY)
    if last is not None and last.air_date is not None:
        days.add(last.air_date)
    return tuple(sorted(days))


class QuietTitles:
    """Remember up to which day each title was judged; tell which need judging now."""

    def __init__(self) -> None:
        self._judged_through: dict[TitleRef, date] = {}

    def needs_judging(self, ref: TitleRef, opens: tuple[date, ...], now: datetime) -> bool:
        """Whether a window of the title can have opened since it was last judged."""
        through = self._judged_through.get(ref)
        if through is None:
            return True
        first_new = bisect_right(opens, through)
        return first_new < len(opens) and opens[first_new] <= (now + ZONE_MARGIN).date()

    def judged(self, refs: Iterable[TitleRef], now: datetime) -> None:
        """Note that the titles were judged at `now` and their findings recorded."""
        through = (now - ZONE_MARGIN).date()
        for ref in refs:
            self._judged_through[ref] = through

    def forget(self, refs: Iterable[TitleRef]) -> None:
        """Judge these titles next time whatever their dates say."""
        for ref in refs:
            self._judged_through.pop(ref, None)

    def clear(self) -> None:
        """Judge every title next time."""
        self._judged_through.clear()
