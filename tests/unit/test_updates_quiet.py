"""Which stored titles a cycle may leave unjudged, and that no due event is ever skipped."""

from __future__ import annotations

import itertools
from datetime import timedelta

from filmbot.domain.updates import GuildPrefs, detect_events
from filmbot.services.updates.quiet import QuietTitles, opening_days
from tests.update_builders import (
    AUCKLAND,
    FILM_REF,
    LOS_ANGELES,
    NOW,
    SHOW_REF,
    UTC_GUILD,
    at,
    day,
    episode,
    film,
    show,
)

UPCOMING_DAYS = 7
ZONES = (UTC_GUILD, AUCKLAND, LOS_ANGELES, GuildPrefs(region="GB", timezone="Pacific/Kiritimati"))
SNAPSHOTS = (
    film(primary=day(20), releases={"US": [(3, day(20))], "GB": [(4, day(2))]}),
    film(primary=day(-2), releases={"NZ": [(2, day(1))]}),
    film(status="Planned", primary=day(9)),
    show(next_episode=episode(2, 4, day(6)), last_episode=episode(2, 3, day(-1))),
    show(next_episode=episode(3, 1, day(30)), last_episode=episode(2, 10, day(-40))),
)


def test_every_event_a_stored_snapshot_yields_opens_on_one_of_its_opening_days() -> None:
    for snapshot, prefs, offset in itertools.product(SNAPSHOTS, ZONES, range(-5, 40)):
        opens = opening_days(snapshot, UPCOMING_DAYS)
        now = at(offset / 2)
        for event in detect_events(snapshot, snapshot, prefs, now, True, True):
            assert event.due_from in opens, (snapshot.ref, prefs, offset, event)


def test_a_title_whose_next_event_is_far_away_needs_no_judging_until_its_day_comes() -> None:
    quiet = QuietTitles()
    opens = opening_days(
        show(next_episode=episode(3, 1, day(30)), last_episode=episode(2, 10, day(-40))), 7
    )
    assert quiet.needs_judging(SHOW_REF, opens, NOW)
    quiet.judged([SHOW_REF], NOW)
    assert not quiet.needs_judging(SHOW_REF, opens, NOW + timedelta(hours=6))
    assert not quiet.needs_judging(SHOW_REF, opens, at(27))
    assert quiet.needs_judging(SHOW_REF, opens, at(28))


def test_forgotten_titles_and_a_cleared_memory_are_judged_again() -> None:
    quiet = QuietTitles()
    opens = opening_days(film(primary=day(90)), 7)
    quiet.judged([FILM_REF, SHOW_REF], NOW)
    assert not quiet.needs_judging(FILM_REF, opens, at(1))
    quiet.forget([FILM_REF])
    assert quiet.needs_judging(FILM_REF, opens, at(1))
    quiet.clear()
    assert quiet.needs_judging(SHOW_REF, (), at(1))


def test_a_title_without_dates_is_never_judged_again_from_its_stored_snapshot() -> None:
    quiet = QuietTitles()
    opens = opening_days(show(next_episode=None, last_episode=None), 7)
    quiet.judged([SHOW_REF], NOW)
    assert opens == ()
    assert not quiet.needs_judging(SHOW_REF, opens, at(365))
