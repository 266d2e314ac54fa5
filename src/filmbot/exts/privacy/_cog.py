"""See and delete what FilmBot stores about you."""

from __future__ import annotations

import io
import json
import logging
from typing import TYPE_CHECKING, cast

import discord
from discord import app_commands
from discord.ext import commands, tasks

from filmbot.domain.personal import format_clock
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
    document = {"watchlist": rows, "personal_follows": follows, "notification_settings": settings}
    return json.dumps(document, indent=2, ensure_ascii=False).encode()


async def _delete_my_data(interaction: discord.Interaction) -> str:
    removed = await bot_of(interaction).services.privacy.delete(interaction.user.id)
    return (
        f"🗑️ Deleted {removed} watchlist items with their ratings and reviews, "
        "your personal follows and your notification settings."
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
        embed = new_embed(
            "What FilmBot stores about you",
            description=(
                f"{len(data.items)} watchlist items in {servers} servers, "
                f"{data.ratings} ratings, {data.reviews} written reviews, "
                f"{len(data.follows)} personal follows"
                f"{' and your notification settings' if data.notify_settings else ''}.\n"
                "Your Discord id is stored with them. Nothing else about you is kept. "
                "The attached file has all of it; `/privacy delete` removes it."
            ),
        )
        file = discord.File(io.BytesIO(export(data)), filename="filmbot-my-data.json")
        await interaction.followup.send(embed=embed, file=file, ephemeral=True)

    @privacy.command(
        name="delete", description="Delete your watchlists, ratings and reviews everywhere"
    )
    async def delete(self, interaction: discord.Interaction) -> None:
        """Ask for confirmation, then delete everything stored about you."""
        await interaction.response.send_message(
            "This deletes your watchlist items, ratings, reviews and personal follows in "
            "**every** server, and your notification settings. Sure?",
            view=Confirm(
                interaction.user.id,
                _delete_my_data,
                confirm=("Delete everything", "privacy:confirm"),
                cancel=("Keep my data", "privacy:cancel"),
            ),
            ephemeral=True,
        )
