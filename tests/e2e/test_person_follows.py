"""Following people end to end: /subscribe and /notify-me with person:ID, the listings,
removal, privacy, and the new title's "Notify me too" button, through the fake Discord."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from filmbot.bot import FilmBot
from filmbot.config import Settings
from filmbot.domain.guild_settings import Setting
from tests.e2e.bots import running_bot
from tests.fakes.discord_dms import click_in_dm, dms_to, slash_in_dm
from tests.fakes.discord_records import CHANNEL_MESSAGE, Record
from tests.fakes.discord_server import FakeDiscord
from tests.fakes.plugin_discord import FilmClub
from tests.fakes.tmdb_server import FakeTMDB

VILLENEUVE = 137427
NEW_FILM = 9_600_001
BUTTON_ID = f"filmbot:notify-me:movie:{NEW_FILM}"
SUBSCRIBE_ID = f"filmbot:subscribe:movie:{NEW_FILM}"


async def run_cycle(bot: FilmBot) -> Any:
    updates = bot.get_cog("Updates")
    assert updates is not None
    return await updates.engine.run_cycle()  # type: ignore[attr-defined]


def new_directing_credit(fake_tmdb: FakeTMDB) -> None:
    """TMDB adds a film Denis Villeneuve directs (and lists him in /person/changes)."""
    release = (datetime.now(UTC).date() + timedelta(days=400)).isoformat()
    fake_tmdb.catalogue.set_movie(
        NEW_FILM, title="Rendezvous with Rama", release_date=release, status="Planned"
    )
    fake_tmdb.discovery.add_credit(
        VILLENEUVE, "movie", NEW_FILM, name="Denis Villeneuve", job="Director"
    )


def posts_in(fake: FakeDiscord, channel_id: int) -> list[Record]:
    return [r for r in fake.recorder.of_kind(CHANNEL_MESSAGE) if r.channel_id == channel_id]


def button_ids(message: dict[str, Any]) -> list[str]:
    return [c["custom_id"] for row in message.get("components") or [] for c in row["components"]]


async def test_a_server_follows_a_person_hears_only_new_titles_and_can_follow_them(
    filmbot: FilmBot,
    bot_settings: Settings,
    fake_discord: FakeDiscord,
    film_club: FilmClub,
    fake_tmdb: FakeTMDB,
) -> None:
    guild, admin, member = film_club.guild, film_club.admin, film_club.member
    channel = film_club.announcements.id
    await filmbot.services.admin.set(guild.id, Setting.NOTIFICATION_CHANNEL, channel)
    followed = await fake_discord.slash(guild, admin, "subscribe", query=f"person:{VILLENEUVE}")
    assert followed.embeds[0]["title"] == "Subscribed! Denis Villeneuve"
    assert "existing credits are not announced" in followed.embeds[0]["description"]
    again = await fake_discord.slash(guild, admin, "subscribe", query=f"person:{VILLENEUVE}")
    assert "already follows Denis Villeneuve" in again.content
    listed = await fake_discord.slash(guild, admin, "subscriptions")
    assert listed.embeds[0]["title"] == "This server follows 0 titles and 1 person"
    [people] = listed.embeds[0]["fields"]
    assert people["name"] == "People" and "Denis Villeneuve" in people["value"]

    template = await fake_discord.slash(
        guild, admin, "notification-template", kind="new_title", text="New from {person}: {title}"
    )
    assert "New from Denis Villeneuve: Dune: Part Two" in str(template.embeds)
    await run_cycle(filmbot)
    assert posts_in(fake_discord, channel) == [], "his existing films are not announced"
    new_directing_credit(fake_tmdb)
    await run_cycle(filmbot)
    await run_cycle(filmbot)

    [post] = posts_in(fake_discord, channel)
    assert post.message is not None
    assert post.message["embeds"][0]["title"] == "Denis Villeneuve directs Rendezvous with Rama"
    assert button_ids(post.message) == [BUTTON_ID, SUBSCRIBE_ID]
    assert post.message["content"] == "New from Denis Villeneuve: Rendezvous with Rama"
    clicked = await fake_discord.click(guild, member, post.message, BUTTON_ID)
    assert clicked.ephemeral
    assert "You now follow **Rendezvous with Rama" in clicked.content
    views, _ = await filmbot.services.personal.overview(member.id)
    assert [v.follow.ref.tmdb_id for v in views] == [NEW_FILM]

    choices = await fake_discord.autocomplete(guild, admin, "unsubscribe", "query", "denis")
    assert [c["value"] for c in choices] == [f"person:{VILLENEUVE}"]
    removed = await fake_discord.slash(guild, admin, "unsubscribe", query=f"person:{VILLENEUVE}")
    assert "no longer follows **Denis Villeneuve**" in removed.content
    assert await filmbot.services.person_follows.for_guild(guild.id) == []
    await fake_discord.slash(
        guild, admin, "config", setting="subscribe_permission", value="manage_server"
    )
    await filmbot.close()

    async with running_bot(bot_settings, fake_discord) as bot:
        refused = await fake_discord.click(guild, member, post.message, SUBSCRIBE_ID)
        assert "Manage Server" in refused.content
        subscribed = await fake_discord.click(guild, admin, post.message, SUBSCRIBE_ID)
        assert subscribed.ephemeral
        assert "This server now follows **Rendezvous with Rama" in subscribed.content
        twice = await fake_discord.click(guild, admin, post.message, SUBSCRIBE_ID)
        assert "already follows" in twice.content
        views = await bot.services.subscriptions.overview(guild.id)
        assert [v.subscription.ref.tmdb_id for v in views] == [NEW_FILM]


async def test_an_unknown_person_or_a_member_without_permission_changes_nothing(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    guild = film_club.guild
    unknown = await fake_discord.slash(guild, film_club.admin, "subscribe", query="person:999999")
    assert "TMDB has no person with id 999999" in unknown.content
    for options in ({"channel": "announcements"}, {"updates": False}):
        refused_options = await fake_discord.slash(
            guild, film_club.admin, "subscribe", query=f"person:{VILLENEUVE}", **options
        )
        assert "are for titles" in refused_options.content
    await fake_discord.slash(
        guild, film_club.admin, "config", setting="subscribe_permission", value="manage_server"
    )
    refused = await fake_discord.slash(
        guild, film_club.member, "subscribe", query=f"person:{VILLENEUVE}"
    )
    assert "Manage Server" in refused.content
    assert await filmbot.services.person_follows.for_guild(guild.id) == []
    gone = await fake_discord.slash(guild, film_club.admin, "unsubscribe", query="person:525")
    assert "does not follow that person" in gone.content


async def test_a_member_follows_a_person_by_dm_lists_removes_and_privacy_covers_it(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub, fake_tmdb: FakeTMDB
) -> None:
    user = film_club.member
    refused = await slash_in_dm(
        fake_discord, user, "notify-me", query=f"person:{VILLENEUVE}", releases=False
    )
    assert "are for titles" in refused.content
    assert await filmbot.services.person_follows.for_member(user.id) == []
    followed = await slash_in_dm(fake_discord, user, "notify-me", query=f"person:{VILLENEUVE}")
    assert followed.embeds[0]["title"] == "You now follow Denis Villeneuve"
    mine = await slash_in_dm(fake_discord, user, "my-notifications")
    people = next(f for f in mine.embeds[0]["fields"] if f["name"] == "People (1)")
    assert "Denis Villeneuve" in people["value"]

    await run_cycle(filmbot)
    assert dms_to(fake_discord, user) == []
    new_directing_credit(fake_tmdb)
    await run_cycle(filmbot)
    await run_cycle(filmbot)
    [dm] = dms_to(fake_discord, user)
    assert dm.message is not None
    assert dm.message["embeds"][0]["title"] == "Denis Villeneuve directs Rendezvous with Rama"
    clicked = await click_in_dm(fake_discord, user, dm.message, BUTTON_ID)
    assert "You now follow **Rendezvous with Rama" in clicked.content

    shown = await fake_discord.slash(film_club.guild, user, "privacy show")
    assert "1 personal follows, 1 followed people" in shown.embeds[0]["description"]
    assert shown.message is not None
    exported = json.loads(fake_discord.messages.attachment_bytes(shown.message["attachments"][0]))
    assert exported["followed_people"][0]["person_id"] == VILLENEUVE

    choices = await slash_in_dm(
        fake_discord, user, "notify-me-remove", query="deni", focused="query"
    )
    assert [c["value"] for c in choices.choices or []] == [f"person:{VILLENEUVE}"]
    removed = await slash_in_dm(
        fake_discord, user, "notify-me-remove", query=f"person:{VILLENEUVE}"
    )
    assert "no longer follow **Denis Villeneuve**" in removed.content
    await slash_in_dm(fake_discord, user, "notify-me", query=f"person:{VILLENEUVE}")
    await filmbot.services.privacy.delete(user.id)
    assert (await filmbot.services.privacy.show(user.id)).people == []
