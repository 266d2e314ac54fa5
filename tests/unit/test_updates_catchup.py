"""Catch-up after downtime, expiry, listing hints, removed titles and guild prefs."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import pytest

from filmbot.domain.errors import InvalidInputError
from filmbot.domain.models import Guild, MediaType, TitleRef
from filmbot.domain.updates import (
    CATCH_UP_LOOKBACK_DAYS,
    EventKind,
    GuildPrefs,
    RegionalRelease,
    ReleaseType,
    detect_events,
    is_expired,
    next_notification_hint,
    title_removed_event,
)
from filmbot.domain.updates.snapshot import UNKNOWN_FETCH_TIME
from tests.update_builders import (
    AUCKLAND,
    LOS_ANGELES,
    NOW,
    TODAY,
    at,
    day,
    film,
    only,
    show,
)
from tests.update_builders import UTC_GUILD as PREFS
from tests.update_builders import episode as ep

# --- is_expired per kind ------------------------------------------------------------------


def test_new_episode_expires_the_day_after_it_airs() -> None:
    event = only(detect_events(show(next_episode=ep(2, 5, day(1))), None, PREFS, NOW, True, True))
    assert not is_expired(event, PREFS, NOW)
    assert not is_expired(event, PREFS, at(1))
    assert is_expired(event, PREFS, at(2))


def test_episode_aired_expires_after_episode_notify_days() -> None:
    event = only(detect_events(show(last_episode=ep(2, 4, TODAY)), None, PREFS, NOW, True, True))
    assert not is_expired(event, PREFS, at(2))
    assert is_expired(event, PREFS, at(3))


def test_release_expires_after_release_notify_days() -> None:
    event = only(detect_events(film(primary=TODAY), None, PREFS, NOW, True, True))
    assert event.kind is EventKind.RELEASE
    assert not is_expired(event, PREFS, at(3))
    assert is_expired(event, PREFS, at(4))


def test_upcoming_expires_on_the_release_day() -> None:
    snapshot = film(primary=day(2), status="Post Production")
    event = only(detect_events(snapshot, None, PREFS, NOW, True, True))
    assert event.kind is EventKind.UPCOMING
    assert not is_expired(event, PREFS, at(1))
    assert is_expired(event, PREFS, at(2))


def test_expiry_is_judged_in_the_guild_time_zone() -> None:
    snapshot = show(next_episode=ep(2, 5, date(2026, 3, 10)))
    event = only(detect_events(snapshot, None, LOS_ANGELES, at(-1), True, True))
    assert is_expired(event, AUCKLAND, NOW)
    assert not is_expired(event, LOS_ANGELES, NOW)


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        detect_events(show(), None, PREFS, datetime(2026, 3, 10), True, True)


# --- catch-up after downtime ---------------------------------------------------------------


def test_release_and_upcoming_that_fell_due_during_downtime_are_returned_as_expired() -> None:
    previous = film(primary=day(-6), status="Post Production", fetched=at(-10))
    current = replace(previous, status="Released", fetched_at=NOW)
    events = detect_events(current, previous, PREFS, NOW, True, False)
    assert [(event.kind, event.event_key) for event in events] == [
        (EventKind.RELEASE, "release:US:2026-03-04"),
        (EventKind.UPCOMING, "upcoming:2026-03-04"),
    ]
    assert all(is_expired(event, PREFS, NOW) for event in events)


def test_release_within_its_window_after_downtime_is_still_deliverable() -> None:
    previous = film(primary=day(-2), fetched=at(-10))
    events = detect_events(replace(previous, fetched_at=NOW), previous, PREFS, NOW, True, True)
    release = only([event for event in events if event.kind is EventKind.RELEASE])
    assert not is_expired(release, PREFS, NOW)
    upcoming = only([event for event in events if event.kind is EventKind.UPCOMING])
    assert is_expired(upcoming, PREFS, NOW)


def test_release_closed_before_the_previous_fetch_is_not_returned_again() -> None:
    previous = film(primary=day(-10), fetched=at(-1 / 24))
    assert detect_events(replace(previous, fetched_at=NOW), previous, PREFS, NOW, True, True) == []


def test_old_release_is_not_returned_for_a_new_subscription() -> None:
    assert detect_events(film(primary=day(-10)), None, PREFS, NOW, True, True) == []


def test_missed_airs_tomorrow_notice_comes_from_the_previous_snapshot() -> None:
    previous = show(next_episode=ep(2, 5, day(-3)), fetched=at(-6))
    current = show(last_episode=ep(2, 5, day(-3)), next_episode=ep(2, 6, day(4)))
    events = detect_events(current, previous, PREFS, NOW, True, True)
    missed = [event for event in events if event.kind is EventKind.NEW_EPISODE]
    assert [event.event_key for event in missed] == ["S02E05"]
    assert is_expired(missed[0], PREFS, NOW)
    aired = [event for event in events if event.kind is EventKind.EPISODE_AIRED]
    assert [event.event_key for event in aired] == ["S02E05"]
    assert is_expired(aired[0], PREFS, NOW)


def test_postponed_episode_uses_the_current_air_date() -> None:
    previous = show(next_episode=ep(2, 5, day(1)), fetched=at(-1 / 24))
    current = show(next_episode=ep(2, 5, day(8)))
    assert detect_events(current, previous, PREFS, NOW, True, True) == []


def test_catch_up_looks_back_at_most_the_lookback_limit() -> None:
    limit = CATCH_UP_LOOKBACK_DAYS
    previous = film(primary=day(-limit - 10), fetched=UNKNOWN_FETCH_TIME)
    current = replace(previous, fetched_at=NOW)
    assert detect_events(current, previous, PREFS, NOW, True, True) == []
    inside = replace(current, release_date=day(-limit))
    assert (
        len(
            detect_events(
                inside, replace(previous, release_date=day(-limit)), PREFS, NOW, True, True
            )
        )
        == 1
    )


# --- listing hints -------------------------------------------------------------------------


def test_hint_names_the_next_episode_and_its_date() -> None:
    hint = next_notification_hint(show(next_episode=ep(2, 5, date(2026, 3, 12))), PREFS, NOW)
    assert hint == "S02E05 on 2026-03-12"


def test_hint_says_when_the_next_episode_has_no_date() -> None:
    hint = next_notification_hint(show(next_episode=ep(3, 1, None)), PREFS, NOW)
    assert hint == "S03E01, date not announced"


def test_hint_is_none_for_a_show_with_nothing_ahead() -> None:
    assert next_notification_hint(show(last_episode=ep(2, 4, day(-1))), PREFS, NOW) is None
    assert next_notification_hint(show(next_episode=ep(2, 5, day(-1))), PREFS, NOW) is None


def test_hint_names_the_regional_release() -> None:
    snapshot = replace(
        film(primary=day(-20)),
        release_dates={"DE": (RegionalRelease(ReleaseType.THEATRICAL, date(2026, 4, 2)),)},
    )
    assert next_notification_hint(snapshot, GuildPrefs(region="DE"), NOW) == (
        "release in DE on 2026-04-02"
    )
    assert next_notification_hint(snapshot, PREFS, NOW) is None


def test_hint_uses_the_primary_date_without_region_and_skips_canceled_films() -> None:
    assert next_notification_hint(film(primary=day(5)), PREFS, NOW) == "release on 2026-03-15"
    assert next_notification_hint(film(primary=day(5), status="Canceled"), PREFS, NOW) is None


# --- title removed -------------------------------------------------------------------------


def test_title_removed_event_is_due_today_and_tomorrow() -> None:
    ref = TitleRef(MediaType.TV, 2)
    event = title_removed_event(ref, "The Show", AUCKLAND, NOW, poster_path="/p.jpg")
    assert (event.kind, event.event_key, event.ref) == (EventKind.TITLE_REMOVED, "removed", ref)
    assert (event.due_from, event.due_until) == (date(2026, 3, 11), date(2026, 3, 12))
    assert event.headline == "The Show is no longer on TMDB"
    assert event.poster_path == "/p.jpg"


# --- guild prefs ---------------------------------------------------------------------------


def test_prefs_normalise_region_and_keep_defaults() -> None:
    prefs = GuildPrefs(region=" de ")
    assert prefs.region == "DE"
    assert (prefs.timezone, prefs.release_notify_days) == ("UTC", 3)
    assert (prefs.episode_notify_days, prefs.upcoming_notify_days) == (2, 7)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"region": "USA"},
        {"region": "Ü1"},
        {"timezone": "Mars/Olympus"},
        {"timezone": ""},
        {"episode_notify_days": -1},
    ],
)
def test_prefs_refuse_unusable_values(kwargs: dict[str, object]) -> None:
    with pytest.raises(InvalidInputError):
        GuildPrefs(**kwargs)  # type: ignore[arg-type]


def test_prefs_for_guild_replace_only_the_unusable_stored_value(
    caplog: pytest.LogCaptureFixture,
) -> None:
    prefs = GuildPrefs.for_guild(Guild(id=9, region="de", timezone="Nowhere/Town"))
    assert (prefs.region, prefs.timezone) == ("DE", "UTC")
    assert "guild 9" in caplog.text
    prefs = GuildPrefs.for_guild(Guild(id=9, region="??", timezone="Europe/Berlin"))
    assert (prefs.region, prefs.timezone) == ("US", "Europe/Berlin")


def test_hint_waits_for_a_check_in_a_region_the_snapshot_does_not_track() -> None:
    # Kept for a US follower: its primary date says nothing of the release in DE.
    snapshot = replace(film(primary=day(5)), regions=frozenset({"US"}))
    assert next_notification_hint(snapshot, GuildPrefs(region="de"), NOW) == (
        "dates in DE after the next update check"
    )
    assert next_notification_hint(snapshot, GuildPrefs(region="US"), NOW) == (
        "release on 2026-03-15"
    )
    episodes = replace(show(next_episode=ep(2, 5, date(2026, 3, 12))), regions=frozenset({"US"}))
    assert next_notification_hint(episodes, GuildPrefs(region="DE"), NOW) == (
        next_notification_hint(episodes, GuildPrefs(region="US"), NOW)
    )
