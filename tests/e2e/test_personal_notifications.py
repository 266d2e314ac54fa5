"""Personal notifications end to end: /notify-me and friends, DMs, the "Notify me too" button."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from filmbot.bot import FilmBot
from filmbot.config import Settings
from filmbot.domain.guild_settings import Setting
from filmbot.domain.models import MediaType, TitleRef
from filmbot.services.catalog import TitleSummary
from tests.e2e.bots import running_bot
from tests.e2e.conftest import Cinema
from tests.fakes.discord_dms import dms_to, open_dms, slash_in_dm
from tests.fakes.discord_interactions import EPHEMERAL
from tests.fakes.discord_records import CHANNEL_MESSAGE, DM_OPEN, FOLLOWUP, Record
from tests.fakes.discord_server import FakeDiscord
from tests.fakes.plugin_discord import FilmClub
from tests.fakes.tmdb_server import FakeTMDB

BREAKING_BAD = TitleSummary(TitleRef(MediaType.TV, 1396), "Breaking Bad", 2008, "", None, 8.9, 100)
BUTTON_ID = "filmbot:notify-me:tv:1396"


def airs_tomorrow(fake_tmdb: FakeTMDB) -> None:
    """Breaking Bad's next episode airs tomorrow: a new-episode notification is due today."""
    tomorrow = datetime.now(UTC).date() + timedelta(days=1)
    fake_tmdb.catalogue.set_next_episode(1396, tomorrow, season=6, episode=2, name="Return")


async def run_cycle(bot: FilmBot) -> Any:
    updates = bot.get_cog("Updates")
    assert updates is not None
    return await updates.engine.run_cycle()  # type: ignore[attr-defined]


async def follow_in_server(bot: FilmBot, guild_id: int, channel_id: int) -> None:
    await bot.services.admin.set(guild_id, Setting.NOTIFICATION_CHANNEL, channel_id)
    await bot.services.subscriptions.subscribe(guild_id, BREAKING_BAD, can_manage_server=True)


def posts_in(fake: FakeDiscord, channel_id: int) -> list[Record]:
    return [r for r in fake.recorder.of_kind(CHANNEL_MESSAGE) if r.channel_id == channel_id]


def is_dm_notice(record: Record) -> bool:
    return record.kind == FOLLOWUP and "could not send you" in (record.content or "")


def button_ids(message: dict[str, Any]) -> list[str]:
    return [c["custom_id"] for row in message.get("components") or [] for c in row["components"]]


async def test_member_in_two_following_servers_gets_one_dm_and_each_server_one_post(
    filmbot: FilmBot,
    fake_discord: FakeDiscord,
    film_club: FilmClub,
    cinema: Cinema,
    fake_tmdb: FakeTMDB,
) -> None:
    airs_tomorrow(fake_tmdb)
    cinema.guild.add_member(film_club.member)
    await follow_in_server(filmbot, film_club.guild.id, film_club.announcements.id)
    await follow_in_server(filmbot, cinema.guild.id, cinema.lobby.id)
    reply = await fake_discord.slash(
        film_club.guild, film_club.member, "notify-me", query="tv:1396"
    )
    assert reply.ephemeral
    assert reply.embeds[0]["title"].startswith("You now follow Breaking Bad")

    first = await run_cycle(filmbot)
    await run_cycle(filmbot)

    [dm] = dms_to(fake_discord, film_club.member)
    assert "S06E02" in dm.body["embeds"][0]["title"]
    assert dm.body["allowed_mentions"]["parse"] == []
    assert len(posts_in(fake_discord, film_club.announcements.id)) == 1
    [lobby] = posts_in(fake_discord, cinema.lobby.id)
    assert button_ids(lobby.message or {}) == [BUTTON_ID]
    assert (first.dm_delivered, first.personal_follows) == (1, 1)
    assert len(fake_discord.recorder.of_kind(DM_OPEN)) == 1


async def test_commands_work_in_a_dm_and_bad_settings_change_nothing(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    user = film_club.member
    followed = await slash_in_dm(fake_discord, user, "notify-me", query="tv:1396", updates=True)
    assert followed.embeds[0]["title"].startswith("You now follow Breaking Bad")
    again = await slash_in_dm(fake_discord, user, "notify-me", query="tv:1396")
    assert "already follow" in again.content

    good = await slash_in_dm(
        fake_discord, user, "notify-settings", quiet_start="23:00", quiet_end="08:00",
        timezone="europe/berlin", digest="daily",
    )  # fmt: skip
    assert (
        "Europe/Berlin · quiet 23:00–08:00 · daily digest at 08:00"
        in (good.embeds[0]["description"])
    )
    for bad in ({"quiet_start": "25:00"}, {"timezone": "Mars/Olympus"}, {"quiet_end": "8pm"}):
        refused = await slash_in_dm(fake_discord, user, "notify-settings", **bad)
        assert refused.ephemeral
        assert "HH:MM" in refused.content or "IANA" in refused.content
    mine = await slash_in_dm(fake_discord, user, "my-notifications")
    embed = mine.embeds[0]
    assert "Breaking Bad" in embed["description"]
    assert embed["fields"][0]["value"].startswith("Europe/Berlin · quiet 23:00–08:00")

    choices = await slash_in_dm(
        fake_discord, user, "notify-me-remove", query="break", focused="query"
    )
    assert [c["value"] for c in choices.choices or []] == ["tv:1396"]
    removed = await slash_in_dm(fake_discord, user, "notify-me-remove", query="tv:1396")
    assert "no longer follow" in removed.content
    empty = await slash_in_dm(fake_discord, user, "my-notifications")
    assert "You follow nothing" in empty.embeds[0]["description"]


async def test_member_who_refuses_dms_is_paused_told_once_and_keeps_follows(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub, fake_tmdb: FakeTMDB
) -> None:
    airs_tomorrow(fake_tmdb)
    user = film_club.member
    # The notice follows whichever command of the member's completes first once Discord has
    # refused a DM: under load that can be /notify-me itself, whose after-command check may
    # run only once the cycle below has recorded the refusal.
    start = fake_discord.recorder.mark()
    await fake_discord.slash(film_club.guild, user, "notify-me", query="tv:1396")
    fake_discord.close_dms(user)
    first = await run_cycle(filmbot)
    refused = [r for r in fake_discord.recorder.requests if r.status == 403]
    await run_cycle(filmbot)

    assert first.dm_failed == 1
    assert len(refused) == 1
    assert len([r for r in fake_discord.recorder.requests if r.status == 403]) == 1, "retried"
    await fake_discord.slash(film_club.guild, user, "my-notifications")
    notice = await fake_discord.wait_for(is_dm_notice, since=start)
    assert "Privacy Settings" in (notice.content or "")
    assert int((notice.message or {}).get("flags") or 0) & EPHEMERAL
    again = await fake_discord.slash(film_club.guild, user, "my-notifications")
    await asyncio.sleep(0.3)
    assert len(fake_discord.recorder.find(is_dm_notice, start)) == 1, "told twice"
    assert "Breaking Bad" in again.embeds[0]["description"]

    open_dms(fake_discord, user)
    await fake_discord.slash(film_club.guild, user, "notify-settings", digest="off")
    await run_cycle(filmbot)
    [dm] = dms_to(fake_discord, user)
    assert "S06E02" in dm.body["embeds"][0]["title"]


async def test_notify_me_too_button_works_after_a_restart_and_only_once(
    filmbot: FilmBot,
    bot_settings: Settings,
    fake_discord: FakeDiscord,
    film_club: FilmClub,
    fake_tmdb: FakeTMDB,
) -> None:
    airs_tomorrow(fake_tmdb)
    await follow_in_server(filmbot, film_club.guild.id, film_club.announcements.id)
    await run_cycle(filmbot)
    [post] = posts_in(fake_discord, film_club.announcements.id)
    message = post.message
    assert message is not None
    await filmbot.close()

    async with running_bot(bot_settings, fake_discord) as bot:
        clicked = await fake_discord.click(film_club.guild, film_club.member, message, BUTTON_ID)
        assert clicked.ephemeral
        assert "You now follow **Breaking Bad (2008) · TV** personally" in clicked.content
        twice = await fake_discord.click(film_club.guild, film_club.member, message, BUTTON_ID)
        assert "already follow" in twice.content
        views, _ = await bot.services.personal.overview(film_club.member.id)
        assert [v.follow.ref for v in views] == [BREAKING_BAD.ref]


async def test_privacy_show_and_delete_cover_follows_and_settings(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    user = film_club.member
    await fake_discord.slash(film_club.guild, user, "notify-me", query="tv:1396")
    await fake_discord.slash(
        film_club.guild, user, "notify-settings", quiet_start="22:30", quiet_end="07:00"
    )
    shown = await fake_discord.slash(film_club.guild, user, "privacy show")
    described = shown.embeds[0]["description"]
    assert "1 personal follows, 0 followed people and your notification settings" in described
    assert shown.message is not None
    attachment = shown.message["attachments"][0]
    exported = json.loads(fake_discord.messages.attachment_bytes(attachment))
    assert exported["personal_follows"][0]["tmdb_id"] == 1396
    assert exported["notification_settings"]["quiet_start"] == "22:30"
    assert exported["notification_settings"]["timezone"] == "UTC"

    await filmbot.services.privacy.delete(user.id)
    after = await filmbot.services.privacy.show(user.id)
    assert after.follows == []
    assert after.notify_settings is None


async def test_a_rate_limited_dm_is_waited_out_and_sent_once(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub, fake_tmdb: FakeTMDB
) -> None:
    airs_tomorrow(fake_tmdb)
    user = film_club.member
    await fake_discord.slash(film_club.guild, user, "notify-me", query="tv:1396")
    fault = fake_discord.rate_limit_channel_posts(times=1, retry_after=0.2, is_global=True)
    report = await run_cycle(filmbot)

    assert fault.hits == 1
    [dm] = dms_to(fake_discord, user)
    assert "S06E02" in dm.body["embeds"][0]["title"]
    assert (report.dm_delivered, report.dm_failed) == (1, 0)


async def test_my_notifications_says_what_each_follow_announces_next(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub, fake_tmdb: FakeTMDB
) -> None:
    next_air = datetime.now(UTC).date() + timedelta(days=20)
    fake_tmdb.catalogue.set_next_episode(1396, next_air, season=6, episode=2, name="Return")
    user = film_club.member
    await fake_discord.slash(film_club.guild, user, "notify-me", query="tv:1396")
    before = await fake_discord.slash(film_club.guild, user, "my-notifications")
    assert "next:" not in before.embeds[0]["description"]
    await run_cycle(filmbot)
    after = await fake_discord.slash(film_club.guild, user, "my-notifications")
    assert f"↳ next: S06E02 on {next_air.isoformat()}" in after.embeds[0]["description"]
    assert dms_to(fake_discord, user) == []
