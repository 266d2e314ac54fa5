"""See and delete what FilmBot stores about you."""

from __future__ import annotations

import io
import json
import logging
from typing import TYPE_CHECKING, cast

import discord
from discord import app_commands
from discord.ext import commands, tasks

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
    document = {"watchlist": rows, "server_watchlist_added": added}
    return json.dumps(document, indent=2, ensure_ascii=False).encode()


async def _delete_my_data(interaction: discord.Interaction) -> str:
    removed = await bot_of(interaction).services.privacy.delete(interaction.user.id)
    return (
        f"🗑️ Deleted {removed} watchlist items with their ratings and reviews. "
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
        embed = new_embed(
            "What FilmBot stores about you",
            description=(
                f"{len(data.items)} watchlist items in {servers} servers, "
                f"{data.ratings} ratings, {data.reviews} written reviews, "
                f"{len(data.server_entries)} titles you added to server watchlists.\n"
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
            "This deletes your watchlist items, ratings and reviews in **every** server "
            "(titles you added to server watchlists stay, without your name). Sure?",
            view=Confirm(
                interaction.user.id,
                _delete_my_data,
                confirm=("Delete everything", "privacy:confirm"),
                cancel=("Keep my data", "privacy:cancel"),
            ),
            ephemeral=True,
        )
