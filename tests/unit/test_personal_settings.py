"""Members' quiet hours and digests in their own time zone, across daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from filmbot.domain.errors import InvalidInputError
from filmbot.domain.models import MediaType, TitleRef
from filmbot.domain.personal import (
    DigestMode,
    NotifySettings,
    notify_me_custom_id,
    notify_me_label,
    parse_clock,
    parse_digest,
)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


BERLIN_NIGHTS = NotifySettings("Europe/Berlin", time(23, 0), time(8, 0))
LA_NIGHTS = NotifySettings("America/Los_Angeles", time(22, 0), time(7, 0))


def test_berlin_quiet_night_across_the_october_switch_is_ten_hours_in_utc() -> None:
    # 2026-10-25 03:00 CEST becomes 02:00 CET: 23:00 CEST is 21:00 UTC, 08:00 CET is 07:00 UTC.
    assert not BERLIN_NIGHTS.is_quiet(utc(2026, 10, 24, 20, 59))
    assert BERLIN_NIGHTS.quiet_until(utc(2026, 10, 24, 21, 0)) == utc(2026, 10, 25, 7, 0)
    assert BERLIN_NIGHTS.quiet_until(utc(2026, 10, 25, 6, 30)) == utc(2026, 10, 25, 7, 0)
    assert not BERLIN_NIGHTS.is_quiet(utc(2026, 10, 25, 7, 0))
    # The next night is plain CET: 22:00 to 07:00 UTC.
    assert BERLIN_NIGHTS.quiet_until(utc(2026, 10, 25, 22, 0)) == utc(2026, 10, 26, 7, 0)
    assert not BERLIN_NIGHTS.is_quiet(utc(2026, 10, 25, 21, 59))


def test_berlin_daily_digest_follows_the_local_clock_across_october() -> None:
    digest = NotifySettings("Europe/Berlin", digest=DigestMode.DAILY)
    assert digest.digest_due(utc(2026, 10, 24, 6, 59), user_id=0) is None
    assert digest.digest_due(utc(2026, 10, 24, 7, 0), user_id=0) == date(2026, 10, 24)
    # After the switch 09:00 local is 08:00 UTC.
    assert digest.digest_due(utc(2026, 10, 25, 7, 30), user_id=0) is None
    assert digest.digest_due(utc(2026, 10, 25, 8, 0), user_id=0) == date(2026, 10, 25)
    # Digests are spread over the hour by member id.
    assert digest.digest_due(utc(2026, 10, 25, 8, 0), user_id=17) is None
    assert digest.digest_due(utc(2026, 10, 25, 8, 17), user_id=17) == date(2026, 10, 25)


def test_los_angeles_quiet_night_across_the_march_switch_is_eight_hours_in_utc() -> None:
    # 2026-03-08 02:00 PST becomes 03:00 PDT: 22:00 PST is 06:00 UTC, 07:00 PDT is 14:00 UTC.
    assert LA_NIGHTS.quiet_until(utc(2026, 3, 8, 6, 0)) == utc(2026, 3, 8, 14, 0)
    assert LA_NIGHTS.is_quiet(utc(2026, 3, 8, 13, 59))
    assert not LA_NIGHTS.is_quiet(utc(2026, 3, 8, 14, 0))
    # The night before the switch ends at 07:00 PST, 15:00 UTC.
    assert LA_NIGHTS.quiet_until(utc(2026, 3, 7, 14, 30)) == utc(2026, 3, 7, 15, 0)


def test_a_quiet_end_in_the_skipped_hour_lands_the_hour_later() -> None:
    # 02:30 does not exist on 2026-03-08 in Los Angeles; it is read as 03:30 PDT.
    skipped = NotifySettings("America/Los_Angeles", time(1, 30), time(2, 30))
    assert skipped.quiet_until(utc(2026, 3, 8, 9, 30)) == utc(2026, 3, 8, 10, 30)
    assert skipped.is_quiet(utc(2026, 3, 8, 10, 15))
    assert not skipped.is_quiet(utc(2026, 3, 8, 10, 30))


def test_los_angeles_digest_at_the_end_of_quiet_hours_across_march() -> None:
    digest = NotifySettings("America/Los_Angeles", time(22, 0), time(7, 0), DigestMode.DAILY)
    assert digest.digest_time == time(7, 0)
    assert digest.digest_due(utc(2026, 3, 7, 15, 0), user_id=0) == date(2026, 3, 7)
    assert digest.digest_due(utc(2026, 3, 8, 13, 59), user_id=0) is None
    assert digest.digest_due(utc(2026, 3, 8, 14, 0), user_id=0) == date(2026, 3, 8)
    assert digest.next_delivery(utc(2026, 3, 8, 13, 0), user_id=0) == utc(2026, 3, 8, 14, 0)


def test_quiet_hours_within_one_day_and_none_at_all() -> None:
    lunch = NotifySettings("UTC", time(12, 0), time(13, 0))
    assert lunch.is_quiet(utc(2026, 1, 1, 12, 30))
    assert not lunch.is_quiet(utc(2026, 1, 1, 13, 0))
    assert not NotifySettings().is_quiet(utc(2026, 1, 1, 3, 0))
    assert not NotifySettings("UTC", time(8, 0), time(8, 0)).has_quiet_hours
    assert NotifySettings().next_delivery(utc(2026, 1, 1, 3, 0), 5) == utc(2026, 1, 1, 3, 0)


@pytest.mark.parametrize("text", ["24:00", "7:5", "ab", "12:60", "", "8pm", "12:00:00"])
def test_invalid_times_are_refused(text: str) -> None:
    with pytest.raises(InvalidInputError, match="HH:MM"):
        parse_clock(text)


def test_times_digests_and_zones_parse() -> None:
    assert parse_clock(" 07:30 ") == time(7, 30)
    assert parse_clock("7:30") == time(7, 30)
    assert parse_digest("Daily") is DigestMode.DAILY
    with pytest.raises(InvalidInputError, match="off"):
        parse_digest("weekly")
    with pytest.raises(InvalidInputError, match="IANA"):
        NotifySettings("Mars/Olympus")
    assert NotifySettings("europe/berlin").timezone == "Europe/Berlin"


def test_the_button_names_the_title() -> None:
    ref = TitleRef(MediaType.TV, 1396)
    assert notify_me_custom_id(ref) == "filmbot:notify-me:tv:1396"
    assert notify_me_label("Breaking Bad", named=False) == "🔔 Notify me too"
    assert notify_me_label("B" * 100, named=True).endswith("…")
    assert len(notify_me_label("B" * 100, named=True)) == 80
