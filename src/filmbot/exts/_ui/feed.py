"""Post a member's activity (rated, reviewed, watched) to the server's activity channel.

`feed_post` decides right after the action (so the opt-in in force then is the one that
counts); `publish` posts after the member got their reply.
"""

from __future__ import annotations

import logging

import discord

from filmbot.domain.social import Activity, FeedKind
from filmbot.exts._ui.context import bot_of
from filmbot.services.activity import FeedPost

log = logging.getLogger(__name__)


async def feed_post(
    interaction: discord.Interaction,
    kind: FeedKind,
    title: str,
    *,
    score: int | None = None,
    review: str | None = None,
    spoilers: bool = False,
) -> FeedPost | None:
    """The post for what the member did; None when the feed is off or they did not opt in.

    Their name and the title are escaped for Discord markdown; the review stays as written
    (the feed shows its first line and never pings anyone).
    """
    if interaction.guild_id is None:
        return None
    if kind is FeedKind.RATED and review:
        kind = FeedKind.REVIEWED
    escape = discord.utils.escape_markdown
    what = Activity(
        kind,
        escape(interaction.user.display_name),
        escape(title),
        score=score,
        review=review,
        spoilers=spoilers,
    )
    activity = bot_of(interaction).services.activity
    return await activity.post_for(interaction.guild_id, interaction.user.id, what)


async def publish(interaction: discord.Interaction, post: FeedPost | None) -> None:
    """Send the post, mentioning nobody.

    A feed post is a courtesy: when it fails, the rating still stands, so it is only logged.
    """
    if post is None:
        return
    channel = bot_of(interaction).get_partial_messageable(
        post.channel_id, guild_id=interaction.guild_id
    )
    try:
        await channel.send(post.text, allowed_mentions=discord.AllowedMentions.none())
    except discord.HTTPException as exc:
        log.warning("Could not post to the activity channel %s: %s", post.channel_id, exc)
