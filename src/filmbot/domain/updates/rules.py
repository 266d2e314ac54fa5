"""One rule per event kind: each turns snapshots into candidate events with their windows.

A rule does not decide whether its candidate is in scope today; `detect_events` does that
from `due_from` / `due_until`, so the same candidates serve both delivery and catch-up.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import NamedTuple

from filmbot.domain.limits import clip
from filmbot.domain.models import MediaType
from filmbot.domain.updates.events import EventKind, GuildPrefs, UpdateEvent
from filmbot.domain.updates.snapshot import EpisodeInfo, ReleaseType, TitleSnapshot
from filmbot.domain.updates.streaming import newly_streaming

STATUS_CHANGE_GRACE_DAYS = 1
DETAIL_LIMIT = 300
UPCOMING_STATUSES = frozenset({"Planned", "In Production", "Post Production", "Released"})
CANCELED = "Canceled"
_RELEASE_PREFERENCE = (
    frozenset({ReleaseType.THEATRICAL_LIMITED, ReleaseType.THEATRICAL}),
    frozenset({ReleaseType.DIGITAL}),
)
_STATUS_HEADLINES = {
    "Ended": "{title} has ended",
    "Canceled": "{title} was canceled",
    "Returning Series": "{title} is returning",
    "Released": "{title} is released",
    "In Production": "{title} is in production",
    "Post Production": "{title} is in post-production",
}


class RegionalDate(NamedTuple):
    """The release date that counts for a region; region and type are None on fallback."""

    date: date
    region: str | None
    type: ReleaseType | None


def regional_release(snapshot: TitleSnapshot, region: str) -> RegionalDate | None:
    """Pick the region's theatrical date, else its digital date, else the primary date."""
    releases = snapshot.release_dates.get(region.upper(), ())
    for wanted in _RELEASE_PREFERENCE:
        dates = [item for item in releases if item.type in wanted]
        if dates:
            first = min(dates, key=lambda item: item.date)
            return RegionalDate(first.date, region.upper(), ReleaseType(first.type))
    if snapshot.release_date is None:
        return None
    return RegionalDate(snapshot.release_date, None, None)


def release_events(snapshot: TitleSnapshot, prefs: GuildPrefs) -> list[UpdateEvent]:
    """Announce a film once it is out in the guild's region."""
    found = _movie_release(snapshot, prefs)
    if found is None:
        return []
    where = f" in {found.region}" if found.region else ""
    kind = f"{found.type.label.capitalize()} release" if found.type else "Released"
    return [
        _event(
            snapshot,
            EventKind.RELEASE,
            key=f"release:{prefs.region}:{found.date.isoformat()}",
            on=found.date,
            window=(found.date, found.date + timedelta(days=prefs.release_notify_days)),
            headline=f"{snapshot.title} is out{where}",
            detail=f"{kind}{where} on {found.date.isoformat()}.",
        )
    ]


def upcoming_events(snapshot: TitleSnapshot, prefs: GuildPrefs) -> list[UpdateEvent]:
    """Announce a film whose regional release is at most upcoming_notify_days away."""
    found = _movie_release(snapshot, prefs)
    if found is None or snapshot.status not in UPCOMING_STATUSES:
        return []
    where = f" in {found.region}" if found.region else ""
    kind = f"{found.type.label.capitalize()} release" if found.type else "Release"
    start = found.date - timedelta(days=prefs.upcoming_notify_days)
    return [
        _event(
            snapshot,
            EventKind.UPCOMING,
            key=f"upcoming:{found.date.isoformat()}",
            on=found.date,
            window=(start, found.date - timedelta(days=1)),
            headline=f"{snapshot.title} comes out{where} on {found.date.isoformat()}",
            detail=f"{kind}{where} on {found.date.isoformat()}.",
        )
    ]


def new_episode_events(
    snapshot: TitleSnapshot, previous: TitleSnapshot | None, today: date
) -> list[UpdateEvent]:
    """Announce the next episode from the day before it airs through its air date.

    The previous snapshot's next episode is a candidate too, so an "airs tomorrow" notice
    that fell due while FilmBot was down still reaches the engine (as missed).
    """
    if snapshot.ref.media_type is not MediaType.TV:
        return []
    candidates = [snapshot.next_episode_to_air]
    if previous is not None:
        candidates.append(previous.next_episode_to_air)
    events: dict[str, UpdateEvent] = {}
    for episode in candidates:
        if episode is None or episode.air_date is None or episode.code in events:
            continue
        events[episode.code] = _event(
            snapshot,
            EventKind.NEW_EPISODE,
            key=episode.code,
            on=episode.air_date,
            window=(episode.air_date - timedelta(days=1), episode.air_date),
            headline=f"{snapshot.title} {_episode_label(episode)} {_airs(episode.air_date, today)}",
            detail=_episode_detail(episode),
            episode=episode,
        )
    return list(events.values())


def episode_aired_events(snapshot: TitleSnapshot, prefs: GuildPrefs) -> list[UpdateEvent]:
    """Announce the last aired episode for episode_notify_days after its air date."""
    episode = snapshot.last_episode_to_air
    if snapshot.ref.media_type is not MediaType.TV or episode is None:
        return []
    if episode.air_date is None:
        return []
    return [
        _event(
            snapshot,
            EventKind.EPISODE_AIRED,
            key=episode.code,
            on=episode.air_date,
            window=(episode.air_date, episode.air_date + timedelta(days=prefs.episode_notify_days)),
            headline=f"{snapshot.title} {_episode_label(episode)} is out",
            detail=_episode_detail(episode),
            episode=episode,
        )
    ]


def status_change_events(
    snapshot: TitleSnapshot, previous: TitleSnapshot | None, today: date
) -> list[UpdateEvent]:
    """Announce a changed TMDB status or a newly announced season; needs a previous snapshot."""
    if previous is None:
        return []
    window = (today, today + timedelta(days=STATUS_CHANGE_GRACE_DAYS))
    events = []
    old, new = previous.status, snapshot.status
    if old and new and old != new:
        headline = _STATUS_HEADLINES.get(new, "{title} is now " + new)
        events.append(
            _event(
                snapshot,
                EventKind.STATUS_CHANGE,
                key=f"status:{old}->{new}",
                on=today,
                window=window,
                headline=headline.format(title=snapshot.title),
                detail=f"TMDB status changed from {old} to {new}.",
            )
        )
    events.extend(
        _season_event(snapshot, n, today, window) for n in new_seasons(snapshot, previous)
    )
    return events


def streaming_events(
    snapshot: TitleSnapshot, previous: TitleSnapshot | None, prefs: GuildPrefs, today: date
) -> list[UpdateEvent]:
    """A provider of the guild's region streams the title (flatrate, free or ads) anew.

    Nothing is announced in a region either snapshot does not track: the first snapshot
    that tracks a region is its baseline.
    """
    if snapshot.streaming is None or previous is None or previous is snapshot:
        return []
    if not (snapshot.covers(prefs.region) and previous.covers(prefs.region)):
        return []
    window = (today, today + timedelta(days=STATUS_CHANGE_GRACE_DAYS))
    return [
        _event(
            snapshot,
            EventKind.STREAMING,
            key=key,
            on=today,
            window=window,
            headline=f"{snapshot.title} is now streaming on {name} in {prefs.region}",
            detail="Streaming data provided by JustWatch.",
            extra={"provider": name, "region": prefs.region},
        )
        for _pid, name, key in newly_streaming(
            snapshot.streaming, previous.streaming, prefs.region, today
        )
    ]


def new_seasons(snapshot: TitleSnapshot, previous: TitleSnapshot) -> list[int]:
    """Return the season numbers announced since the previous snapshot."""
    if snapshot.ref.media_type is not MediaType.TV:
        return []
    found = []
    now_count, was_count = snapshot.number_of_seasons, previous.number_of_seasons
    if now_count is not None and was_count is not None and now_count > was_count:
        found.append(now_count)
    premiere = _season_premiere(snapshot)
    if premiere is not None and premiere not in found and premiere != _season_premiere(previous):
        found.append(premiere)
    return found


def _season_premiere(snapshot: TitleSnapshot) -> int | None:
    """Return the season whose episode 1 is next, when it is beyond the last aired season."""
    upcoming, last = snapshot.next_episode_to_air, snapshot.last_episode_to_air
    if upcoming is None or upcoming.episode_number != 1 or upcoming.season_number < 1:
        return None
    last_season = last.season_number if last is not None else 0
    return upcoming.season_number if upcoming.season_number > last_season else None


def _season_event(
    snapshot: TitleSnapshot, season: int, today: date, window: tuple[date, date]
) -> UpdateEvent:
    """Build the "season N announced" status event."""
    upcoming = snapshot.next_episode_to_air
    detail = ""
    if upcoming is not None and upcoming.season_number == season and upcoming.air_date:
        detail = f"{upcoming.code} airs on {upcoming.air_date.isoformat()}."
    return _event(
        snapshot,
        EventKind.STATUS_CHANGE,
        key=f"season:{season}",
        on=today,
        window=window,
        headline=f"{snapshot.title}: season {season} announced",
        detail=detail,
        season=season,
    )


def _movie_release(snapshot: TitleSnapshot, prefs: GuildPrefs) -> RegionalDate | None:
    """Return the film's regional date, or None for TV and canceled films.

    None too when the snapshot does not track the region: its date there is unknown until
    a snapshot that tracks it is fetched, and the primary date could be the wrong one.
    """
    if snapshot.ref.media_type is not MediaType.MOVIE or snapshot.status == CANCELED:
        return None
    if not snapshot.covers(prefs.region):
        return None
    return regional_release(snapshot, prefs.region)


def _event(
    snapshot: TitleSnapshot,
    kind: EventKind,
    *,
    key: str,
    on: date,
    window: tuple[date, date],
    headline: str,
    detail: str,
    episode: EpisodeInfo | None = None,
    season: int | None = None,
    extra: Mapping[str, str] | None = None,
) -> UpdateEvent:
    """Build an event for the snapshot's title; `extra` adds facts of the event's own."""
    return UpdateEvent(
        kind=kind,
        ref=snapshot.ref,
        title=snapshot.title,
        event_key=key,
        event_date=on,
        due_from=window[0],
        due_until=window[1],
        headline=headline,
        detail=detail,
        poster_path=snapshot.poster_path,
        facts=_facts(snapshot, episode, season, extra or {}),
    )


def _facts(
    snapshot: TitleSnapshot,
    episode: EpisodeInfo | None,
    season: int | None,
    extra: Mapping[str, str],
) -> tuple[tuple[str, str], ...]:
    """The values a notification template can show about the event, as (name, text)."""
    year = snapshot.release_date.year if snapshot.release_date else None
    facts = {
        "year": str(year) if year else "",
        "status": snapshot.status,
        "network": snapshot.network,
    }
    if episode is not None:
        facts["season"] = str(episode.season_number)
        facts["episode"] = str(episode.episode_number)
        facts["episode_title"] = episode.name
    elif season is not None:
        facts["season"] = str(season)
    facts.update(extra)
    return tuple(sorted((name, text) for name, text in facts.items() if text))


def _airs(air_date: date, today: date) -> str:
    """Say when an episode airs relative to today."""
    days = (air_date - today).days
    if days == 1:
        return "airs tomorrow"
    if days == 0:
        return "airs today"
    return f"airs on {air_date.isoformat()}"


def _episode_label(episode: EpisodeInfo) -> str:
    """Return the code, marking finales and premieres."""
    if episode.episode_type == "finale":
        return f"{episode.code} (season finale)"
    if episode.episode_type == "mid_season":
        return f"{episode.code} (mid-season finale)"
    return episode.code


def _episode_detail(episode: EpisodeInfo) -> str:
    """Return the episode name and a clipped overview."""
    parts = [part for part in (episode.name, clip(episode.overview, DETAIL_LIMIT)) if part]
    return "\n".join(parts)
