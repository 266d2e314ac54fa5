"""Deliver update notifications through discord.py's REST client."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import aiohttp
import discord

from filmbot.services.notifications import (
    ChannelUnavailable,
    MessageRejected,
    NotificationMessage,
    RetryLater,
    SentMessage,
)

log = logging.getLogger(__name__)

SEND_TIMEOUT = 60.0


class DiscordNotificationSender:
    """Post messages with `client.get_partial_messageable(...).send`; needs no gateway.

    A message's nonce goes with it; discord.py then asks Discord to enforce it
    (`enforce_nonce`), so a resend of the same nonce returns the message already posted.

    discord.py waits out 429s inside `send` (up to the client's max_ratelimit_timeout);
    what is left is reported as `RetryLater`, a missing or forbidden channel as
    `ChannelUnavailable` and any other refusal as `MessageRejected`.
    """

    def __init__(self, client: discord.Client, timeout: float = SEND_TIMEOUT) -> None:
        self._client = client
        self._timeout = timeout

    async def send(self, channel_id: int, message: NotificationMessage) -> SentMessage:
        """Post the message; raise a DeliveryError subclass when Discord does not take it."""
        channel = self._client.get_partial_messageable(channel_id)
        nonce: dict[str, Any] = {"nonce": message.nonce} if message.nonce else {}
        sending = channel.send(
            content=message.content or None,
            embeds=[discord.Embed.from_dict(embed) for embed in message.embeds],
            allowed_mentions=_allowed(message),
            **nonce,
        )
        try:
            sent = await asyncio.wait_for(sending, timeout=self._timeout)
        except discord.RateLimited as exc:
            raise RetryLater(f"rate limited for {exc.retry_after:.0f}s") from exc
        except (discord.Forbidden, discord.NotFound) as exc:
            raise ChannelUnavailable(_describe(exc)) from exc
        except discord.DiscordServerError as exc:
            raise RetryLater(_describe(exc)) from exc
        except discord.HTTPException as exc:
            if exc.status == 429:
                raise RetryLater(_describe(exc)) from exc
            raise MessageRejected(_describe(exc)) from exc
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise RetryLater(f"Discord unreachable ({type(exc).__name__})") from exc
        return SentMessage(message_id=sent.id)


def _allowed(message: NotificationMessage) -> discord.AllowedMentions:
    """Allow pinging the message's role(s) and nothing else."""
    roles = [discord.Object(id=int(r)) for r in message.allowed_mentions.get("roles", [])]
    return discord.AllowedMentions(everyone=False, users=False, roles=roles, replied_user=False)


def _describe(exc: discord.HTTPException) -> str:
    text = exc.text or exc.response.reason or "HTTP error"
    return f"{text} (HTTP {exc.status}, code {exc.code})"
