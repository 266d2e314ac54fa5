"""Who may see what: members see a server's overview and charts, Manage Server the rest."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from filmbot.domain.errors import FilmBotError

ADMINISTRATOR = 1 << 3
MANAGE_GUILD = 1 << 5


class Access(enum.IntEnum):
    """What a viewer may do in one server, ordered."""

    NONE = 0
    MEMBER = 1
    ADMIN = 2


class AccessDenied(FilmBotError):
    """The viewer may not see this (not logged in, not a member, or no Manage Server)."""

    def __init__(self, needed: Access, logged_in: bool) -> None:
        super().__init__("Log in with Discord first." if not logged_in else _REASONS[needed])
        self.needed = needed
        self.logged_in = logged_in


_REASONS = {
    Access.NONE: "You may not see this.",
    Access.MEMBER: "You are not a member of that server, or FilmBot is not in it.",
    Access.ADMIN: "Only members with Manage Server may see this.",
}


@dataclass(frozen=True, slots=True)
class MemberGuild:
    """A server as /users/@me/guilds lists it for the member."""

    id: int
    name: str
    permissions: int
    owner: bool = False

    @property
    def can_manage(self) -> bool:
        """Manage Server, Administrator, or the owner."""
        return self.owner or bool(self.permissions & (MANAGE_GUILD | ADMINISTRATOR))


@dataclass(frozen=True, slots=True)
class Viewer:
    """The logged-in member and the servers they share with the bot."""

    user_id: int
    username: str
    guilds: dict[int, MemberGuild] = field(default_factory=dict)
    bot_guilds: frozenset[int] = frozenset()

    def access(self, guild_id: int) -> Access:
        """The viewer's access to the server (NONE unless both they and the bot are in it)."""
        guild = self.guilds.get(guild_id)
        if guild is None or guild_id not in self.bot_guilds:
            return Access.NONE
        return Access.ADMIN if guild.can_manage else Access.MEMBER

    def visible(self) -> list[int]:
        """Servers both the viewer and the bot are in."""
        return [g for g in self.guilds if g in self.bot_guilds]


def require(viewer: Viewer | None, guild_id: int, needed: Access) -> Viewer:
    """Return the viewer when they have at least `needed` in the server; else AccessDenied."""
    if viewer is None:
        raise AccessDenied(needed, logged_in=False)
    if viewer.access(guild_id) < needed:
        raise AccessDenied(needed, logged_in=True)
    return viewer
