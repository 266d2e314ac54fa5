"""The activity feed: which channel hears that a member rated, reviewed or watched a title."""

from __future__ import annotations

from dataclasses import dataclass

from filmbot.db.repositories import GuildRepository
from filmbot.db.repositories.social import PreferenceRepository
from filmbot.db.session import Sessions
from filmbot.domain.social import Activity, feed_line


@dataclass(frozen=True, slots=True)
class FeedPost:
    """One line for one channel."""

    channel_id: int
    text: str


class ActivityService:
    """Decide whether and where a member's activity is posted (only with their opt-in)."""

    def __init__(self, sessions: Sessions) -> None:
        self._sessions = sessions

    async def post_for(self, guild_id: int, user_id: int, activity: Activity) -> FeedPost | None:
        """The activity channel's post; None when the feed is off or the member did not opt in."""
        async with self._sessions() as session:
            guild = await GuildRepository(session).get(guild_id)
            if guild is None or guild.activity_channel_id is None:
                return None
            if not (await PreferenceRepository(session).get(user_id)).activity:
                return None
        return FeedPost(guild.activity_channel_id, feed_line(activity))
