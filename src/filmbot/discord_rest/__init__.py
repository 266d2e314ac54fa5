"""Discord over REST: endpoint overrides, a gateway-less client and the notification sender.

The bot (through its gateway connection) and `filmbot check-updates --once` (REST only) both
deliver update notifications through `DiscordNotificationSender`.
"""

from filmbot.discord_rest.client import (
    LOGIN_REFUSED,
    MAX_RATELIMIT_WAIT,
    DiscordTokenRejected,
    rest_client,
)
from filmbot.discord_rest.endpoints import apply_discord_endpoints
from filmbot.discord_rest.sender import DiscordNotificationSender

__all__ = [
    "LOGIN_REFUSED",
    "MAX_RATELIMIT_WAIT",
    "DiscordNotificationSender",
    "DiscordTokenRejected",
    "apply_discord_endpoints",
    "rest_client",
]
