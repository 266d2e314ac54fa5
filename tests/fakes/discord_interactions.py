"""Interaction callback and follow-up/original-response webhook endpoints of the fake Discord."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import web

from tests.fakes import discord_http as h
from tests.fakes.discord_records import (
    FOLLOWUP,
    FOLLOWUP_DELETE,
    FOLLOWUP_EDIT,
    INTERACTION_RESPONSE,
    ORIGINAL_DELETE,
    ORIGINAL_EDIT,
    Record,
)
from tests.fakes.discord_state import FakeUser

if TYPE_CHECKING:
    from tests.fakes.discord_server import FakeDiscord

# Interaction callback types.
PONG = 1
CHANNEL_MESSAGE = 4
DEFERRED_CHANNEL_MESSAGE = 5
DEFERRED_UPDATE_MESSAGE = 6
UPDATE_MESSAGE = 7
AUTOCOMPLETE_RESULT = 8
MODAL = 9

EPHEMERAL = 1 << 6
LOADING = 1 << 7
UNKNOWN_INTERACTION = (404, "Unknown interaction", 10062)
UNKNOWN_WEBHOOK = (404, "Unknown Webhook", 10015)
# An interaction's token works for its webhooks (follow-ups, the original response) for 15
# minutes; after that Discord answers 401 with code 50027.
TOKEN_LIFETIME = 15 * 60.0
INVALID_WEBHOOK_TOKEN = (401, "Invalid Webhook Token", 50027)


@dataclass
class FakeInteraction:
    """An interaction the fake sent to the bot, and what the bot answered."""

    id: int
    token: str
    type: int
    name: str
    channel_id: int
    user: FakeUser
    payload: dict[str, Any]
    source_message_id: int | None = None
    response_type: int | None = None
    original_message_id: int | None = None
    followup_ids: list[int] = field(default_factory=list)
    choices: list[dict[str, Any]] | None = None
    modal: dict[str, Any] | None = None
    issued_at: float = field(default_factory=time.monotonic)

    @property
    def token_expired(self) -> bool:
        """Whether the token has outlived Discord's 15-minute interaction token lifetime."""
        return time.monotonic() - self.issued_at >= TOKEN_LIFETIME


class InteractionEndpoints:
    """Answer interaction callbacks and interaction webhooks like Discord does."""

    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake
        self.by_id: dict[int, FakeInteraction] = {}
        self.by_token: dict[str, FakeInteraction] = {}

    def register(self, interaction: FakeInteraction) -> None:
        """Remember an interaction so its callback and webhooks are accepted."""
        self.by_id[interaction.id] = interaction
        self.by_token[interaction.token] = interaction

    def age_token(self, interaction_id: int, seconds: float = TOKEN_LIFETIME) -> None:
        """Test hook: make an interaction's token `seconds` older (by default: expired)."""
        self.by_id[interaction_id].issued_at -= seconds

    def add_routes(self, app: web.Application, p: str) -> None:
        """Register the callback and webhook routes under prefix ``p``."""
        r = app.router
        r.add_post(p + "/interactions/{interaction_id}/{token}/callback", self._callback)
        r.add_post(p + "/webhooks/{app_id}/{token}", self._followup)
        msg = p + "/webhooks/{app_id}/{token}/messages/{message_id}"
        r.add_get(msg, self._get_message)
        r.add_patch(msg, self._edit_message)
        r.add_delete(msg, self._delete_message)

    def _message_extra(self, it: FakeInteraction) -> dict[str, Any]:
        app_id = str(self.fake.application_id)
        metadata = {
            "id": str(it.id),
            "type": it.type,
            "user": it.user.payload(),
            "authorizing_integration_owners": it.payload.get("authorizing_integration_owners", {}),
        }
        if it.type == 2:
            metadata["name"] = it.name
            metadata["command_type"] = 1
        return {"webhook_id": app_id, "application_id": app_id, "interaction_metadata": metadata}

    async def _callback(self, request: web.Request) -> web.Response:
        it = self.by_id.get(int(request.match_info["interaction_id"]))
        if it is None or it.token != request.match_info["token"]:
            return h.error(*UNKNOWN_INTERACTION)
        if it.response_type is not None:
            return h.error(*h.ALREADY_ACKNOWLEDGED)
        body, files = await h.read_body(request)
        response_type = int(body["type"])
        data = body.get("data") or {}
        it.response_type = response_type
        message = self._apply_callback(it, response_type, data, files)
        self.fake.recorder.add(
            Record(INTERACTION_RESPONSE, data, message, it.channel_id, it.id, response_type)
        )
        if request.query.get("with_response", "false").lower() not in ("1", "true"):
            return h.no_content()
        return h.json_response(self._callback_payload(it, response_type, message))

    def _apply_callback(
        self, it: FakeInteraction, response_type: int, data: dict[str, Any], files: list[Any]
    ) -> dict[str, Any] | None:
        messages = self.fake.messages
        extra = self._message_extra(it)
        message: dict[str, Any] | None
        if response_type == CHANNEL_MESSAGE:
            message = messages.build(it.channel_id, data, files, extra=extra)
        elif response_type == DEFERRED_CHANNEL_MESSAGE:
            flags = int(data.get("flags") or 0) | LOADING
            message = messages.build(it.channel_id, {"flags": flags}, [], extra=extra)
        elif response_type in (DEFERRED_UPDATE_MESSAGE, UPDATE_MESSAGE) and it.source_message_id:
            message = messages.store.get(it.source_message_id)
            if message is not None and response_type == UPDATE_MESSAGE:
                messages.edit(message, data, files)
        else:
            if response_type == AUTOCOMPLETE_RESULT:
                it.choices = list(data.get("choices") or [])
            elif response_type == MODAL:
                it.modal = data
            return None
        if message is not None:
            it.original_message_id = int(message["id"])
        return message

    def _callback_payload(
        self, it: FakeInteraction, response_type: int, message: dict[str, Any] | None
    ) -> dict[str, Any]:
        flags = int(message["flags"]) if message else 0
        payload: dict[str, Any] = {
            "interaction": {
                "id": str(it.id),
                "type": it.type,
                "activity_instance_id": None,
                "response_message_id": message["id"] if message else None,
                "response_message_loading": bool(flags & LOADING),
                "response_message_ephemeral": bool(flags & EPHEMERAL),
            },
            "resource": None,
        }
        if message is not None and response_type in (
            CHANNEL_MESSAGE,
            DEFERRED_CHANNEL_MESSAGE,
            UPDATE_MESSAGE,
        ):
            payload["resource"] = {"type": response_type, "message": message}
        return payload

    def _webhook_interaction(self, request: web.Request) -> FakeInteraction | None:
        if int(request.match_info["app_id"]) != self.fake.application_id:
            return None
        return self.by_token.get(request.match_info["token"])

    async def _followup(self, request: web.Request) -> web.Response:
        it = self._webhook_interaction(request)
        if it is None:
            return h.error(*UNKNOWN_WEBHOOK)
        if it.response_type is None:
            return h.error(*UNKNOWN_WEBHOOK)
        if it.token_expired:
            return h.error(*INVALID_WEBHOOK_TOKEN)
        body, files = await h.read_body(request)
        message = self.fake.messages.build(
            it.channel_id, body, files, extra=self._message_extra(it)
        )
        it.followup_ids.append(int(message["id"]))
        self.fake.recorder.add(Record(FOLLOWUP, body, message, it.channel_id, it.id))
        if request.query.get("wait", "0").lower() in ("1", "true"):
            return h.json_response(message)
        return h.no_content()

    def _target(
        self, request: web.Request
    ) -> tuple[FakeInteraction | None, dict[str, Any] | None, bool]:
        it = self._webhook_interaction(request)
        if it is None:
            return None, None, False
        raw_id = request.match_info["message_id"]
        original = raw_id == "@original"
        message_id = it.original_message_id if original else int(raw_id)
        if not original and message_id not in it.followup_ids:
            message_id = None
        message = None if message_id is None else self.fake.messages.store.get(message_id)
        return it, message, original

    async def _get_message(self, request: web.Request) -> web.Response:
        it, message, _ = self._target(request)
        if it is None:
            return h.error(*UNKNOWN_WEBHOOK)
        if it.token_expired:
            return h.error(*INVALID_WEBHOOK_TOKEN)
        return h.unknown("Message", 10008) if message is None else h.json_response(message)

    async def _edit_message(self, request: web.Request) -> web.Response:
        it, message, original = self._target(request)
        if it is None:
            return h.error(*UNKNOWN_WEBHOOK)
        if it.token_expired:
            return h.error(*INVALID_WEBHOOK_TOKEN)
        if message is None:
            return h.unknown("Message", 10008)
        body, files = await h.read_body(request)
        message["flags"] = int(message.get("flags") or 0) & ~LOADING
        self.fake.messages.edit(message, body, files)
        kind = ORIGINAL_EDIT if original else FOLLOWUP_EDIT
        self.fake.recorder.add(Record(kind, body, message, it.channel_id, it.id))
        return h.json_response(message)

    async def _delete_message(self, request: web.Request) -> web.Response:
        it, message, original = self._target(request)
        if it is None:
            return h.error(*UNKNOWN_WEBHOOK)
        if it.token_expired:
            return h.error(*INVALID_WEBHOOK_TOKEN)
        if message is None:
            return h.unknown("Message", 10008)
        self.fake.messages.store.pop(int(message["id"]), None)
        kind = ORIGINAL_DELETE if original else FOLLOWUP_DELETE
        self.fake.recorder.add(Record(kind, {}, message, it.channel_id, it.id))
        return h.no_content()
