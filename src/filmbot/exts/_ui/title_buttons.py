"""Persistent buttons whose custom_id names a title: the parts every such button shares."""

from __future__ import annotations

import re

import discord

from filmbot.domain.models import MediaType, TitleRef


def title_button(label: str, custom_id: str) -> discord.ui.Button[discord.ui.View]:
    """The button a DynamicItem wraps: a secondary button with a title's custom_id."""
    return discord.ui.Button(label=label, style=discord.ButtonStyle.secondary, custom_id=custom_id)


def ref_of(match: re.Match[str]) -> TitleRef:
    """The title a matched custom_id names (its `media` and `tmdb_id` groups)."""
    return TitleRef(MediaType(match["media"]), int(match["tmdb_id"]))
