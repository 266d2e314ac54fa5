"""/setup, /config and /stats through the real bot, permissions included."""

from __future__ import annotations

import pytest

from filmbot.bot import FilmBot
from filmbot.domain.models import Guild
from tests.fakes.discord_records import COMMANDS_SYNC
from tests.fakes.discord_server import FakeDiscord
from tests.fakes.discord_state import ADMINISTRATOR, MANAGE_GUILD
from tests.fakes.plugin_discord import FilmClub


def settings_of(guild: Guild) -> tuple[object, ...]:
    """The values /config can change."""
    return (
        guild.notification_channel_id,
        guild.notification_role_id,
        guild.auto_update,
        guild.language,
        guild.region,
        guild.timezone,
        guild.subscribe_permission,
    )


def registered(fake_discord: FakeDiscord) -> dict[str, dict[str, object]]:
    commands = fake_discord.recorder.of_kind(COMMANDS_SYNC)[-1].body["commands"]
    return {command["name"]: command for command in commands}


async def test_setup_and_config_are_registered_for_admins_and_managers_only(
    filmbot: FilmBot, fake_discord: FakeDiscord
) -> None:
    commands = registered(fake_discord)
    assert int(str(commands["setup"]["default_member_permissions"])) == ADMINISTRATOR
    assert int(str(commands["config"]["default_member_permissions"])) == MANAGE_GUILD
    template = commands["notification-template"]
    assert int(str(template["default_member_permissions"])) == MANAGE_GUILD
    managed = ("setup", "config", "notification-template")
    others = [c for name, c in commands.items() if name not in managed]
    assert all(c["default_member_permissions"] is None for c in others)


@pytest.mark.parametrize(
    ("command", "options", "needed"),
    [("setup", {}, "Administrator"), ("config", {"setting": "language"}, "Manage Server")],
)
async def test_a_plain_member_invoking_directly_is_refused(
    filmbot: FilmBot,
    fake_discord: FakeDiscord,
    film_club: FilmClub,
    command: str,
    options: dict[str, str],
    needed: str,
) -> None:
    reply = await fake_discord.slash(film_club.guild, film_club.member, command, **options)
    assert reply.ephemeral
    assert reply.content == f"⛔ You need the {needed} permission for this command."


async def test_setup_wizard_saves_channel_role_auto_update_and_locale(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    club, ada = film_club.guild, film_club.admin
    wizard = await fake_discord.slash(club, ada, "setup")
    assert wizard.ephemeral
    await fake_discord.select(club, ada, wizard, "setup:channel", [film_club.announcements])
    await fake_discord.select(club, ada, wizard, "setup:role", [film_club.movie_fans])
    await fake_discord.select(club, ada, wizard, "setup:auto_update", ["off"])
    form = await fake_discord.click(club, ada, wizard, "setup:locale")
    draft = await fake_discord.submit_modal(
        club,
        ada,
        form,
        {"setup:timezone": "Europe/Berlin", "setup:language": "de-DE", "setup:region": "de"},
        message=wizard.message,
    )
    fields = {f["name"]: f["value"] for f in draft.embeds[0]["fields"]}
    assert fields["Timezone"] == "Europe/Berlin"
    assert fields["Notification channel"] == film_club.announcements.mention

    saved = await fake_discord.click(club, ada, wizard, "setup:save")
    summary = saved.embeds[0]
    assert summary["title"] == "✅ FilmBot is set up"
    values = {f["name"]: f["value"] for f in summary["fields"]}
    assert values == {
        "Notification channel": film_club.announcements.mention,
        "Notification role": film_club.movie_fans.mention,
        "Auto update": "off",
        "Language": "de-DE",
        "Region": "DE",
        "Timezone": "Europe/Berlin",
        "Subscribe permission": "everyone",
        "Movie channel": "not set (the notification channel)",
        "TV channel": "not set (the notification channel)",
    }
    assert saved.components == []
    stored = await filmbot.services.admin.guild(club.id)
    assert (stored.language, stored.region, stored.auto_update) == ("de-DE", "DE", False)


async def test_setup_wizard_refuses_a_locked_channel_and_a_bad_timezone(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    club, ada = film_club.guild, film_club.admin
    wizard = await fake_discord.slash(club, ada, "setup")
    locked = await fake_discord.select(club, ada, wizard, "setup:channel", [film_club.locked])
    assert locked.ephemeral
    assert "I can't post in" in locked.content
    form = await fake_discord.click(club, ada, wizard, "setup:locale")
    await fake_discord.submit_modal(
        club, ada, form, {"setup:timezone": "Mars/Olympus"}, message=wizard.message
    )
    refused = await fake_discord.click(club, ada, wizard, "setup:save")
    assert refused.ephemeral
    assert refused.content.endswith("Nothing was saved.")
    stored = await filmbot.services.admin.guild(club.id)
    assert stored.timezone == "UTC"


async def test_only_the_admin_who_started_setup_can_use_the_wizard(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    wizard = await fake_discord.slash(film_club.guild, film_club.admin, "setup")
    refused = await fake_discord.click(film_club.guild, film_club.manager, wizard, "setup:save")
    assert refused.content == "Only the admin who ran /setup can use this wizard."


VALID = [
    ("notification_channel", "#announcements", "<#"),
    ("notification_role", "@Movie Fans", "<@&"),
    ("auto_update", "off", "off"),
    ("language", "fr-FR", "fr-FR"),
    ("region", "nz", "NZ"),
    ("timezone", "america/los_angeles", "America/Los_Angeles"),
    ("subscribe_permission", "manage_server", "manage_server"),
]
INVALID = [
    ("notification_channel", "#staff-only", "I can't post in"),
    ("notification_channel", "#nowhere", "There is no such channel"),
    ("notification_role", "@Nobody", "There is no such role"),
    ("notification_role", "@everyone", "@everyone can't be the notification role"),
    ("auto_update", "maybe", "Use `on` or `off`"),
    ("language", "xx-YY", "is not an ISO"),
    ("language", "xx", "`xx` is not an ISO 639-1 language code"),
    ("region", "ZZ", "two-letter ISO country code"),
    ("timezone", "Mars/Olympus", "IANA name"),
    ("subscribe_permission", "admins", "Use `everyone` or `manage_server`"),
]


async def test_config_accepts_each_valid_setting(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    for setting, value, shown in VALID:
        reply = await fake_discord.slash(
            film_club.guild, film_club.manager, "config", setting=setting, value=value
        )
        assert reply.ephemeral
        assert reply.content.startswith(f"✅ **{setting}** is now {shown}"), reply.content
    current = await fake_discord.slash(
        film_club.guild, film_club.manager, "config", setting="timezone"
    )
    assert current.embeds[0]["description"] == "**timezone** is America/Los_Angeles"


async def test_config_refuses_each_invalid_value_and_changes_nothing(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    before = settings_of(await filmbot.services.admin.guild(film_club.guild.id))
    for setting, value, reason in INVALID:
        reply = await fake_discord.slash(
            film_club.guild, film_club.manager, "config", setting=setting, value=value
        )
        assert reply.ephemeral
        assert reply.content.startswith("⚠️ ") and reason in reply.content, reply.content
    assert settings_of(await filmbot.services.admin.guild(film_club.guild.id)) == before


async def test_config_value_autocomplete_suggests_timezones_and_channels(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    club, meg = film_club.guild, film_club.manager
    zones = await fake_discord.autocomplete(
        club, meg, "config", "value", "berl", setting="timezone"
    )
    assert zones == [{"name": "Europe/Berlin", "value": "Europe/Berlin"}]
    channels = await fake_discord.autocomplete(
        club, meg, "config", "value", "ann", setting="notification_channel"
    )
    assert channels == [{"name": "#announcements", "value": "#announcements"}]


async def test_subscribe_permission_manage_server_refuses_a_plain_member(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    club = film_club.guild
    await fake_discord.slash(
        club, film_club.manager, "config", setting="subscribe_permission", value="manage_server"
    )
    refused = await fake_discord.slash(club, film_club.member, "subscribe", query="Dune")
    assert refused.ephemeral
    assert "only members with Manage Server" in refused.content
    assert refused.custom_ids == []
    allowed = await fake_discord.slash(club, film_club.manager, "subscribe", query="movie:603")
    assert allowed.embeds[0]["title"].startswith("Subscribed!")
    kept = await fake_discord.slash(club, film_club.member, "unsubscribe", query="movie:603")
    assert "only members with Manage Server" in kept.content


async def test_stats_counts_this_server_and_the_bot(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    club, mo = film_club.guild, film_club.member
    await fake_discord.slash(club, mo, "subscribe", query="movie:603")
    await fake_discord.slash(club, mo, "watchlist-rate", query="movie:27205", score=9)
    reply = await fake_discord.slash(club, mo, "stats")
    assert reply.deferred
    fields = {f["name"]: f["value"] for f in reply.embeds[0]["fields"]}
    assert fields["This server"] == "1 subscriptions\n1 watchlist items\n1 ratings"
    assert "requests" in fields["TMDB"]
    assert fields["Update cycle"].startswith("automatic updates are off")
