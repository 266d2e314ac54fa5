"""Text commands with the configured PREFIX, for servers used to prefix bots.

They need the Message Content intent (MESSAGE_CONTENT_INTENT=true and enabled in the
developer portal); slash commands remain the full interface.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Literal, cast

import discord
from discord.ext import commands

from filmbot.domain.errors import FilmBotError
from filmbot.domain.models import MediaType, TitleRef
from filmbot.domain.titles import parse_title_query
from filmbot.exts._ui.errors import refusal
from filmbot.exts._ui.titles import PER_PAGE, list_embed, movie_embed, tv_embed
from filmbot.tmdb.models import MovieDetails

if TYPE_CHECKING:
    from filmbot.bot import FilmBot

log = logging.getLogger(__name__)

NO_PINGS = discord.AllowedMentions.none()


class Legacy(commands.Cog):
    """Prefix versions of the lookup commands."""

    def __init__(self, bot: commands.Bot) -> None:
        self.bot = cast("FilmBot", bot)

    async def cog_check(self, ctx: commands.Context[commands.Bot]) -> bool:  # type: ignore[override]
        """Serve servers only, never other bots."""
        return ctx.guild is not None and not ctx.author.bot

    async def cog_command_error(  # type: ignore[override]
        self, ctx: commands.Context[commands.Bot], error: Exception
    ) -> None:
        """Reply briefly to bad input and domain errors; log the rest."""
        original = getattr(error, "original", error)
        if isinstance(original, FilmBotError):
            message = refusal(original)
        elif isinstance(error, commands.UserInputError):
            signature = ctx.command.signature if ctx.command else ""
            message = f"Usage: `{ctx.clean_prefix}{ctx.command} {signature}`"
        elif isinstance(error, commands.CheckFailure):
            return
        else:
            log.error("Prefix command %s failed", ctx.command, exc_info=original)
            message = "💥 Something went wrong on our side. It has been logged."
        await ctx.send(message, allowed_mentions=NO_PINGS)

    async def _language(self, ctx: commands.Context[commands.Bot]) -> str:
        assert ctx.guild is not None
        return (await self.bot.guild_config(ctx.guild.id, ctx.guild.name)).language

    @commands.command(name="search")
    async def search(self, ctx: commands.Context[commands.Bot], *, query: str) -> None:
        """Search films and TV shows: !search dune"""
        catalog = self.bot.services.catalog
        async with ctx.typing():
            text = parse_title_query(query)
            if isinstance(text, TitleRef):
                text = query
            page = await catalog.search(text, language=await self._language(ctx))
        if not page.items:
            await ctx.send(
                f"Nothing found for “{discord.utils.escape_markdown(str(text)[:80])}”.",
                allowed_mentions=NO_PINGS,
            )
            return
        embed = list_embed(
            f"Search “{text}”", page.items[:PER_PAGE], 1, "Use /search for all pages"
        )
        await ctx.send(embed=embed, allowed_mentions=NO_PINGS)

    @commands.command(name="movie")
    async def movie(self, ctx: commands.Context[commands.Bot], *, query: str) -> None:
        """A film's details: !movie Dune: Part Two, !movie movie:693134"""
        await self._details(ctx, query, MediaType.MOVIE)

    @commands.command(name="tv")
    async def tv(self, ctx: commands.Context[commands.Bot], *, query: str) -> None:
        """A show's details: !tv Breaking Bad, !tv tv:1396"""
        await self._details(ctx, query, MediaType.TV)

    @commands.command(name="trending")
    async def trending(
        self,
        ctx: commands.Context[commands.Bot],
        media_type: Literal["all", "movie", "tv"] = "all",
        time_window: Literal["day", "week"] = "week",
    ) -> None:
        """Trending titles: !trending [all|movie|tv] [day|week]"""
        async with ctx.typing():
            page = await self.bot.services.catalog.trending(
                media_type, time_window, language=await self._language(ctx)
            )
        label = "today" if time_window == "day" else "this week"
        embed = list_embed(f"Trending {label}", page.items[:PER_PAGE], 1, "Trending on TMDB")
        await ctx.send(embed=embed, allowed_mentions=NO_PINGS)

    @commands.command(name="help")
    async def help_(self, ctx: commands.Context[commands.Bot]) -> None:
        """List the prefix commands."""
        p = ctx.clean_prefix
        lines = [
            f"`{p}search <query>` · `{p}movie <title or movie:ID>` · `{p}tv <title or tv:ID>` · "
            f"`{p}trending [all|movie|tv] [day|week]`",
            "Everything else (subscriptions, watchlists, recommendations, settings) "
            "is a slash command: type `/`.",
        ]
        await ctx.send("\n".join(lines), allowed_mentions=NO_PINGS)

    async def _details(
        self, ctx: commands.Context[commands.Bot], query: str, media: MediaType
    ) -> None:
        catalog = self.bot.services.catalog
        assert ctx.guild is not None
        guild = await self.bot.guild_config(ctx.guild.id, ctx.guild.name)
        language = guild.language
        async with ctx.typing():
            resolution = await catalog.resolve(query, language=language, media=media.value)
            if resolution.single is None:
                embed = list_embed(
                    "Several titles match",
                    resolution.choices[:PER_PAGE],
                    1,
                    f"Use {ctx.clean_prefix}{media.value} {media.value}:ID",
                )
                await ctx.send(embed=embed, allowed_mentions=NO_PINGS)
                return
            details = await catalog.details(resolution.single.ref, language=language)
        poster = catalog.image_url(details.poster_path, "w342")
        backdrop = catalog.image_url(details.backdrop_path, "w780")
        if isinstance(details, MovieDetails):
            embed = movie_embed(details, poster, backdrop, guild.region)
        else:
            embed = tv_embed(details, poster, backdrop, guild.region)
        await ctx.send(embed=embed, allowed_mentions=NO_PINGS)
