"""/person: who someone is and what they made."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from filmbot.domain.people import parse_person_query
from filmbot.exts._ui.context import bot_of, guild_of, person_autocomplete
from filmbot.exts.people._embeds import person_embed


class People(commands.Cog):
    """Actors, directors and everyone else on TMDB."""

    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot

    @app_commands.command(name="person", description="An actor's or director's page and films")
    @app_commands.describe(
        query="A person: type a name and pick them, or give person:ID or a TMDB person link"
    )
    @app_commands.autocomplete(query=person_autocomplete)
    @app_commands.guild_only()
    async def person(
        self, interaction: discord.Interaction, query: app_commands.Range[str, 1, 200]
    ) -> None:
        """Biography, known for, directing and acting credits (newest first), upcoming work."""
        parse_person_query(query)
        await interaction.response.defer(thinking=True)
        guild = await guild_of(interaction)
        services = bot_of(interaction).services
        person = await services.people.find(query, language=guild.language)
        films = services.people.filmography(person)
        photo = services.catalog.image_url(person.profile_path, "w185")
        await interaction.followup.send(embed=person_embed(person, films, photo))
