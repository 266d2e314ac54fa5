"""Where a server's notification goes: its subscription's channel, the kind's, or the default.

A film's notifications go to the server's `movie_channel`, a show's to its `tv_channel`, each
falling back to `notification_channel`; a subscription with its own channel overrides all
three. None means the server has set no channel for it yet, so the notification waits.
"""

from __future__ import annotations

from dataclasses import dataclass

from filmbot.domain.models import Guild, MediaType


@dataclass(frozen=True, slots=True)
class ChannelRoutes:
    """A server's channels for notifications."""

    notification_channel_id: int | None = None
    movie_channel_id: int | None = None
    tv_channel_id: int | None = None

    @classmethod
    def of(cls, guild: Guild) -> ChannelRoutes:
        """The guild's routes."""
        return cls(guild.notification_channel_id, guild.movie_channel_id, guild.tv_channel_id)

    def channel_for(self, media_type: MediaType, override: int | None = None) -> int | None:
        """The channel a notification about a title of `media_type` goes to."""
        if override is not None:
            return override
        kind_channel = (
            self.movie_channel_id if media_type is MediaType.MOVIE else self.tv_channel_id
        )
        return kind_channel if kind_channel is not None else self.notification_channel_id

    def any_channel(self) -> bool:
        """Whether the server has set any channel at all."""
        return any(
            c is not None
            for c in (self.notification_channel_id, self.movie_channel_id, self.tv_channel_id)
        )

    def describe(self, channel_id: int) -> str:
        """Name the setting that sends notifications to the channel, for problem reports."""
        names = [
            name
            for name, value in (
                ("notification channel", self.notification_channel_id),
                ("movie channel", self.movie_channel_id),
                ("TV channel", self.tv_channel_id),
            )
            if value == channel_id
        ]
        return " and ".join(names) if names else "channel of a subscription"
