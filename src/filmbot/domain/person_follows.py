"""Following a person: a server or a member hears when the person gets a new title.

A follow belongs to a server (`guild_id`) or to a member personally (`user_id`, told by
DM). What counts as a new title, and how the back catalogue stays quiet, is in
`filmbot.domain.updates.credits`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from filmbot.domain.models import TitleRef
from filmbot.domain.people import person_ref

MAX_PERSON_FOLLOWS = 100
SUBSCRIBE_LABEL = "➕ Subscribe the server"
SUBSCRIBE_TEMPLATE = r"filmbot:subscribe:(?P<media>movie|tv):(?P<tmdb_id>[0-9]{1,12})"


def subscribe_custom_id(ref: TitleRef) -> str:
    """The custom_id of the button that subscribes the server to a person's new title."""
    return f"filmbot:subscribe:{ref.media_type.value}:{ref.tmdb_id}"


@dataclass(frozen=True, slots=True)
class PersonFollow:
    """A server's or a member's follow of a TMDB person."""

    person_id: int
    name: str
    guild_id: int | None = None
    user_id: int | None = None
    profile_path: str | None = None
    followed_at: datetime | None = None

    def __post_init__(self) -> None:
        """A follow has exactly one recipient."""
        if (self.guild_id is None) == (self.user_id is None):
            raise ValueError("a person follow belongs to a server or to a member")

    @property
    def option_value(self) -> str:
        """The value that names the person in a command option: `person:31`."""
        return person_ref(self.person_id)
