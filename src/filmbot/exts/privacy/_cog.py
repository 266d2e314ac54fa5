"""See and delete what FilmBot stores about you."""

from __future__ import annotations

import io
import json
import logging
from typing import TYPE_CHECKING, Literal, cast

import discord
from discord import app_commands
from discord.ext import commands, tasks

from filmbot.domain.personal import format_clock
from filmbot.domain.social import MemberPreferences
from filmbot.exts._ui.confirm import Confirm
from filmbot.exts._ui.context import bot_of
from filmbot.exts._ui.embeds import new_embed
from filmbot.services.privacy import PersonalData

if TYPE_CHECKING:
    from filmbot.bot import FilmBot

log = logging.getLogger(__name__)

PURGE_HOURS = 6.0


def export(data: PersonalData) -> bytes:
    """The user's data as JSON."""
    rows = [
        {
            "server_id": str(item.guild_id),
            "title": item.title,
            "media_type": item.media_type.value,
            "tmdb_id": item.tmdb_id,
            "priority": item.priority.name.lower(),
            "watched": item.watched,
            "added_at": item.added_at.isoformat() if item.added_at else None,
            "watched_at": item.watched_at.isoformat() if item.watched_at else None,
            "notes": item.notes,
            "rating": item.rating.score if item.rating else None,
            "review": item.rating.review if item.rating else None,
        }
        for item in data.items
    ]
    follows = [
        {
            "title": follow.title,
            "media_type": follow.ref.media_type.value,
            "tmdb_id": follow.ref.tmdb_id,
            "releases": follow.notify_release,
            "updates": follow.notify_update,
            "followed_at": follow.followed_at.isoformat() if follow.followed_at else None,
        }
        for follow in data.follows
    ]
    state = data.notify_settings
    settings = None
    if state is not None:
        quiet = state.settings
        settings = {
            "timezone": quiet.timezone,
            "region": quiet.region,
            "quiet_start": format_clock(quiet.quiet_start) if quiet.quiet_start else None,
            "quiet_end": format_clock(quiet.quiet_end) if quiet.quiet_end else None,
            "digest": quiet.digest.value,
            "dm_channel_id": str(state.dm_channel_id) if state.dm_channel_id else None,
            "direct_messages_refused": state.dm_blocked,
        }
    added = [
        {
            "server_id": str(entry.guild_id),
            "title": entry.title,
            "media_type": entry.ref.media_type.value,
            "tmdb_id": entry.ref.tmdb_id,
            "note": entry.note,
            "added_at": entry.added_at.isoformat(),
        }
        for entry in data.server_entries
    ]
    document = {
        "watchlist": rows,
        "server_watchlist_added": added,
        "personal_follows": follows,
        "followed_people": [
            {
                "person_id": p.person_id,
                "name": p.name,
                "followed_at": p.followed_at.isoformat() if p.followed_at else None,
            }
            for p in data.people
        ],
        "notification_settings": settings,
        **_social_export(data),
    }
    return json.dumps(document, indent=2, ensure_ascii=False).encode()


def _social_export(data: PersonalData) -> dict[str, object]:
    """The recommendations the user sent or received and their opt-ins, for the export."""
    preferences = data.preferences or MemberPreferences()
    return {
        "recommendations": [
            {
                "server_id": str(r.guild_id),
                "sender_id": str(r.sender_id),
                "sender_name": r.sender_name,
                "recipient_id": str(r.recipient_id),
                "title": r.title,
                "media_type": r.ref.media_type.value,
                "tmdb_id": r.ref.tmdb_id,
                "note": r.note,
                "sent_at": r.created_at.isoformat(),
                "shown_at": r.shown_at.isoformat() if r.shown_at else None,
            }
            for r in data.recommendations
        ],
        "privacy_settings": {
            "stored": data.preferences is not None,
            "recommendations": preferences.recommendations,
            "activity": preferences.activity,
        },
    }


def _switch(on: bool) -> str:
    return "on" if on else "off"


def settings_text(preferences: MemberPreferences) -> str:
    """The member's opt-ins as /privacy settings shows them."""
    return (
        f"**recommendations** (other members may recommend you titles): "
        f"{_switch(preferences.recommendations)}\n"
        f"**activity** (your ratings, reviews and watched titles appear in a server's "
        f"activity channel): {_switch(preferences.activity)}"
    )


async def _delete_my_data(interaction: discord.Interaction) -> str:
    removed = await bot_of(interaction).services.privacy.delete(interaction.user.id)
    return (
        f"🗑️ Deleted {removed} watchlist items with their ratings and reviews, "
        "your personal follows (titles and people) and notification settings, "
        "the recommendations you sent or received, and your privacy settings. "
        "Titles you added to server watchlists stay there without your name or note."
    )


class Privacy(commands.Cog):
    """Your data: see it, export it, delete it."""

    privacy = app_commands.Group(
        name="privacy", description="See or delete what FilmBot stores about you"
    )

    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        """Start deleting the data of servers the bot left."""
        self.purge_departed.start()

    async def cog_unload(self) -> None:
        """Stop the purge loop."""
        self.purge_departed.cancel()

    @tasks.loop(hours=PURGE_HOURS)
    async def purge_departed(self) -> None:
        """Delete the data of servers the bot left longer ago than GUILD_DATA_GRACE_DAYS."""
        try:
            await cast("FilmBot", self.bot).services.privacy.purge_departed_guilds()
        except Exception:
            log.exception("Purging the data of departed servers failed; will retry")

    @privacy.command(name="show", description="See everything FilmBot stores about you")
    async def show(self, interaction: discord.Interaction) -> None:
        """Your watchlist items, ratings and reviews in every server, with a JSON export."""
        await interaction.response.defer(thinking=True, ephemeral=True)
        data = await bot_of(interaction).services.privacy.show(interaction.user.id)
        servers = len({item.guild_id for item in data.items})
        me = interaction.user.id
        sent = sum(1 for r in data.recommendations if r.sender_id == me)
        received = len(data.recommendations) - sent
        embed = new_embed(
            "What FilmBot stores about you",
            description=(
                f"{len(data.items)} watchlist items in {servers} servers, "
                f"{data.ratings} ratings, {data.reviews} written reviews, "
                f"{len(data.follows)} personal follows, {len(data.people)} followed people"
                f"{' and your notification settings' if data.notify_settings else ''}.\n"
                f"{sent} recommendations sent, {received} received.\n"
                f"{settings_text(data.preferences or MemberPreferences())}\n"
                f"{len(data.server_entries)} titles you added to server watchlists.\n"
                "Your Discord id is stored with them. Nothing else about you is kept. "
                "The attached file has all of it; `/privacy delete` removes it."
            ),
        )
        file = discord.File(io.BytesIO(export(data)), filename="filmbot-my-data.json")
        await interaction.followup.send(embed=embed, file=file, ephemeral=True)

    @privacy.command(name="settings", description="See or change what others may do with you")
    @app_commands.describe(
        recommendations="Let other members send you recommendations (/recommend-to); default on",
        activity="Post your ratings, reviews and watched titles in the activity channel; "
        "default off",
    )
    async def settings(
        self,
        interaction: discord.Interaction,
        recommendations: Literal["on", "off"] | None = None,
        activity: Literal["on", "off"] | None = None,
    ) -> None:
        """Show your opt-ins, or change the ones you give."""
        social = bot_of(interaction).services.social
        if recommendations is None and activity is None:
            current = await social.preferences(interaction.user.id)
            await interaction.response.send_message(settings_text(current), ephemeral=True)
            return
        updated = await social.set_preferences(
            interaction.user.id,
            recommendations=None if recommendations is None else recommendations == "on",
            activity=None if activity is None else activity == "on",
        )
        await interaction.response.send_message(
            f"✅ Saved.\n{settings_text(updated)}", ephemeral=True
        )

    @privacy.command(
        name="delete", description="Delete your watchlists, ratings and reviews everywhere"
    )
    async def delete(self, interaction: discord.Interaction) -> None:
        """Ask for confirmation, then delete everything stored about you."""
        await interaction.response.send_message(
            "This deletes your watchlist items, ratings, reviews and personal follows in "
            "**every** server, your notification settings, the recommendations you sent or "
            "received, and your privacy settings (titles you added to server watchlists "
            "stay, without your name). Sure?",
            view=Confirm(
                interaction.user.id,
                _delete_my_data,
                confirm=("Delete everything", "privacy:confirm"),
                cancel=("Keep my data", "privacy:cancel"),
            ),
            ephemeral=True,
        )
