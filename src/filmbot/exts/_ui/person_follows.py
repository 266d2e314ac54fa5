"""How followed people look in replies, listings and autocomplete (servers and members)."""

from __future__ import annotations

from discord import app_commands

from filmbot.domain.limits import clip
from filmbot.domain.people import person_url
from filmbot.domain.person_follows import PersonFollow

FIELD_LIMIT = 1024
ANNOUNCES = "new titles they direct or star in (top 10 billed)"


def person_line(follow: PersonFollow) -> str:
    """One followed person, linked to TMDB."""
    return f"**[{clip(follow.name, 100)}]({person_url(follow.person_id)})** · {ANNOUNCES}"


def people_field(follows: list[PersonFollow]) -> str:
    """The followed people as one embed field value."""
    return clip("\n".join(person_line(f) for f in follows), FIELD_LIMIT)


def person_choices(follows: list[PersonFollow]) -> list[app_commands.Choice[str]]:
    """Autocomplete choices naming followed people by `person:ID`."""
    return [
        app_commands.Choice(name=clip(f"{f.name} · person", 100), value=f.option_value)
        for f in follows
    ]


def followed_message(follow: PersonFollow, who: str) -> str:
    """The description of a new person follow's confirmation."""
    return (
        f"{who} will hear when {follow.name} gets a new title as director or as one of the "
        "top 10 billed cast. Their existing credits are not announced."
    )
