"""Embeds for titles and lists of titles."""

from __future__ import annotations

import discord

from filmbot.domain.limits import clip
from filmbot.domain.titles import imdb_url, tmdb_url
from filmbot.exts._ui.embeds import add_field, fit_embed, money, new_embed, stars
from filmbot.exts._ui.watch import watch_summary
from filmbot.services.catalog import SearchPage, TitleSummary
from filmbot.tmdb.models import Credits, MovieDetails, TitleDetails, TVDetails

PER_PAGE = 10


def _runtime(minutes: int | None) -> str | None:
    if not minutes:
        return None
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest} min" if hours else f"{rest} min"


def _top_cast(credits: Credits | None, count: int = 6) -> str | None:
    if credits is None or not credits.cast:
        return None
    cast = sorted(credits.cast, key=lambda c: c.order)[:count]
    return ", ".join(f"{c.name} ({c.character})" if c.character else c.name for c in cast)


def _crew(credits: Credits | None, job: str) -> str | None:
    if credits is None:
        return None
    names = list(dict.fromkeys(c.name for c in credits.crew if c.job == job))
    return ", ".join(names[:4]) or None


def links(details: TitleDetails) -> str:
    """`[TMDB](…) · [IMDb](…)`: the title's pages (IMDb when TMDB knows its id)."""
    found = [f"[TMDB]({tmdb_url(details.ref)})"]
    imdb_id = details.external_ids.imdb_id if details.external_ids else None
    if isinstance(details, MovieDetails):
        imdb_id = imdb_id or details.imdb_id
    if imdb_id:
        found.append(f"[IMDb]({imdb_url(imdb_id)})")
    return " · ".join(found)


def _watch_and_links(embed: discord.Embed, details: TitleDetails, region: str) -> None:
    add_field(
        embed, f"Where to watch ({region.upper()})", watch_summary(details, region), inline=False
    )
    add_field(embed, "Links", links(details), inline=False)


def movie_embed(
    movie: MovieDetails, poster: str | None, backdrop: str | None, region: str = "US"
) -> discord.Embed:
    """Film details: overview, genres, date, runtime, rating, money, director, cast, images."""
    year = f" ({movie.year})" if movie.year else ""
    embed = new_embed(
        f"{movie.display_title}{year}",
        description=movie.overview or "No overview yet.",
        url=tmdb_url(movie.ref),
    )
    if movie.tagline:
        embed.set_author(name=clip(movie.tagline, 256))
    add_field(embed, "Genres", ", ".join(g.name for g in movie.genres))
    add_field(
        embed, "Release date", movie.release_date.isoformat() if movie.release_date else "unknown"
    )
    add_field(embed, "Status", movie.status)
    add_field(embed, "Runtime", _runtime(movie.runtime))
    add_field(embed, "Rating", stars(movie.vote_average, movie.vote_count))
    add_field(embed, "Budget", money(movie.budget))
    add_field(embed, "Revenue", money(movie.revenue))
    add_field(embed, "Director", _crew(movie.credits, "Director"))
    add_field(embed, "Top cast", _top_cast(movie.credits), inline=False)
    _watch_and_links(embed, movie, region)
    if poster:
        embed.set_thumbnail(url=poster)
    if backdrop:
        embed.set_image(url=backdrop)
    return fit_embed(embed)


def tv_embed(
    show: TVDetails, poster: str | None, backdrop: str | None, region: str = "US"
) -> discord.Embed:
    """Show details: status, networks, seasons, last and next episode, creators, cast."""
    year = f" ({show.year})" if show.year else ""
    embed = new_embed(
        f"{show.display_title}{year}",
        description=show.overview or "No overview yet.",
        url=tmdb_url(show.ref),
    )
    add_field(embed, "Status", show.status)
    add_field(embed, "Networks", ", ".join(n.name for n in show.networks))
    add_field(embed, "Seasons / episodes", f"{show.number_of_seasons} / {show.number_of_episodes}")
    add_field(embed, "Genres", ", ".join(g.name for g in show.genres))
    add_field(embed, "Rating", stars(show.vote_average, show.vote_count))
    add_field(
        embed, "First aired", show.first_air_date.isoformat() if show.first_air_date else None
    )
    for label, episode in (
        ("Last episode", show.last_episode_to_air),
        ("Next episode", show.next_episode_to_air),
    ):
        if episode is not None:
            when = episode.air_date.isoformat() if episode.air_date else "date unknown"
            add_field(
                embed, label, f"{episode.code} · {episode.name or 'TBA'} · {when}", inline=False
            )
    add_field(embed, "Created by", ", ".join(c.name for c in show.created_by))
    add_field(embed, "Top cast", _top_cast(show.credits), inline=False)
    _watch_and_links(embed, show, region)
    if poster:
        embed.set_thumbnail(url=poster)
    if backdrop:
        embed.set_image(url=backdrop)
    return fit_embed(embed)


def summary_line(item: TitleSummary, number: int) -> str:
    """One numbered line of a result list."""
    rating = f" · ★ {item.vote_average:.1f}" if item.vote_count else ""
    link = f"**{number}. [{clip(item.label, 120)}]({tmdb_url(item.ref)})**{rating}"
    return f"{link}\n`{item.ref}` {clip(item.overview, 140)}"


def list_embed(
    title: str, items: list[TitleSummary], first_number: int, footer_note: str
) -> discord.Embed:
    """A page of results."""
    lines = [summary_line(item, first_number + i) for i, item in enumerate(items)]
    embed = new_embed(title, description="\n".join(lines) if lines else "Nothing here.")
    embed.set_footer(text=clip(f"{footer_note} · {embed.footer.text}", 2048))
    return embed


def page_title(page: SearchPage) -> str:
    """'123 results'."""
    return f"{page.total_results:,} result{'s' if page.total_results != 1 else ''}"
