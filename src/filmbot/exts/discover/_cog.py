"""/discover: films or shows by genre, years, certification, rating, person and provider."""

from __future__ import annotations

from typing import Literal

import discord
from discord import app_commands
from discord.ext import commands

from filmbot.domain.discovery import DiscoverOptions, check_options
from filmbot.domain.models import MediaType
from filmbot.domain.titles import JUSTWATCH_ATTRIBUTION
from filmbot.exts._ui.context import bot_of, guild_of, person_autocomplete
from filmbot.exts._ui.results import paged_results
from filmbot.services.catalog import SearchPage

SortChoice = Literal["popularity", "rating", "newest", "oldest", "title"]
Choices = list[app_commands.Choice[str]]


def _media_of(interaction: discord.Interaction) -> MediaType:
    """The media_type the member has chosen so far (films unless TV)."""
    chosen = getattr(interaction.namespace, "media_type", None)
    return MediaType.TV if chosen == "tv" else MediaType.MOVIE


def _choices(pairs: list[tuple[str, str]]) -> Choices:
    return [app_commands.Choice(name=label, value=value) for label, value in pairs]


class Discover(commands.Cog):
    """Discovery with filters over TMDB's /discover."""

    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot

    @app_commands.command(
        name="discover", description="Find films or shows by genre, years and more"
    )
    @app_commands.describe(
        media_type="Films or TV shows (default: films)",
        genre="A genre, e.g. Science Fiction",
        year_from="Released in or after this year",
        year_to="Released in or before this year",
        certification="A film certification of this server's region, e.g. PG-13 (films only)",
        min_rating="The lowest TMDB rating, 0 to 10",
        person="An actor or director (films only)",
        provider="A streaming or rental service in this server's region",
        sort="Order: popularity (default), rating, newest, oldest or title",
    )
    @app_commands.autocomplete(person=person_autocomplete)
    @app_commands.guild_only()
    async def discover(  # noqa: PLR0917 (discord.py passes each slash option as an argument)
        self,
        interaction: discord.Interaction,
        media_type: Literal["movie", "tv"] = "movie",
        genre: str | None = None,
        year_from: int | None = None,
        year_to: int | None = None,
        certification: str | None = None,
        min_rating: float | None = None,
        person: str | None = None,
        provider: str | None = None,
        sort: SortChoice = "popularity",
    ) -> None:
        """Titles matching every filter given, paginated."""
        options = DiscoverOptions(
            media=MediaType(media_type),
            genre=genre,
            year_from=year_from,
            year_to=year_to,
            certification=certification,
            min_rating=min_rating,
            person=person,
            provider=provider,
            sort=sort,
        )
        check_options(options)
        await interaction.response.defer(thinking=True)
        guild = await guild_of(interaction)
        discovery = bot_of(interaction).services.discovery
        found = await discovery.prepare(options, language=guild.language, region=guild.region)

        async def fetch(page: int) -> SearchPage:
            return await discovery.page(found.query, page, language=guild.language)

        kind = "films" if options.media is MediaType.MOVIE else "TV shows"
        title = " · ".join([f"Discover {kind}", *found.labels])
        note = f"Sorted by {sort} · Discovered on TMDB"
        if provider:
            note = f"{note} · {JUSTWATCH_ATTRIBUTION}"
        await paged_results(interaction, title, fetch, note)

    @discover.autocomplete("genre")
    async def _genres(self, interaction: discord.Interaction, current: str) -> Choices:
        guild = await guild_of(interaction)
        discovery = bot_of(interaction).services.discovery
        pairs = await discovery.genre_choices(
            _media_of(interaction), current, language=guild.language
        )
        return _choices(pairs)

    @discover.autocomplete("certification")
    async def _certifications(self, interaction: discord.Interaction, current: str) -> Choices:
        guild = await guild_of(interaction)
        discovery = bot_of(interaction).services.discovery
        pairs = await discovery.certification_choices(
            _media_of(interaction), current, region=guild.region
        )
        return _choices(pairs)

    @discover.autocomplete("provider")
    async def _providers(self, interaction: discord.Interaction, current: str) -> Choices:
        guild = await guild_of(interaction)
        discovery = bot_of(interaction).services.discovery
        pairs = await discovery.provider_choices(
            _media_of(interaction), current, region=guild.region, language=guild.language
        )
        return _choices(pairs)
