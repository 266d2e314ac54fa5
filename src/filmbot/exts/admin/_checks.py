"""Validate Discord-side setting values: channels the bot can post in, roles that exist."""

from __future__ import annotations

import re

import discord

from filmbot.domain.errors import InvalidInputError
from filmbot.exts._ui.channels import CLEAR_WORDS, Postable, find_channel, postable_channel

_ROLE = re.compile(r"^<@&(\d{15,21})>$")

__all__ = [
    "CLEAR_WORDS",
    "Postable",
    "checked_role",
    "find_channel",
    "find_role",
    "postable_channel",
]


def find_role(guild: discord.Guild, text: str) -> discord.Role | None:
    """Parse `@role`, a role id or a role name; None clears the role."""
    wanted = text.strip()
    if wanted.casefold() in CLEAR_WORDS:
        return None
    match = _ROLE.match(wanted)
    role: discord.Role | None
    if match or wanted.isdigit():
        role = guild.get_role(int(match.group(1) if match else wanted))
    else:
        name = wanted.lstrip("@").casefold()
        role = next((r for r in guild.roles if r.name.lstrip("@").casefold() == name), None)
    if role is None:
        raise InvalidInputError("There is no such role in this server.")
    return checked_role(role)


def checked_role(role: discord.Role) -> discord.Role:
    """Refuse @everyone and managed (bot) roles as the notification role."""
    if role.is_default():
        raise InvalidInputError(
            "@everyone can't be the notification role: FilmBot never pings everyone."
        )
    if role.managed:
        raise InvalidInputError("That role belongs to an integration; pick a normal role.")
    return role
