"""Validation of the settings /config and /setup change."""

from __future__ import annotations

import pytest

from filmbot.domain.errors import InvalidInputError
from filmbot.domain.guild_settings import (
    Setting,
    parse_language,
    parse_region,
    parse_subscribe_permission,
    parse_switch,
    parse_timezone,
    suggest_timezones,
)
from filmbot.domain.models import SubscribePermission


def test_setting_names_are_the_public_config_choices() -> None:
    assert [s.value for s in Setting] == [
        "notification_channel",
        "notification_role",
        "auto_update",
        "language",
        "region",
        "timezone",
        "subscribe_permission",
        "movie_channel",
        "tv_channel",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("en-US", "en-US"), ("de_de", "de-DE"), (" FR ", "fr"), ("pt-BR", "pt-BR")],
)
def test_language_tags_are_normalised(text: str, expected: str) -> None:
    assert parse_language(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("xx-YY", "not an ISO"),
        ("xx", "`xx` is not an ISO 639-1"),
        ("en-ZZ", "`ZZ` is not an ISO country code"),
        ("english", "looks like"),
        ("", "looks like"),
        ("en-USA", "looks like"),
    ],
)
def test_unknown_languages_are_refused(text: str, reason: str) -> None:
    with pytest.raises(InvalidInputError, match=reason):
        parse_language(text)


def test_regions_are_upper_cased_iso_codes() -> None:
    assert parse_region(" nz ") == "NZ"
    for bad in ("ZZ", "USA", "", "1"):
        with pytest.raises(InvalidInputError):
            parse_region(bad)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Europe/Berlin", "Europe/Berlin"),
        ("america/los angeles", "America/Los_Angeles"),
        (" UTC ", "UTC"),
    ],
)
def test_timezones_are_matched_case_insensitively(text: str, expected: str) -> None:
    assert parse_timezone(text) == expected


@pytest.mark.parametrize("text", ["Mars/Olympus", "", "Berlin", "../../etc/passwd"])
def test_unknown_timezones_are_refused(text: str) -> None:
    with pytest.raises(InvalidInputError, match="IANA"):
        parse_timezone(text)


@pytest.mark.parametrize(("text", "expected"), [("on", True), ("Yes", True), ("off", False)])
def test_switches_read_on_and_off(text: str, expected: bool) -> None:
    assert parse_switch(text) is expected


def test_a_switch_refuses_anything_else() -> None:
    with pytest.raises(InvalidInputError, match="`on` or `off`"):
        parse_switch("maybe")


def test_subscribe_permission_accepts_both_spellings() -> None:
    assert parse_subscribe_permission("Manage Server") is SubscribePermission.MANAGE_SERVER
    assert parse_subscribe_permission("manage-server") is SubscribePermission.MANAGE_SERVER
    assert parse_subscribe_permission("everyone") is SubscribePermission.EVERYONE
    with pytest.raises(InvalidInputError):
        parse_subscribe_permission("admins")


def test_timezone_suggestions_contain_the_text_and_stop_at_25() -> None:
    assert suggest_timezones("berl") == ["Europe/Berlin"]
    many = suggest_timezones("america")
    assert len(many) == 25 and all("america" in name.casefold() for name in many)
