"""The /person embed: biography, photo, known for, directing and acting credits, upcoming."""

from __future__ import annotations

import discord

from filmbot.domain.limits import clip
from filmbot.domain.people import person_url
from filmbot.domain.titles import tmdb_url
from filmbot.exts._ui.embeds import add_field, fit_embed, new_embed
from filmbot.services.people import Filmography
from filmbot.tmdb.people import PersonCredit, PersonDetails

LINES_PER_FIELD = 8
BIOGRAPHY_LENGTH = 900


def _line(credit: PersonCredit, *, role: bool = False) -> str:
    year = str(credit.released.year) if credit.released else "TBA"
    title = clip(credit.display_title or "Untitled", 60)
    link = f"[{discord.utils.escape_markdown(title)}]({tmdb_url(credit.ref)})"
    as_whom = f" as {clip(credit.character, 40)}" if role and credit.character else ""
    return f"{year} · {link}{as_whom}"


def _lines(credits: list[PersonCredit], *, role: bool = False) -> str | None:
    if not credits:
        return None
    lines = [_line(c, role=role) for c in credits[:LINES_PER_FIELD]]
    if len(credits) > LINES_PER_FIELD:
        lines.append(f"…and {len(credits) - LINES_PER_FIELD} more")
    return clip("\n".join(lines), 1024)


def _life(person: PersonDetails) -> str | None:
    parts = []
    if person.birthday:
        place = f" in {person.place_of_birth}" if person.place_of_birth else ""
        parts.append(f"Born {person.birthday.isoformat()}{place}")
    if person.deathday:
        parts.append(f"died {person.deathday.isoformat()}")
    return ", ".join(parts) or None


def person_embed(person: PersonDetails, films: Filmography, photo: str | None) -> discord.Embed:
    """A person's page."""
    biography = clip(person.biography, BIOGRAPHY_LENGTH) if person.biography else None
    embed = new_embed(
        person.name or "Unknown",
        description=biography or "No biography yet.",
        url=person_url(person.id),
    )
    add_field(embed, "Known for", ", ".join(c.display_title for c in films.known_for), inline=False)
    add_field(embed, "Department", person.known_for_department)
    add_field(embed, "Life", _life(person))
    add_field(embed, "As director", _lines(films.directed), inline=False)
    add_field(embed, "As actor", _lines(films.acted, role=True), inline=False)
    add_field(embed, "Upcoming", _lines(films.upcoming, role=True), inline=False)
    if person.imdb_id:
        add_field(embed, "IMDb", f"https://www.imdb.com/name/{person.imdb_id}/")
    if photo:
        embed.set_thumbnail(url=photo)
    embed.set_footer(text=clip(f"{films.total:,} credits · {embed.footer.text}", 2048))
    return fit_embed(embed)
