"""Slash commands that look things up on TMDB."""

from __future__ import annotations

from typing import Literal

import discord
from discord import app_commands
from discord.ext import commands

from filmbot.domain.models import MediaType, TitleRef
from filmbot.domain.titles import imdb_id_of, parse_ref, parse_title_query
from filmbot.exts._ui.context import (
    TITLE_QUERY_HELP,
    bot_of,
    guild_of,
    movie_autocomplete,
    title_autocomplete,
    tv_autocomplete,
)
from filmbot.exts._ui.picker import Reply, pick_or_run
from filmbot.exts._ui.results import paged_results
from filmbot.exts._ui.titles import PER_PAGE, list_embed, movie_embed, tv_embed
from filmbot.services.catalog import MediaFilter, SearchPage, TitleSummary
from filmbot.tmdb.models import MovieDetails, TVDetails

MediaChoice = Literal["all", "movie", "tv"]


class Search(commands.Cog):
    """Search, details, trending and similar titles."""

    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot

    @app_commands.command(name="search", description="Search films and TV shows on TMDB")
    @app_commands.describe(
        query="Part of a title (e.g. Dune), a TMDB id or link, or an IMDb id or link",
        media_type="Films, TV shows or both",
    )
    @app_commands.autocomplete(query=title_autocomplete)
    @app_commands.guild_only()
    async def search(
        self,
        interaction: discord.Interaction,
        query: app_commands.Range[str, 1, 100],
        media_type: MediaChoice = "all",
    ) -> None:
        """Search films and TV shows together, paginated."""
        parsed = parse_title_query(query)
        if isinstance(parsed, TitleRef) or imdb_id_of(parsed):
            media = parsed.media_type if isinstance(parsed, TitleRef) else None
            await self._details(interaction, query, media)
            return
        await interaction.response.defer(thinking=True)
        guild = await guild_of(interaction)
        catalog = bot_of(interaction).services.catalog
        text = parsed

        async def fetch(page: int) -> SearchPage:
            return await catalog.search(text, media=media_type, page=page, language=guild.language)

        await paged_results(
            interaction, f"Search “{text}”", fetch, "Use /movie or /tv with an id for details"
        )

    @app_commands.command(name="movie", description="Show a film's details")
    @app_commands.describe(
        movie_id="A film: type its title and pick it, or give its TMDB or IMDb id or link"
    )
    @app_commands.autocomplete(movie_id=movie_autocomplete)
    @app_commands.guild_only()
    async def movie(self, interaction: discord.Interaction, movie_id: str) -> None:
        """Film details: overview, genres, release, runtime, rating, budget, revenue, cast."""
        await self._details(interaction, movie_id, MediaType.MOVIE)

    @app_commands.command(name="tv", description="Show a TV show's details")
    @app_commands.describe(
        tv_id="A show: type its name and pick it, or give its TMDB or IMDb id or link"
    )
    @app_commands.autocomplete(tv_id=tv_autocomplete)
    @app_commands.guild_only()
    async def tv(self, interaction: discord.Interaction, tv_id: str) -> None:
        """Show details: status, networks, seasons, last and next episode, creators, cast."""
        await self._details(interaction, tv_id, MediaType.TV)

    @app_commands.command(
        name="trending", description="What is trending on TMDB today or this week"
    )
    @app_commands.describe(media_type="Films, TV shows or both", time_window="Today or this week")
    @app_commands.guild_only()
    async def trending(
        self,
        interaction: discord.Interaction,
        media_type: MediaChoice = "all",
        time_window: Literal["day", "week"] = "week",
    ) -> None:
        """Trending titles, paginated."""
        await interaction.response.defer(thinking=True)
        guild = await guild_of(interaction)
        catalog = bot_of(interaction).services.catalog

        async def fetch(page: int) -> SearchPage:
            return await catalog.trending(
                media_type, time_window, page=page, language=guild.language
            )

        label = {"day": "today", "week": "this week"}[time_window]
        await paged_results(interaction, f"Trending {label}", fetch, "Trending on TMDB")

    @app_commands.command(name="similar", description="Titles similar to a film or show")
    @app_commands.describe(query=TITLE_QUERY_HELP)
    @app_commands.autocomplete(query=title_autocomplete)
    @app_commands.guild_only()
    async def similar(self, interaction: discord.Interaction, query: str) -> None:
        """Titles TMDB finds similar to one title."""
        await interaction.response.defer(thinking=True)
        guild = await guild_of(interaction)
        catalog = bot_of(interaction).services.catalog
        resolution = await catalog.resolve(query, language=guild.language)

        async def show(reply: Reply, title: TitleSummary) -> None:
            page = await catalog.similar(title.ref, language=guild.language)
            if not page.items:
                await reply.send(f"TMDB knows no titles similar to {title.title} yet.")
                return
            embed = list_embed(
                f"Like {title.label}", page.items[:PER_PAGE], 1, "Similar titles from TMDB"
            )
            await reply.send(embed=embed)

        await pick_or_run(interaction, resolution.choices, show, "Which title did you mean?")

    async def _details(
        self, interaction: discord.Interaction, text: str, media: MediaType | None
    ) -> None:
        await interaction.response.defer(thinking=True)
        guild = await guild_of(interaction)
        catalog = bot_of(interaction).services.catalog
        parsed = parse_title_query(text)
        if isinstance(parsed, str) and imdb_id_of(parsed):
            parsed = await catalog.parse(parsed, language=guild.language, media=media)
        if isinstance(parsed, TitleRef) or (media is not None and parsed.isdigit()):
            ref = parse_ref(str(parsed), media)
            choices = [TitleSummary(ref, "", None, "", None, 0.0, 0)]
        else:
            scope: MediaFilter = "all" if media is None else media.value
            choices = (await catalog.resolve(parsed, language=guild.language, media=scope)).choices

        async def show(reply: Reply, title: TitleSummary) -> None:
            details = await catalog.details(title.ref, language=guild.language)
            poster = catalog.image_url(details.poster_path, "w342")
            backdrop = catalog.image_url(details.backdrop_path, "w780")
            if isinstance(details, MovieDetails):
                embed = movie_embed(details, poster, backdrop, guild.region)
            else:
                assert isinstance(details, TVDetails)
                embed = tv_embed(details, poster, backdrop, guild.region)
            await reply.send(embed=embed)

        what = media.label.lower() if media is not None else "title"
        await pick_or_run(interaction, choices, show, f"Which {what} did you mean?")
