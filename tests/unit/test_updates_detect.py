"""detect_events: which events each rule yields, per region, time zone and flag."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from filmbot.domain.models import MediaType, TitleRef
from filmbot.domain.updates import (
    EpisodeInfo,
    EventKind,
    GuildPrefs,
    RegionalRelease,
    ReleaseType,
    TitleSnapshot,
    UpdateEvent,
    detect_events,
)

# 2026-03-10T11:30Z is already 2026-03-11 00:30 in Auckland but still 2026-03-10 04:30 in LA.
NOW = datetime(2026, 3, 10, 11, 30, tzinfo=UTC)
TODAY = date(2026, 3, 10)
UTC_GUILD = GuildPrefs(region="US")
AUCKLAND = GuildPrefs(region="NZ", timezone="Pacific/Auckland")
LOS_ANGELES = GuildPrefs(region="US", timezone="America/Los_Angeles")


def day(offset: int) -> date:
    return TODAY + timedelta(days=offset)


def at(offset_days: int) -> datetime:
    return NOW + timedelta(days=offset_days)


def film(
    status: str = "Released",
    primary: date | None = None,
    releases: dict[str, list[tuple[int, date]]] | None = None,
) -> TitleSnapshot:
    return TitleSnapshot(
        ref=TitleRef(MediaType.MOVIE, 100),
        title="The Film",
        fetched_at=NOW,
        poster_path="/film.jpg",
        status=status,
        release_date=primary,
        release_dates={
            country: tuple(RegionalRelease(ReleaseType(kind), when) for kind, when in items)
            for country, items in (releases or {}).items()
        },
    )


def show(
    status: str = "Returning Series",
    seasons: int | None = 2,
    next_episode: EpisodeInfo | None = None,
    last_episode: EpisodeInfo | None = None,
) -> TitleSnapshot:
    return TitleSnapshot(
        ref=TitleRef(MediaType.TV, 200),
        title="The Show",
        fetched_at=NOW,
        poster_path="/show.jpg",
        status=status,
        number_of_seasons=seasons,
        next_episode_to_air=next_episode,
        last_episode_to_air=last_episode,
    )


def episode(season: int, number: int, airs: date | None, name: str = "Ep") -> EpisodeInfo:
    return EpisodeInfo(season, number, airs, name, "Something happens.")


def detect(
    snapshot: TitleSnapshot,
    previous: TitleSnapshot | None = None,
    prefs: GuildPrefs = UTC_GUILD,
    now: datetime = NOW,
    notify_release: bool = True,
    notify_update: bool = True,
) -> list[UpdateEvent]:
    return detect_events(snapshot, previous, prefs, now, notify_release, notify_update)


def keys(events: list[UpdateEvent]) -> list[tuple[EventKind, str]]:
    return [(event.kind, event.event_key) for event in events]


# --- release -------------------------------------------------------------------------------


def test_release_is_due_on_the_regional_theatrical_date() -> None:
    events = detect(film(releases={"US": [(ReleaseType.THEATRICAL, TODAY)]}))
    assert keys(events) == [(EventKind.RELEASE, "release:US:2026-03-10")]
    event = events[0]
    assert event.headline == "The Film is out in US"
    assert event.detail == "Theatrical release in US on 2026-03-10."
    assert (event.event_date, event.due_from, event.due_until) == (TODAY, TODAY, day(3))
    assert event.poster_path == "/film.jpg"
    assert event.ref == TitleRef(MediaType.MOVIE, 100)


@pytest.mark.parametrize(("released", "due"), [(-3, True), (-4, False), (1, False)])
def test_release_is_due_only_within_release_notify_days(released: int, due: bool) -> None:
    events = detect(film(releases={"US": [(ReleaseType.THEATRICAL, day(released))]}))
    assert bool(events and events[0].kind is EventKind.RELEASE) is due


def test_release_window_follows_the_guild_setting() -> None:
    snapshot = film(releases={"US": [(ReleaseType.THEATRICAL, day(-5))]})
    assert detect(snapshot) == []
    assert keys(detect(snapshot, prefs=GuildPrefs(release_notify_days=5))) == [
        (EventKind.RELEASE, "release:US:2026-03-05")
    ]


def test_film_out_in_us_but_not_yet_in_de_gives_only_the_us_guild_a_release() -> None:
    snapshot = film(
        primary=day(-1),
        releases={
            "US": [(ReleaseType.THEATRICAL, day(-1))],
            "DE": [(ReleaseType.THEATRICAL, day(20))],
        },
    )
    assert keys(detect(snapshot, prefs=GuildPrefs(region="US"))) == [
        (EventKind.RELEASE, "release:US:2026-03-09")
    ]
    assert detect(snapshot, prefs=GuildPrefs(region="DE")) == []


def test_theatrical_date_wins_over_an_earlier_digital_date() -> None:
    snapshot = film(
        releases={"US": [(ReleaseType.DIGITAL, day(-2)), (ReleaseType.THEATRICAL, day(10))]}
    )
    assert detect(snapshot) == []
    assert keys(detect(snapshot, now=at(10))) == [(EventKind.RELEASE, "release:US:2026-03-20")]


def test_limited_theatrical_release_counts_as_theatrical() -> None:
    snapshot = film(
        releases={
            "US": [(ReleaseType.THEATRICAL, day(5)), (ReleaseType.THEATRICAL_LIMITED, day(-1))]
        }
    )
    events = detect(snapshot)
    assert keys(events) == [(EventKind.RELEASE, "release:US:2026-03-09")]
    assert events[0].detail == "Limited theatrical release in US on 2026-03-09."


def test_digital_date_used_when_region_has_no_theatrical_release() -> None:
    snapshot = film(
        primary=day(-30),
        releases={"US": [(ReleaseType.PHYSICAL, day(-2)), (ReleaseType.DIGITAL, day(-1))]},
    )
    events = detect(snapshot)
    assert keys(events) == [(EventKind.RELEASE, "release:US:2026-03-09")]
    assert events[0].detail == "Digital release in US on 2026-03-09."


def test_primary_release_date_used_when_region_is_absent() -> None:
    snapshot = film(primary=day(-1), releases={"US": [(ReleaseType.THEATRICAL, day(-40))]})
    events = detect(snapshot, prefs=GuildPrefs(region="FR"))
    assert keys(events) == [(EventKind.RELEASE, "release:FR:2026-03-09")]
    assert events[0].headline == "The Film is out"
    assert events[0].detail == "Released on 2026-03-09."


def test_region_with_only_a_premiere_falls_back_to_the_primary_date() -> None:
    snapshot = film(primary=day(-1), releases={"US": [(ReleaseType.PREMIERE, day(-60))]})
    assert keys(detect(snapshot)) == [(EventKind.RELEASE, "release:US:2026-03-09")]


def test_release_is_decided_by_the_date_even_when_tmdb_status_lags() -> None:
    snapshot = film(status="Post Production", releases={"US": [(ReleaseType.THEATRICAL, TODAY)]})
    assert keys(detect(snapshot)) == [(EventKind.RELEASE, "release:US:2026-03-10")]


def test_canceled_film_gets_neither_release_nor_upcoming() -> None:
    assert detect(film(status="Canceled", primary=TODAY)) == []
    assert detect(film(status="Canceled", primary=day(3))) == []


def test_film_without_any_date_gets_no_events() -> None:
    assert detect(film(status="Planned")) == []


def test_tv_show_never_gets_release_or_upcoming() -> None:
    snapshot = replace(show(status="In Production"), release_date=day(3))
    assert detect(snapshot) == []


# --- upcoming ------------------------------------------------------------------------------


@pytest.mark.parametrize(("days_ahead", "due"), [(7, True), (1, True), (8, False), (0, False)])
def test_upcoming_is_due_one_to_seven_days_before_release(days_ahead: int, due: bool) -> None:
    snapshot = film(status="Post Production", releases={"US": [(3, day(days_ahead))]})
    kinds = [event.kind for event in detect(snapshot)]
    assert (EventKind.UPCOMING in kinds) is due


def test_upcoming_event_keeps_the_date_in_key_and_closes_the_day_before() -> None:
    events = detect(film(status="In Production", primary=day(4)))
    assert keys(events) == [(EventKind.UPCOMING, "upcoming:2026-03-14")]
    event = events[0]
    assert event.headline == "The Film comes out on 2026-03-14"
    assert (event.event_date, event.due_from, event.due_until) == (day(4), day(-3), day(3))


@pytest.mark.parametrize("status", ["Planned", "In Production", "Post Production"])
def test_upcoming_accepts_every_pre_release_status(status: str) -> None:
    assert keys(detect(film(status=status, primary=day(2)))) == [
        (EventKind.UPCOMING, "upcoming:2026-03-12")
    ]


@pytest.mark.parametrize("status", ["Rumored", "Canceled", ""])
def test_upcoming_needs_a_pre_release_status(status: str) -> None:
    assert detect(film(status=status, primary=day(2))) == []


def test_upcoming_in_region_for_film_already_released_elsewhere() -> None:
    snapshot = film(
        status="Released",
        primary=day(-10),
        releases={"US": [(3, day(-10))], "DE": [(3, day(6))]},
    )
    events = detect(snapshot, prefs=GuildPrefs(region="DE"))
    assert keys(events) == [(EventKind.UPCOMING, "upcoming:2026-03-16")]
    assert events[0].headline == "The Film comes out in DE on 2026-03-16"


def test_moved_release_date_gives_a_new_upcoming_key() -> None:
    before = film(status="Post Production", primary=day(5))
    after = replace(before, release_date=day(6))
    first, second = detect(before), detect(after, previous=before)
    assert keys(first) == [(EventKind.UPCOMING, "upcoming:2026-03-15")]
    assert keys(second) == [(EventKind.UPCOMING, "upcoming:2026-03-16")]


# --- new_episode ---------------------------------------------------------------------------


def test_new_episode_is_due_when_the_next_episode_airs_tomorrow() -> None:
    events = detect(show(next_episode=episode(2, 5, day(1), "Reunion")))
    assert keys(events) == [(EventKind.NEW_EPISODE, "S02E05")]
    event = events[0]
    assert event.headline == "The Show S02E05 airs tomorrow"
    assert event.detail == "Reunion\nSomething happens."
    assert (event.event_date, event.due_from, event.due_until) == (day(1), TODAY, day(1))


def test_new_episode_is_not_due_two_days_ahead() -> None:
    assert detect(show(next_episode=episode(2, 5, day(2)))) == []


def test_new_episode_stays_due_on_its_air_day_for_catch_up() -> None:
    events = detect(show(next_episode=episode(2, 5, TODAY)))
    assert keys(events) == [(EventKind.NEW_EPISODE, "S02E05")]
    assert events[0].headline == "The Show S02E05 airs today"


def test_next_episode_without_air_date_gives_no_new_episode() -> None:
    assert detect(show(next_episode=episode(2, 5, None))) == []


def test_season_finale_is_marked_in_the_headline() -> None:
    finale = replace(episode(2, 10, day(1)), episode_type="finale")
    assert detect(show(next_episode=finale))[0].headline == (
        "The Show S02E10 (season finale) airs tomorrow"
    )


def test_auckland_and_los_angeles_disagree_on_tomorrow_at_the_same_instant() -> None:
    snapshot = show(next_episode=episode(2, 5, date(2026, 3, 12)))
    assert keys(detect(snapshot, prefs=AUCKLAND)) == [(EventKind.NEW_EPISODE, "S02E05")]
    assert detect(snapshot, prefs=LOS_ANGELES) == []


def test_episode_airing_mar_11_is_tomorrow_in_los_angeles_but_today_in_auckland() -> None:
    snapshot = show(next_episode=episode(2, 5, date(2026, 3, 11)))
    assert detect(snapshot, prefs=LOS_ANGELES)[0].headline == "The Show S02E05 airs tomorrow"
    assert detect(snapshot, prefs=AUCKLAND)[0].headline == "The Show S02E05 airs today"


# --- episode_aired -------------------------------------------------------------------------


@pytest.mark.parametrize(("aired", "due"), [(0, True), (-2, True), (-3, False), (1, False)])
def test_episode_aired_is_due_within_episode_notify_days(aired: int, due: bool) -> None:
    events = detect(show(last_episode=episode(2, 4, day(aired))))
    assert bool(events) is due
    if due:
        assert keys(events) == [(EventKind.EPISODE_AIRED, "S02E04")]
        assert events[0].headline == "The Show S02E04 is out"
        assert events[0].due_until == day(aired + 2)


def test_episode_aired_window_follows_the_guild_setting() -> None:
    snapshot = show(last_episode=episode(2, 4, day(-5)))
    assert detect(snapshot) == []
    assert keys(detect(snapshot, prefs=GuildPrefs(episode_notify_days=5))) == [
        (EventKind.EPISODE_AIRED, "S02E04")
    ]


def test_auckland_and_los_angeles_disagree_on_within_two_days_at_the_same_instant() -> None:
    snapshot = show(last_episode=episode(2, 4, date(2026, 3, 8)))
    assert keys(detect(snapshot, prefs=LOS_ANGELES)) == [(EventKind.EPISODE_AIRED, "S02E04")]
    assert detect(snapshot, prefs=AUCKLAND) == []


def test_last_episode_without_air_date_gives_no_episode_aired() -> None:
    assert detect(show(last_episode=episode(2, 4, None))) == []


def test_aired_and_next_episode_both_reported() -> None:
    snapshot = show(last_episode=episode(2, 4, day(-1)), next_episode=episode(2, 5, day(1)))
    assert keys(detect(snapshot)) == [
        (EventKind.NEW_EPISODE, "S02E05"),
        (EventKind.EPISODE_AIRED, "S02E04"),
    ]


# --- status_change -------------------------------------------------------------------------


def test_returning_series_that_ends_gives_a_status_change() -> None:
    before = show(status="Returning Series")
    events = detect(replace(before, status="Ended"), previous=before)
    assert keys(events) == [(EventKind.STATUS_CHANGE, "status:Returning Series->Ended")]
    assert events[0].headline == "The Show has ended"
    assert events[0].detail == "TMDB status changed from Returning Series to Ended."
    assert (events[0].due_from, events[0].due_until) == (TODAY, day(1))


def test_canceled_series_gives_a_status_change() -> None:
    before = show(status="Returning Series")
    events = detect(replace(before, status="Canceled"), previous=before)
    assert keys(events) == [(EventKind.STATUS_CHANGE, "status:Returning Series->Canceled")]
    assert events[0].headline == "The Show was canceled"


def test_film_moving_from_in_production_to_released_gives_a_status_change() -> None:
    before = film(status="In Production", primary=day(30))
    events = detect(replace(before, status="Released"), previous=before, notify_release=False)
    assert keys(events) == [(EventKind.STATUS_CHANGE, "status:In Production->Released")]


def test_no_status_change_without_a_previous_snapshot() -> None:
    assert detect(show(status="Ended", seasons=5, next_episode=episode(5, 1, day(30)))) == []


def test_unchanged_snapshot_gives_no_status_change() -> None:
    snapshot = show(status="Ended", seasons=3)
    assert detect(snapshot, previous=snapshot) == []


def test_status_missing_on_either_side_is_not_a_change() -> None:
    known = show(status="Ended")
    unknown = show(status="")
    assert detect(known, previous=unknown) == []
    assert detect(unknown, previous=known) == []


def test_growing_number_of_seasons_announces_the_new_season() -> None:
    before = show(seasons=2)
    events = detect(replace(before, number_of_seasons=3), previous=before)
    assert keys(events) == [(EventKind.STATUS_CHANGE, "season:3")]
    assert events[0].headline == "The Show: season 3 announced"


def test_premiere_of_a_later_season_as_next_episode_announces_that_season() -> None:
    before = show(seasons=2, last_episode=episode(2, 10, day(-90)))
    after = replace(before, next_episode_to_air=episode(3, 1, day(40)))
    events = detect(after, previous=before)
    assert keys(events) == [(EventKind.STATUS_CHANGE, "season:3")]
    assert events[0].detail == "S03E01 airs on 2026-04-19."


def test_season_count_and_premiere_together_give_one_season_event() -> None:
    before = show(seasons=2, last_episode=episode(2, 10, day(-90)))
    after = replace(before, number_of_seasons=3, next_episode_to_air=episode(3, 1, day(40)))
    assert keys(detect(after, previous=before)) == [(EventKind.STATUS_CHANGE, "season:3")]


def test_premiere_already_in_previous_snapshot_is_not_announced_again() -> None:
    before = show(
        seasons=3, last_episode=episode(2, 10, day(-90)), next_episode=episode(3, 1, day(40))
    )
    after = replace(before, next_episode_to_air=episode(3, 1, day(41)))
    assert detect(after, previous=before) == []


def test_next_episode_inside_the_current_season_is_not_a_new_season() -> None:
    before = show(seasons=2, last_episode=episode(2, 4, day(-7)))
    after = replace(before, next_episode_to_air=episode(2, 5, day(7)))
    assert detect(after, previous=before) == []


def test_status_change_and_new_season_can_come_together() -> None:
    before = show(status="Ended", seasons=2)
    after = replace(before, status="Returning Series", number_of_seasons=3)
    assert keys(detect(after, previous=before)) == [
        (EventKind.STATUS_CHANGE, "status:Ended->Returning Series"),
        (EventKind.STATUS_CHANGE, "season:3"),
    ]


def test_snapshots_of_different_titles_are_refused() -> None:
    with pytest.raises(ValueError, match="previous snapshot"):
        detect(show(), previous=film())


# --- flags ---------------------------------------------------------------------------------


def test_notify_release_off_suppresses_release_and_upcoming_only() -> None:
    before = film(status="Post Production", releases={"US": [(3, TODAY)]})
    after = replace(before, status="Released")
    assert {e.kind for e in detect(after, previous=before)} == {
        EventKind.RELEASE,
        EventKind.STATUS_CHANGE,
    }
    assert keys(detect(after, previous=before, notify_release=False)) == [
        (EventKind.STATUS_CHANGE, "status:Post Production->Released")
    ]
    assert detect(film(status="Planned", primary=day(3)), notify_release=False) == []


def test_notify_update_off_suppresses_episode_and_status_events() -> None:
    before = show(status="Returning Series", last_episode=episode(2, 4, TODAY))
    after = replace(before, status="Ended", next_episode_to_air=episode(2, 5, day(1)))
    assert len(detect(after, previous=before)) == 3
    assert detect(after, previous=before, notify_update=False) == []


def test_notify_update_off_keeps_film_release() -> None:
    before = film(status="Post Production", releases={"US": [(3, TODAY)]})
    after = replace(before, status="Released")
    assert keys(detect(after, previous=before, notify_update=False)) == [
        (EventKind.RELEASE, "release:US:2026-03-10")
    ]


def test_long_overview_is_clipped_at_a_word_boundary() -> None:
    long_episode = EpisodeInfo(2, 5, day(1), "Long", "word " * 200)
    detail = detect(show(next_episode=long_episode))[0].detail
    name, overview = detail.split("\n")
    assert name == "Long"
    assert overview.endswith("word…")
    assert len(overview) <= 300


def test_mid_season_finale_is_marked_in_the_headline() -> None:
    break_episode = replace(episode(2, 8, day(1)), episode_type="mid_season")
    assert detect(show(next_episode=break_episode))[0].headline == (
        "The Show S02E08 (mid-season finale) airs tomorrow"
    )
