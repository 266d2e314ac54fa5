"""Each page in headless Chromium, as a member and as an admin, with screenshots."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from filmbot.db.models import GuildRow
from tests.e2e.web import seed
from tests.e2e.web.conftest import Dashboard, log_in, screenshot

pytestmark = pytest.mark.browser


async def _cells(page: Any, table: str) -> list[list[str]]:
    rows = await page.locator(f"#{table} tbody tr").all()
    return [[c.strip() for c in await row.locator("th, td").all_text_contents()] for row in rows]


async def test_member_sees_only_servers_shared_with_the_bot(
    page: Any, dashboard: Dashboard
) -> None:
    await log_in(page, dashboard, "member")
    servers = page.locator(".servers li")
    await servers.first.wait_for()
    assert await servers.count() == 1
    text = await servers.inner_text()
    assert "Film Club" in text
    assert "3 subscriptions" in text
    body = await page.inner_text("body")
    assert "Other Club" not in body
    assert "No Bot Club" not in body
    await screenshot(page, "servers")


async def test_member_overview_lists_subscriptions_without_admin_parts(
    page: Any, dashboard: Dashboard
) -> None:
    await log_in(page, dashboard, "member")
    await page.get_by_role("link", name="Film Club").click()
    await page.get_by_role("heading", name="Subscriptions (3)").wait_for()
    rows = await page.locator("main table tbody tr").all_inner_texts()
    assert [r.split("\t")[0] for r in rows] == ["The Bear", "Severance", "Dune: Part Two"]
    calendar = await page.locator("#calendar li").all_inner_texts()
    tomorrow, in_three = seed.today() + timedelta(days=1), seed.today() + timedelta(days=3)
    assert calendar == [
        f"{tomorrow:%a %d %b} Severance S02E05 Trojan's Horse",
        f"{in_three:%a %d %b} Dune: Part Two theatrical release",
    ]
    assert await page.get_by_role("heading", name="Delivery health").count() == 0
    assert await page.get_by_role("link", name="Settings").count() == 0
    assert await page.get_attribute("html", "lang") == "de-DE"
    await screenshot(page, "overview-member")


async def test_charts_show_the_seeded_numbers_with_the_members_own_highlighted(
    page: Any, dashboard: Dashboard
) -> None:
    await log_in(page, dashboard, "member")
    await page.goto(f"{dashboard.base_url}/servers/{seed.FILM_CLUB}/charts")
    scores = {int(r[0]): (int(r[1]), int(r[2])) for r in await _cells(page, "scores-table")}
    assert {s: c for s, c in scores.items() if c != (0, 0)} == {3: (1, 0), 8: (3, 2), 9: (1, 1)}
    hover = await page.locator("#scores-chart rect.bar title").all_text_contents()
    assert "Score 8: 3 ratings (2 yours)" in hover
    assert await page.locator("#scores-chart rect.mine").count() == 2

    heat = {r[0]: [int(c) for c in r[1:]] for r in await _cells(page, "heat-table")}
    assert heat["Mon"][11] == 7  # three ratings, one review, three watched marks, Berlin time
    assert heat["Wed"][23] == 4
    assert sum(sum(row) for row in heat.values()) == 11
    assert "Mon 11:00: 7" in await page.locator("#heat-chart rect title").all_text_contents()

    trend = await _cells(page, "trend-table")
    assert trend[:3] == [
        ["2026-01-05", "2", "2"],
        ["2026-01-12", "0", "2"],
        ["2026-01-19", "1", "3"],
    ]

    genres = await _cells(page, "genres-table")
    assert [(name, int(count)) for name, count in genres] == seed.WATCHED_GENRES
    hover = await page.locator("#genres-chart rect title").all_text_contents()
    assert hover == [f"{name}: {count} watched" for name, count in seed.WATCHED_GENRES]
    labels = await page.locator("#genres-chart text.label[text-anchor=end]").all_text_contents()
    assert labels == [name for name, _ in seed.WATCHED_GENRES]
    await page.get_by_text("Table").first.click()
    await screenshot(page, "charts")


async def test_admin_sees_delivery_health_and_the_notification_log(
    page: Any, dashboard: Dashboard
) -> None:
    await log_in(page, dashboard, "admin")
    await page.goto(f"{dashboard.base_url}/servers/{seed.FILM_CLUB}")
    assert await page.inner_text("#pending") == "1"
    assert await page.inner_text("#delivered") == "2"
    assert await page.inner_text("#missed") == "1"
    assert seed.PROBLEM in await page.inner_text("main")
    await screenshot(page, "overview-admin")
    await page.get_by_role("link", name="Deliveries").click()
    rows = await _cells(page, "log")
    assert [r[3] for r in rows] == ["missed", "pending", "delivered", "delivered"]
    await screenshot(page, "deliveries")


async def test_admin_changes_a_setting_and_the_bots_database_changes(
    page: Any, dashboard: Dashboard
) -> None:
    await log_in(page, dashboard, "admin")
    await page.goto(f"{dashboard.base_url}/servers/{seed.FILM_CLUB}/settings")
    await page.get_by_label("Language").fill("xx-YY")
    await page.get_by_role("button", name="Save").click()
    assert "ISO 639-1" in await page.inner_text("#error")
    assert await _guild(dashboard, "language") == "de-DE"

    await page.get_by_label("Language").fill("de-DE")
    await page.get_by_label("Timezone").fill("Asia/Tokyo")
    await page.get_by_label("Release", exact=True).fill("{role} {nonsense}")
    await page.get_by_role("button", name="Save").click()
    assert "nonsense" in await page.inner_text("#error")
    assert await _guild(dashboard, "timezone") == "Europe/Berlin"  # a bad template: no change
    assert not await _guild(dashboard, "notification_templates")

    await page.get_by_label("Release", exact=True).fill("{role} {title} is out!")
    await page.get_by_label("Channel for TV (id)").fill("1100000000000000222")
    await page.get_by_label("Language").fill("fr")
    await page.get_by_label("Timezone").fill("america/new_york")
    await page.get_by_label("Notification channel id").fill("1100000000000000111")
    await page.get_by_label("Who may subscribe").select_option("manage_server")
    await page.get_by_role("button", name="Save").click()
    await page.locator("#saved").wait_for()
    await screenshot(page, "settings")
    assert await _guild(dashboard, "language") == "fr"
    assert await _guild(dashboard, "timezone") == "America/New_York"
    assert await _guild(dashboard, "notification_channel_id") == 1100000000000000111
    assert await _guild(dashboard, "subscribe_permission") == "manage_server"
    assert await _guild(dashboard, "delivery_problem") is None  # a new channel clears it
    assert await _guild(dashboard, "tv_channel_id") == 1100000000000000222
    assert await _guild(dashboard, "notification_templates") == {
        "release": "{role} {title} is out!"
    }
    assert "is out!" in await page.inner_text("#preview_release")


async def test_pages_fit_a_phone_and_work_with_javascript_off(
    browser: Any, dashboard: Dashboard
) -> None:
    context = await browser.new_context(
        viewport={"width": 375, "height": 740}, java_script_enabled=False
    )
    page = await context.new_page()
    await log_in(page, dashboard, "admin")
    for path in ("", "/charts", "/settings"):
        await page.goto(f"{dashboard.base_url}/servers/{seed.FILM_CLUB}{path}")
        # With JavaScript off Playwright cannot evaluate; the layout's box says it all.
        box = await page.locator("main").bounding_box()
        assert box is not None
        assert box["width"] <= 375, path
    await screenshot(page, "charts-phone")
    await page.get_by_role("button", name="Log out").click()
    await page.wait_for_url(f"{dashboard.base_url}/login")
    await context.close()


async def test_keyboard_reaches_the_login_button(page: Any, dashboard: Dashboard) -> None:
    await page.goto(f"{dashboard.base_url}/login")
    await page.keyboard.press("Tab")
    assert await page.evaluate("document.activeElement.textContent") == "Skip to content"
    await page.keyboard.press("Tab")
    assert await page.evaluate("document.activeElement.textContent") == "FilmBot"
    await page.keyboard.press("Tab")
    assert await page.evaluate("document.activeElement.textContent") == "Log in with Discord"
    await page.keyboard.press("Enter")
    await page.get_by_role("button", name="Authorize as member").wait_for()
    await screenshot(page, "login-authorize")


async def _guild(dashboard: Dashboard, column: str) -> Any:
    async with dashboard.sessions() as session:
        return await session.scalar(
            select(getattr(GuildRow, column)).where(GuildRow.id == seed.FILM_CLUB)
        )
