"""Post a member's activity (rated, reviewed, watched) to the server's activity channel."""

from __future__ import annotations

import logging

import discord

from filmbot.domain.social import Activity, FeedKind
from filmbot.exts._ui.context import bot_of

log = logging.getLogger(__name__)


def activity(
    interaction: discord.Interaction,
    kind: FeedKind,
    title: str,
    *,
    score: int | None = None,
    review: str | None = None,
    spoilers: bool = False,
) -> Activity:
    """What the member did, with their name and the title escaped for Discord markdown.

    The review stays as written: the feed shows its first line and never pings anyone.
    """
    if kind is FeedKind.RATED and review:
        kind = FeedKind.REVIEWED
    escape = discord.utils.escape_markdown
    return Activity(
        kind,
        escape(interaction.user.display_name),
        escape(title),
        score=score,
        review=review,
        spoilers=spoilers,
    )


async def announce(interaction: discord.Interaction, what: Activity) -> None:
    """Post to the activity channel when the server has one and the member opted in.

    A feed post is a courtesy: when it fails, the rating still stands, so it is only logged.
    """
    if interaction.guild_id is None:
        return
    bot = bot_of(interaction)
    post = await bot.services.activity.post_for(interaction.guild_id, interaction.user.id, what)
    if post is None:
        return
    channel = bot.get_partial_messageable(post.channel_id, guild_id=interaction.guild_id)
    try:
        await channel.send(post.text, allowed_mentions=discord.AllowedMentions.none())
    except discord.HTTPException as exc:
        log.warning("Could not post to the activity channel %s: %s", post.channel_id, exc)
