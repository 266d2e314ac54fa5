"""Direct messages in the fake Discord: slash commands used in a DM with the bot, members who
refuse DMs, and the DM messages the bot sent.

As Discord documents: `POST /users/@me/channels {recipient_id}` returns the DM channel
(type 1, the same channel every time); posting to it fails with 403 and code 50007 "Cannot
send messages to this user" while the member does not accept DMs from the bot
(`FakeDiscord.close_dms`, undone by `open_dms`). A command used in a DM arrives without
`guild_id` or `member`, with `user`, the DM channel and context 1 (BOT_DM); Discord only
offers it there when the command's `contexts` include 1.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

from tests.fakes.discord_driver import APPLICATION_COMMAND, AUTOCOMPLETE, MESSAGE_COMPONENT
from tests.fakes.discord_interactions import (
    DEFERRED_CHANNEL_MESSAGE,
    DEFERRED_UPDATE_MESSAGE,
    FakeInteraction,
)
from tests.fakes.discord_records import CHANNEL_MESSAGE, FOLLOWUP, INTERACTION_RESPONSE, Record
from tests.fakes.discord_replies import InteractionReply, as_message, find_component
from tests.fakes.discord_state import DM_CHANNEL, FakeChannel, FakeUser

if TYPE_CHECKING:
    from tests.fakes.discord_server import FakeDiscord

BOT_DM_CONTEXT = 1


def dm_channel(fake: FakeDiscord, user: FakeUser) -> FakeChannel:
    """The DM channel between the bot and the user (opened as Discord would)."""
    for channel in fake.dm_channels.values():
        if channel.recipients == [user]:
            return channel
    channel = FakeChannel(fake.snowflake(), "", None, type=DM_CHANNEL, recipients=[user])
    fake.dm_channels[channel.id] = channel
    return channel


def open_dms(fake: FakeDiscord, user: FakeUser) -> None:
    """Let the user receive DMs from the bot again."""
    fake.messages.closed_dms.discard(user.id)


def dms_to(fake: FakeDiscord, user: FakeUser) -> list[Record]:
    """The messages the bot posted in its DM channel with the user."""
    ids = {c.id for c in fake.dm_channels.values() if c.recipients == [user]}
    return [r for r in fake.recorder.of_kind(CHANNEL_MESSAGE) if r.channel_id in ids]


async def slash_in_dm(
    fake: FakeDiscord,
    user: FakeUser,
    name: str,
    /,
    *,
    timeout: float = 5.0,
    focused: str | None = None,
    **options: Any,
) -> InteractionReply:
    """Use ``/name`` in a DM with the bot (string, bool and int options only)."""
    command = fake.command_named(name)
    contexts = command.get("contexts")
    if contexts is not None and BOT_DM_CONTEXT not in contexts:
        raise AssertionError(f"/{name} cannot be used in DMs (contexts {contexts})")
    defs = {opt["name"]: opt for opt in command.get("options") or []}
    values = []
    for key, value in options.items():
        if key not in defs:
            raise AssertionError(f"/{name} has no option {key!r}")
        option: dict[str, Any] = {"type": defs[key]["type"], "name": key, "value": value}
        if key == focused:
            option.update(value=str(value), focused=True)
        values.append(option)
    data = {"id": command["id"], "name": command["name"], "type": 1, "options": values}
    kind = AUTOCOMPLETE if focused else APPLICATION_COMMAND
    return await _run_in_dm(fake, user, kind, data, None, timeout)


async def click_in_dm(
    fake: FakeDiscord, user: FakeUser, message: Any, custom_id: str, /, *, timeout: float = 5.0
) -> InteractionReply:
    """Press a button on a message in the user's DM channel."""
    msg = as_message(message)
    component = find_component(msg.get("components") or [], custom_id)
    data = {"custom_id": custom_id, "component_type": component["type"]}
    return await _run_in_dm(fake, user, MESSAGE_COMPONENT, data, msg, timeout)


async def _run_in_dm(
    fake: FakeDiscord,
    user: FakeUser,
    kind: int,
    data: dict[str, Any],
    message: dict[str, Any] | None,
    timeout: float,
) -> InteractionReply:
    channel = dm_channel(fake, user)
    interaction_id = fake.snowflake()
    token = "aW50ZXJhY3Rpb24" + secrets.token_urlsafe(48)
    payload: dict[str, Any] = {
        "id": str(interaction_id),
        "application_id": str(fake.application_id),
        "type": kind,
        "token": token,
        "version": 1,
        "data": data,
        "channel_id": str(channel.id),
        "channel": channel.payload(),
        "user": user.payload(),
        "locale": "en-US",
        "app_permissions": "0",
        "entitlements": [],
        "authorizing_integration_owners": {"0": "0"},
        "context": BOT_DM_CONTEXT,
        "attachment_size_limit": 10 * 1024 * 1024,
    }
    if message is not None:
        payload["message"] = message
    source_id = int(message["id"]) if message is not None else None
    name = str(data.get("name") or data.get("custom_id") or "")
    it = FakeInteraction(interaction_id, token, kind, name, channel.id, user, payload, source_id)
    since = fake.recorder.mark()
    fake.interactions.register(it)
    if not await fake.gateway.dispatch("INTERACTION_CREATE", it.payload, None):
        raise AssertionError("no gateway session is connected")
    response = await fake.recorder.wait_for(
        lambda r: r.kind == INTERACTION_RESPONSE and r.interaction_id == it.id,
        since=since,
        timeout=timeout,
    )
    final = response
    if response.response_type in (DEFERRED_CHANNEL_MESSAGE, DEFERRED_UPDATE_MESSAGE):
        final = await fake.recorder.wait_for(
            lambda r: r.interaction_id == it.id and r.kind == FOLLOWUP, since=since, timeout=timeout
        )
    records = fake.recorder.find(lambda r: r.interaction_id == it.id, since)
    return InteractionReply(it, response, final, records)
