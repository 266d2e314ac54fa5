"""Pure update detection: which notifications are due for a subscription at an instant.

The update engine fetches each subscribed title once per cycle, stores a `TitleSnapshot`
and calls `detect_events(snapshot, previous, prefs, now, notify_release, notify_update)` for
every subscription. Nothing here reads the clock or does I/O: `now` is an aware instant and
"today", "tomorrow" and "within N days" are evaluated in the guild's time zone, because TMDB
dates carry no time.

Which subscription flag gates which kind:

- ``notify_release`` gates the film kinds ``release`` and ``upcoming``, and ``streaming``
  (a provider of the guild's region starts streaming the title; see `streaming`);
- ``notify_update`` gates the TV kinds ``new_episode`` and ``episode_aired`` and
  ``status_change`` for both films and TV (status changes and newly announced seasons);
- ``title_removed`` is built by the engine with `title_removed_event` when TMDB answers 404
  and is gated by neither flag.

The rules (each event is sendable on the guild-local days ``due_from..due_until``):

- ``release``: the film's date in the guild's region (theatrical 2/3, else digital 4, else the
  primary release date) has arrived; due for ``release_notify_days`` after it. Being released
  is decided by that date, not by TMDB's status; canceled films never qualify.
- ``upcoming``: that date is 1..``upcoming_notify_days`` days ahead and the status is Planned,
  In Production, Post Production or Released (out elsewhere, not yet in the region). The key
  holds the date, so a moved date is a new event.
- ``new_episode``: the next episode airs tomorrow; due through its air date.
- ``episode_aired``: the last episode aired at most ``episode_notify_days`` days ago.
- ``status_change``: TMDB's status differs from the previous snapshot's, or a season was
  announced (``number_of_seasons`` grew, or the next episode is episode 1 of a season beyond
  the last aired one). Without a previous snapshot there is no status change.

Catch-up: besides events due today, `detect_events` returns events whose window overlapped the
time since the previous snapshot (at most `CATCH_UP_LOOKBACK_DAYS`), so after downtime the
engine sees them and `is_expired` tells it to record them as missed rather than send them late.
The engine deduplicates on (subscription, kind, event_key).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from filmbot.domain.models import MediaType, TitleRef
from filmbot.domain.updates.events import (
    RELEASE_FLAG_KINDS,
    UPDATE_FLAG_KINDS,
    EventKind,
    GuildPrefs,
    UpdateEvent,
)
from filmbot.domain.updates.rules import (
    CANCELED,
    STATUS_CHANGE_GRACE_DAYS,
    episode_aired_events,
    new_episode_events,
    regional_release,
    release_events,
    status_change_events,
    streaming_events,
    upcoming_events,
)
from filmbot.domain.updates.snapshot import EpisodeInfo, TitleSnapshot

CATCH_UP_LOOKBACK_DAYS = 30


def detect_events(  # noqa: PLR0917 - positional signature agreed with the update engine
    snapshot: TitleSnapshot,
    previous: TitleSnapshot | None,
    prefs: GuildPrefs,
    now: datetime,
    notify_release: bool,
    notify_update: bool,
) -> list[UpdateEvent]:
    """Return the subscription's events that are due now or fell due since `previous`."""
    if previous is not None and previous.ref != snapshot.ref:
        raise ValueError(f"previous snapshot is of {previous.ref}, not {snapshot.ref}")
    today = prefs.today(now)
    since = _lookback_start(previous, prefs, today)
    candidates = _candidates(snapshot, previous, prefs, today)
    return [
        event
        for event in candidates
        if _allowed(event.kind, notify_release, notify_update)
        and event.due_from <= today
        and event.due_until >= since
    ]


def next_notification_hint(snapshot: TitleSnapshot, prefs: GuildPrefs, now: datetime) -> str | None:
    """Describe the next expected notification for the subscriptions listing."""
    today = prefs.today(now)
    if snapshot.ref.media_type is MediaType.TV:
        return _episode_hint(snapshot.next_episode_to_air, today)
    if snapshot.status == CANCELED:
        return None
    if not snapshot.covers(prefs.region):
        # Its stored dates are another region's; the next update check fetches this one's.
        return f"dates in {prefs.region.upper()} after the next update check"
    found = regional_release(snapshot, prefs.region)
    if found is None or found.date <= today:
        return None
    where = f" in {found.region}" if found.region else ""
    return f"release{where} on {found.date.isoformat()}"


def title_removed_event(
    ref: TitleRef, title: str, prefs: GuildPrefs, now: datetime, poster_path: str | None = None
) -> UpdateEvent:
    """Build the event the engine sends when TMDB no longer knows a subscribed title."""
    today = prefs.today(now)
    return UpdateEvent(
        kind=EventKind.TITLE_REMOVED,
        ref=ref,
        title=title,
        event_key="removed",
        event_date=today,
        due_from=today,
        due_until=today + timedelta(days=STATUS_CHANGE_GRACE_DAYS),
        headline=f"{title} is no longer on TMDB",
        detail="TMDB no longer lists this title, so FilmBot cannot check it for updates.",
        poster_path=poster_path,
    )


def _candidates(
    snapshot: TitleSnapshot, previous: TitleSnapshot | None, prefs: GuildPrefs, today: date
) -> list[UpdateEvent]:
    """Run every rule and collect its candidate events."""
    return [
        *release_events(snapshot, prefs),
        *upcoming_events(snapshot, prefs),
        *new_episode_events(snapshot, previous, today),
        *episode_aired_events(snapshot, prefs),
        *status_change_events(snapshot, previous, today),
        *streaming_events(snapshot, previous, prefs, today),
    ]


def _allowed(kind: EventKind, notify_release: bool, notify_update: bool) -> bool:
    """Tell whether the subscription's flags let this kind through."""
    if kind in RELEASE_FLAG_KINDS:
        return notify_release
    if kind in UPDATE_FLAG_KINDS:
        return notify_update
    return True


def _lookback_start(previous: TitleSnapshot | None, prefs: GuildPrefs, today: date) -> date:
    """Return the first guild-local day whose closed windows still count as just missed."""
    if previous is None:
        return today
    seen = prefs.today(previous.fetched_at)
    return min(today, max(seen, today - timedelta(days=CATCH_UP_LOOKBACK_DAYS)))


def _episode_hint(episode: EpisodeInfo | None, today: date) -> str | None:
    """Describe the next episode, if one is announced and not yet aired."""
    if episode is None:
        return None
    if episode.air_date is None:
        return f"{episode.code}, date not announced"
    if episode.air_date < today:
        return None
    return f"{episode.code} on {episode.air_date.isoformat()}"
