"""Channels a setting may name: text channels of the server that the bot can post embeds in."""

from __future__ import annotations

import re

import discord

from filmbot.domain.errors import InvalidInputError

_CHANNEL = re.compile(r"^<#(\d{15,21})>$")
CLEAR_WORDS = {"none", "off", "clear", "-"}
Postable = discord.TextChannel | discord.Thread | discord.VoiceChannel


def postable_channel(guild: discord.Guild, channel: object) -> Postable:
    """Return the channel when it is a text channel of this server the bot can post embeds in."""
    if not isinstance(channel, Postable) or channel.guild.id != guild.id:
        raise InvalidInputError("Pick a text channel of this server.")
    me = guild.me
    if me is None:
        raise InvalidInputError("I can't see my own permissions here yet; try again in a moment.")
    permissions = channel.permissions_for(me)
    missing = [
        name
        for name, ok in (
            ("View Channel", permissions.view_channel),
            ("Send Messages", permissions.send_messages),
            ("Embed Links", permissions.embed_links),
        )
        if not ok
    ]
    if missing:
        raise InvalidInputError(
            f"I can't post in {channel.mention}: I need {', '.join(missing)} there."
        )
    return channel


def find_channel(guild: discord.Guild, text: str) -> Postable:
    """Parse `#channel`, a channel id or a channel name."""
    wanted = text.strip()
    match = _CHANNEL.match(wanted)
    channel: object = None
    if match or wanted.isdigit():
        channel = guild.get_channel_or_thread(int(match.group(1) if match else wanted))
    else:
        name = wanted.lstrip("#").casefold()
        channel = next((c for c in guild.text_channels if c.name.casefold() == name), None)
    if channel is None:
        raise InvalidInputError("There is no such channel in this server.")
    return postable_channel(guild, channel)


def channel_choices(guild: discord.Guild | None, current: str, *, clear: bool) -> list[str]:
    """Autocomplete values for a channel option: `#name`s (and `none` when it can be cleared)."""
    if guild is None:
        return []
    names = [
        f"#{c.name}"
        for c in guild.text_channels
        if current.lstrip("#").casefold() in c.name.casefold()
    ]
    return ["none", *names] if clear else names
