"""The dashboard's pure rules: chart bucketing, who may see what, and its settings."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from filmbot.config import SettingsError, load_settings
from filmbot.domain.charts import calendar, heatmap, score_bars, weekly_trend
from filmbot.domain.models import MediaType, TitleRef
from filmbot.domain.updates.snapshot import (
    EpisodeInfo,
    RegionalRelease,
    ReleaseType,
    TitleSnapshot,
)
from filmbot.web.permissions import (
    ADMINISTRATOR,
    MANAGE_GUILD,
    Access,
    AccessDenied,
    MemberGuild,
    Viewer,
    require,
)

WEB = {
    "web_base_url": "https://films.example.org/",
    "discord_client_id": "123",
    "discord_client_secret": "secret",
    "web_session_secret": "s" * 32,
}


def test_heatmap_moves_utc_hours_into_the_servers_timezone_across_dst() -> None:
    hours = [
        (datetime(2026, 1, 5, 23, tzinfo=UTC), 2),  # Tue 00:00 in Berlin (UTC+1)
        (datetime(2026, 7, 6, 22, tzinfo=UTC), 3),  # Tue 00:00 in Berlin (UTC+2)
        (datetime(2026, 7, 6, 21, tzinfo=UTC), 1),  # Mon 23:00
    ]
    grid = heatmap(hours, "Europe/Berlin")
    assert grid.cells[1][0] == 5
    assert grid.cells[0][23] == 1
    assert (grid.total, grid.peak) == (6, 5)


def test_weekly_trend_runs_totals_through_empty_weeks_until_today() -> None:
    days = [(datetime(2026, 3, 4, tzinfo=UTC), 2), (datetime(2026, 3, 18, tzinfo=UTC), 1)]
    points = weekly_trend(days, "UTC", today=date(2026, 3, 27))
    assert [(p.week.isoformat(), p.added, p.total) for p in points] == [
        ("2026-03-02", 2, 2),
        ("2026-03-09", 0, 2),
        ("2026-03-16", 1, 3),
        ("2026-03-23", 0, 3),
    ]
    assert weekly_trend([], "UTC", today=date(2026, 3, 27)) == []
    assert len(weekly_trend(days, "UTC", today=date(2028, 1, 1), limit=52)) == 52


def test_score_bars_cover_one_to_ten() -> None:
    bars = score_bars({8: 3, 10: 1}, {8: 1})
    assert [(b.score, b.count, b.mine) for b in bars if b.count] == [(8, 3, 1), (10, 1, 0)]
    assert len(bars) == 10


def test_access_needs_both_the_member_and_the_bot_in_the_server() -> None:
    viewer = Viewer(
        1,
        "mo",
        {
            10: MemberGuild(10, "a", 0),
            11: MemberGuild(11, "b", MANAGE_GUILD),
            12: MemberGuild(12, "c", ADMINISTRATOR),
            13: MemberGuild(13, "d", 0, owner=True),
            14: MemberGuild(14, "no bot", MANAGE_GUILD),
        },
        frozenset({10, 11, 12, 13, 99}),
    )
    assert [viewer.access(g) for g in (10, 11, 12, 13, 14, 99)] == [
        Access.MEMBER,
        Access.ADMIN,
        Access.ADMIN,
        Access.ADMIN,
        Access.NONE,
        Access.NONE,
    ]
    assert sorted(viewer.visible()) == [10, 11, 12, 13]
    assert require(viewer, 11, Access.ADMIN) is viewer
    with pytest.raises(AccessDenied, match="Manage Server"):
        require(viewer, 10, Access.ADMIN)
    with pytest.raises(AccessDenied, match="Log in"):
        require(None, 10, Access.MEMBER)


def test_web_settings_name_what_is_missing() -> None:
    settings = load_settings(None, **WEB)
    settings.require_web_settings()
    assert settings.web_base_url == "https://films.example.org"
    assert (settings.web_host, settings.web_port) == ("127.0.0.1", 8080)
    assert settings.discord_oauth_authorize_url == "https://discord.com/oauth2/authorize"
    for name in WEB:
        partial = {k: v for k, v in WEB.items() if k != name}
        with pytest.raises(SettingsError, match=f"^{name.upper()}: required"):
            load_settings(None, **partial).require_web_settings()
    with pytest.raises(SettingsError, match="WEB_SESSION_SECRET: use at least 32"):
        load_settings(None, **{**WEB, "web_session_secret": "short"}).require_web_settings()
    with pytest.raises(SettingsError, match="WEB_BASE_URL"):
        load_settings(None, **{**WEB, "web_base_url": "films.example.org"})


def test_calendar_keeps_the_next_fourteen_days_in_order() -> None:
    today, now = date(2026, 3, 2), datetime(2026, 3, 2, tzinfo=UTC)

    def film(tmdb_id: int, days: int, region: str = "DE") -> TitleSnapshot:
        release = RegionalRelease(ReleaseType.DIGITAL, today + timedelta(days=days))
        return TitleSnapshot(
            TitleRef(MediaType.MOVIE, tmdb_id),
            f"Film {tmdb_id}",
            now,
            release_dates={region: (release,)},
        )

    def show(tmdb_id: int, days: int) -> TitleSnapshot:
        episode = EpisodeInfo(1, 2, today + timedelta(days=days), "Pilot")
        return TitleSnapshot(
            TitleRef(MediaType.TV, tmdb_id), f"Show {tmdb_id}", now, next_episode_to_air=episode
        )

    snapshots = [
        film(1, 13),
        film(2, 14),
        film(3, -1),
        film(4, 0, region="US"),
        show(5, 0),
        film(6, 2),
        # Not checked for DE yet: its primary date says nothing of DE.
        TitleSnapshot(
            TitleRef(MediaType.MOVIE, 7),
            "Film 7",
            now,
            release_date=today + timedelta(days=3),
            regions=frozenset({"US"}),
        ),
    ]
    entries = calendar(snapshots, "de", today)
    assert [(e.day.day, e.title, e.label) for e in entries] == [
        (2, "Show 5", "S01E02 Pilot"),
        (4, "Film 6", "digital release"),
        (15, "Film 1", "digital release"),
    ]
