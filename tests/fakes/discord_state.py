"""World model of the fake Discord: users, guilds, channels, roles and their JSON payloads."""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

DISCORD_EPOCH_MS = 1_420_070_400_000

# Permission bits (https://discord.com/developers/docs/topics/permissions).
CREATE_INSTANT_INVITE = 1 << 0
ADMINISTRATOR = 1 << 3
MANAGE_CHANNELS = 1 << 4
MANAGE_GUILD = 1 << 5
ADD_REACTIONS = 1 << 6
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
MANAGE_MESSAGES = 1 << 13
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
READ_MESSAGE_HISTORY = 1 << 16
MENTION_EVERYONE = 1 << 17
USE_EXTERNAL_EMOJIS = 1 << 18
MANAGE_ROLES = 1 << 28
USE_APPLICATION_COMMANDS = 1 << 31
SEND_MESSAGES_IN_THREADS = 1 << 38
ALL_PERMISSIONS = (1 << 51) - 1

EVERYONE_DEFAULT = (
    CREATE_INSTANT_INVITE
    | ADD_REACTIONS
    | VIEW_CHANNEL
    | SEND_MESSAGES
    | EMBED_LINKS
    | ATTACH_FILES
    | READ_MESSAGE_HISTORY
    | USE_EXTERNAL_EMOJIS
    | USE_APPLICATION_COMMANDS
    | SEND_MESSAGES_IN_THREADS
)
BOT_ROLE_DEFAULT = EVERYONE_DEFAULT | MANAGE_MESSAGES | MENTION_EVERYONE

TEXT_CHANNEL = 0
DM_CHANNEL = 1
VOICE_CHANNEL = 2
CATEGORY_CHANNEL = 4
ANNOUNCEMENT_CHANNEL = 5


class SnowflakeFactory:
    """Hand out unique, time-ordered snowflakes."""

    def __init__(self) -> None:
        self._last = 0
        self._counter = itertools.count()

    def __call__(self) -> int:
        now = int(time.time() * 1000) - DISCORD_EPOCH_MS
        value = (now << 22) | ((next(self._counter) % 4096) << 0)
        self._last = max(value, self._last + 1)
        return self._last


def iso_now() -> str:
    """Return the current UTC time as Discord formats timestamps."""
    return datetime.now(UTC).isoformat()


def guild_id_for_shard(
    shard_id: int, shard_count: int, base: int = 1_100_000_000_000_000_001
) -> int:
    """Return a guild id at or after ``base`` that lands on ``shard_id``."""
    guild_id = base
    while (guild_id >> 22) % shard_count != shard_id:
        guild_id += 1 << 22
    return guild_id


@dataclass
class FakeUser:
    """A Discord user account."""

    id: int
    username: str
    bot: bool = False
    global_name: str | None = None

    def payload(self) -> dict[str, Any]:
        """Return the user object."""
        return {
            "id": str(self.id),
            "username": self.username,
            "discriminator": "0",
            "global_name": self.global_name,
            "avatar": None,
            "bot": self.bot,
            "system": False,
            "public_flags": 0,
            "flags": 0,
            "banner": None,
            "accent_color": None,
            "avatar_decoration_data": None,
            "primary_guild": None,
        }

    @property
    def mention(self) -> str:
        """Return the mention markup of the user."""
        return f"<@{self.id}>"


@dataclass
class FakeRole:
    """A guild role."""

    id: int
    name: str
    permissions: int
    position: int
    managed: bool = False
    color: int = 0

    def payload(self) -> dict[str, Any]:
        """Return the role object."""
        return {
            "id": str(self.id),
            "name": self.name,
            "color": self.color,
            "colors": {
                "primary_color": self.color,
                "secondary_color": None,
                "tertiary_color": None,
            },
            "hoist": False,
            "icon": None,
            "unicode_emoji": None,
            "position": self.position,
            "permissions": str(self.permissions),
            "managed": self.managed,
            "mentionable": True,
            "flags": 0,
        }

    @property
    def mention(self) -> str:
        """Return the mention markup of the role."""
        return f"<@&{self.id}>"


@dataclass
class FakeMember:
    """A user's membership in one guild."""

    user: FakeUser
    guild_id: int
    role_ids: list[int] = field(default_factory=list)
    nick: str | None = None
    joined_at: str = field(default_factory=iso_now)

    @property
    def id(self) -> int:
        """Return the user id."""
        return self.user.id

    def payload(self, *, with_user: bool = True) -> dict[str, Any]:
        """Return the guild member object."""
        data: dict[str, Any] = {
            "roles": [str(role_id) for role_id in self.role_ids],
            "nick": self.nick,
            "avatar": None,
            "banner": None,
            "joined_at": self.joined_at,
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "communication_disabled_until": None,
        }
        if with_user:
            data["user"] = self.user.payload()
        return data


@dataclass
class FakeChannel:
    """A guild text channel (or a DM channel when ``guild_id`` is None)."""

    id: int
    name: str
    guild_id: int | None
    type: int = TEXT_CHANNEL
    position: int = 0
    topic: str | None = None
    bot_forbidden: bool = False
    recipients: list[FakeUser] = field(default_factory=list)

    def payload(self, everyone_role_id: int | None = None) -> dict[str, Any]:
        """Return the channel object."""
        if self.type == DM_CHANNEL:
            return {
                "id": str(self.id),
                "type": DM_CHANNEL,
                "last_message_id": None,
                "recipients": [user.payload() for user in self.recipients],
            }
        overwrites = []
        if self.bot_forbidden and everyone_role_id is not None:
            deny = SEND_MESSAGES | SEND_MESSAGES_IN_THREADS
            overwrites.append(
                {"id": str(everyone_role_id), "type": 0, "allow": "0", "deny": str(deny)}
            )
        return {
            "id": str(self.id),
            "type": self.type,
            "guild_id": str(self.guild_id),
            "name": self.name,
            "position": self.position,
            "permission_overwrites": overwrites,
            "topic": self.topic,
            "nsfw": False,
            "parent_id": None,
            "rate_limit_per_user": 0,
            "last_message_id": None,
            "last_pin_timestamp": None,
            "flags": 0,
        }

    @property
    def mention(self) -> str:
        """Return the mention markup of the channel."""
        return f"<#{self.id}>"


@dataclass
class FakeGuild:
    """A guild with its channels, roles and members."""

    id: int
    name: str
    owner_id: int
    snowflake: SnowflakeFactory
    channels: dict[int, FakeChannel] = field(default_factory=dict)
    roles: dict[int, FakeRole] = field(default_factory=dict)
    members: dict[int, FakeMember] = field(default_factory=dict)
    preferred_locale: str = "en-US"

    def __post_init__(self) -> None:
        if self.id not in self.roles:
            self.roles[self.id] = FakeRole(self.id, "@everyone", EVERYONE_DEFAULT, 0)

    @property
    def everyone(self) -> FakeRole:
        """Return the @everyone role."""
        return self.roles[self.id]

    def add_role(self, name: str, permissions: int = 0, *, managed: bool = False) -> FakeRole:
        """Create a role above the existing ones."""
        role = FakeRole(self.snowflake(), name, permissions, len(self.roles), managed=managed)
        self.roles[role.id] = role
        return role

    def add_channel(
        self, name: str, *, bot_forbidden: bool = False, channel_type: int = TEXT_CHANNEL
    ) -> FakeChannel:
        """Create a channel; ``bot_forbidden`` denies the bot sending there."""
        channel = FakeChannel(
            self.snowflake(),
            name,
            self.id,
            type=channel_type,
            position=len(self.channels),
            bot_forbidden=bot_forbidden,
        )
        self.channels[channel.id] = channel
        return channel

    def add_member(self, user: FakeUser, roles: list[FakeRole] | None = None) -> FakeMember:
        """Make ``user`` a member with ``roles``."""
        member = FakeMember(user, self.id, [role.id for role in roles or []])
        self.members[user.id] = member
        return member

    def role_named(self, name: str) -> FakeRole:
        """Return the role called ``name``."""
        return next(role for role in self.roles.values() if role.name == name)

    def channel_named(self, name: str) -> FakeChannel:
        """Return the channel called ``name``."""
        return next(chan for chan in self.channels.values() if chan.name == name)

    def permissions_of(self, member: FakeMember, channel: FakeChannel | None = None) -> int:
        """Compute ``member``'s permissions, in ``channel`` when given."""
        if member.id == self.owner_id:
            return ALL_PERMISSIONS
        value = self.everyone.permissions
        for role_id in member.role_ids:
            value |= self.roles[role_id].permissions
        if value & ADMINISTRATOR:
            return ALL_PERMISSIONS
        if channel is not None and channel.bot_forbidden:
            value &= ~(SEND_MESSAGES | SEND_MESSAGES_IN_THREADS)
        return value

    def channel_payload(self, channel: FakeChannel) -> dict[str, Any]:
        """Return ``channel``'s object with this guild's overwrites."""
        return channel.payload(self.id)

    def partial_payload(self) -> dict[str, Any]:
        """Return the guild object as REST GET /guilds/{id} answers."""
        return {
            "id": str(self.id),
            "name": self.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": str(self.owner_id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "features": [],
            "mfa_level": 0,
            "application_id": None,
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "safety_alerts_channel_id": None,
            "vanity_url_code": None,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "preferred_locale": self.preferred_locale,
            "nsfw_level": 0,
            "premium_progress_bar_enabled": False,
            "max_members": 500000,
            "max_video_channel_users": 25,
            "roles": [role.payload() for role in self.roles.values()],
            "emojis": [],
            "stickers": [],
            "approximate_member_count": len(self.members),
            "approximate_presence_count": 0,
        }

    def create_payload(self, *, joined: bool = False) -> dict[str, Any]:
        """Return the full GUILD_CREATE payload (``joined``: the bot was just added)."""
        data = self.partial_payload()
        if not joined:
            # Discord marks guilds becoming available after READY; a fresh join carries no flag.
            data["unavailable"] = False
        data.update(
            {
                "joined_at": iso_now(),
                "large": False,
                "member_count": len(self.members),
                "members": [member.payload() for member in self.members.values()],
                "channels": [self.channel_payload(chan) for chan in self.channels.values()],
                "threads": [],
                "presences": [],
                "voice_states": [],
                "stage_instances": [],
                "guild_scheduled_events": [],
                "soundboard_sounds": [],
                "embedded_activities": [],
            }
        )
        return data
