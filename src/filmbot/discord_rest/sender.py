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
    RecipientRefusesDMs,
    RetryLater,
    SentMessage,
)

log = logging.getLogger(__name__)

SEND_TIMEOUT = 60.0
CANNOT_DM = 50007


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
        extra: dict[str, Any] = {"nonce": message.nonce} if message.nonce else {}
        if message.components:
            extra["view"] = _buttons(message.components)
        sending = channel.send(
            content=message.content or None,
            embeds=[discord.Embed.from_dict(embed) for embed in message.embeds],
            allowed_mentions=_allowed(message),
            **extra,
        )
        try:
            sent = await asyncio.wait_for(sending, timeout=self._timeout)
        except discord.RateLimited as exc:
            raise RetryLater(f"rate limited for {exc.retry_after:.0f}s") from exc
        except (discord.Forbidden, discord.NotFound) as exc:
            if exc.code == CANNOT_DM:
                raise RecipientRefusesDMs(_describe(exc)) from exc
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

    async def open_dm(self, user_id: int) -> int:
        """Open (or find) the DM channel with the member: `POST /users/@me/channels`."""
        try:
            channel = await asyncio.wait_for(
                self._client.create_dm(discord.Object(id=user_id)), timeout=self._timeout
            )
        except discord.RateLimited as exc:
            raise RetryLater(f"rate limited for {exc.retry_after:.0f}s") from exc
        except (discord.Forbidden, discord.NotFound) as exc:
            raise RecipientRefusesDMs(_describe(exc)) from exc
        except discord.HTTPException as exc:
            raise RetryLater(_describe(exc)) from exc
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise RetryLater(f"Discord unreachable ({type(exc).__name__})") from exc
        return channel.id


def _buttons(components: tuple[dict[str, Any], ...]) -> discord.ui.View:
    """A view holding the message's buttons (the bot answers their clicks persistently)."""
    view = discord.ui.View(timeout=None)
    for button in components:
        view.add_item(
            discord.ui.Button(
                style=discord.ButtonStyle(int(button.get("style", 2))),
                label=button.get("label"),
                custom_id=button["custom_id"],
            )
        )
    # A stopped view is sent but not stored: the bot's persistent handler answers clicks.
    view.stop()
    return view


def _allowed(message: NotificationMessage) -> discord.AllowedMentions:
    """Allow pinging the message's role(s) and nothing else."""
    roles = [discord.Object(id=int(r)) for r in message.allowed_mentions.get("roles", [])]
    return discord.AllowedMentions(everyone=False, users=False, roles=roles, replied_user=False)


def _describe(exc: discord.HTTPException) -> str:
    text = exc.text or exc.response.reason or "HTTP error"
    return f"{text} (HTTP {exc.status}, code {exc.code})"
