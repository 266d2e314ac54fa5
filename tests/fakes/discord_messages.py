"""Channel, message and guild REST endpoints of the fake Discord."""

from __future__ import annotations

import asyncio
import re
import time
from typing import TYPE_CHECKING, Any

from aiohttp import web

from tests.fakes import discord_http as h
from tests.fakes.discord_records import (
    CHANNEL_MESSAGE,
    MESSAGE_DELETE,
    MESSAGE_EDIT,
    TYPING,
    Record,
)
from tests.fakes.discord_state import FakeChannel, FakeGuild, FakeUser, iso_now

if TYPE_CHECKING:
    from tests.fakes.discord_server import FakeDiscord

EDITABLE = ("content", "embeds", "components", "flags", "allowed_mentions", "poll")
CANNOT_DM = (403, "Cannot send messages to this user", 50007)
NONCE_MAX_LENGTH = 25
NONCE_WINDOW_SECONDS = 300.0  # Discord: "checked for uniqueness in the past few minutes"


class MessageEndpoints:
    """Store messages and serve channels, messages and guilds over REST."""

    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake
        self.store: dict[int, dict[str, Any]] = {}
        self.closed_dms: set[int] = set()
        self.nonce_window = NONCE_WINDOW_SECONDS
        self._nonces: dict[tuple[int, int, str], tuple[float, int]] = {}
        self.nonce_reuses = 0
        # With a latency, posts are handled one at a time: each is stored, then answered
        # `post_latency` seconds later (a client killed meanwhile never hears the answer).
        self.post_latency = 0.0
        self._posting = asyncio.Lock()
        self.files: dict[int, tuple[str, bytes, str | None]] = {}

    def add_routes(self, app: web.Application, p: str) -> None:
        """Register the channel and guild routes under prefix ``p``."""
        r = app.router
        r.add_get(p + "/channels/{channel_id}", self._get_channel)
        r.add_post(p + "/channels/{channel_id}/messages", self._post_message)
        r.add_get(p + "/channels/{channel_id}/messages", self._list_messages)
        msg = p + "/channels/{channel_id}/messages/{message_id}"
        r.add_get(msg, self._get_message)
        r.add_patch(msg, self._edit_message)
        r.add_delete(msg, self._delete_message)
        r.add_post(p + "/channels/{channel_id}/typing", self._typing)
        r.add_get("/attachments/{attachment_id}/{filename}", self._get_attachment)
        r.add_get(p + "/guilds/{guild_id}", self._get_guild)
        r.add_get(p + "/guilds/{guild_id}/channels", self._get_guild_channels)
        r.add_get(p + "/guilds/{guild_id}/roles", self._get_roles)
        r.add_get(p + "/guilds/{guild_id}/members", self._list_members)
        r.add_get(p + "/guilds/{guild_id}/members/{user_id}", self._get_member)

    # ----- building messages -------------------------------------------------------------

    def build(
        self,
        channel_id: int,
        body: dict[str, Any],
        files: list[dict[str, Any]],
        *,
        author: FakeUser | None = None,
        extra: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Create, store and return a full message object from a send payload."""
        author = author or self.fake.bot_user
        _, guild = self.fake.find_channel(channel_id)
        message: dict[str, Any] = {
            "id": str(self.fake.snowflake()),
            "channel_id": str(channel_id),
            "author": author.payload(),
            "content": body.get("content") or "",
            "timestamp": iso_now(),
            "edited_timestamp": None,
            "tts": bool(body.get("tts", False)),
            "mention_everyone": False,
            "mention_channels": [],
            "attachments": self._attachments([], body, files),
            "embeds": body.get("embeds") or [],
            "components": body.get("components") or [],
            "reactions": [],
            "pinned": False,
            "type": 0,
            "flags": int(body.get("flags") or 0),
            "sticker_items": [],
            "position": 0,
        }
        if nonce := body.get("nonce"):
            message["nonce"] = nonce
        if reference := body.get("message_reference"):
            message["message_reference"] = reference
            message["type"] = 19
        if guild is not None:
            message["guild_id"] = str(guild.id)
        message.update(extra or {})
        self._mentions(message, guild)
        self.store[int(message["id"])] = message
        self.fake.polls.attach(message, body)
        return message

    def edit(
        self, message: dict[str, Any], body: dict[str, Any], files: list[dict[str, Any]]
    ) -> dict[str, Any]:
        """Apply an edit payload to a stored message and return it."""
        for key in EDITABLE:
            if key in body and body[key] is not None:
                message[key] = body[key]
            elif key in body and key in ("content", "components", "embeds"):
                message[key] = "" if key == "content" else []
        if "attachments" in body or files:
            message["attachments"] = self._attachments(message["attachments"], body, files)
        message["edited_timestamp"] = iso_now()
        _, guild = self.fake.find_channel(int(message["channel_id"]))
        self._mentions(message, guild)
        return message

    def _attachments(
        self, current: list[dict[str, Any]], body: dict[str, Any], files: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        kept_ids = {str(a.get("id")) for a in body.get("attachments") or []}
        kept = [a for a in current if a["id"] in kept_ids]
        for upload in files:
            kept.append(self.upload(upload["filename"], upload.get("data", b"")))
        return kept

    def upload(self, filename: str, data: bytes, content_type: str | None = None) -> dict[str, Any]:
        """Store a file as Discord's CDN does and return its attachment object."""
        attachment_id = self.fake.snowflake()
        self.files[attachment_id] = (filename, bytes(data), content_type)
        url = f"http://127.0.0.1:{self.fake.port}/attachments/{attachment_id}/{filename}"
        return {
            "id": str(attachment_id),
            "filename": filename,
            "size": len(data),
            "url": url,
            "proxy_url": url,
            "content_type": content_type,
        }

    def attachment_bytes(self, attachment: dict[str, Any]) -> bytes:
        """The stored content of an attachment the bot or a test uploaded."""
        return self.files[int(attachment["id"])][1]

    async def _get_attachment(self, request: web.Request) -> web.Response:
        """Serve a stored file at its URL, without authentication, like the CDN."""
        stored = self.files.get(int(request.match_info["attachment_id"]))
        if stored is None or stored[0] != request.match_info["filename"]:
            return web.Response(status=404, text="Not Found")
        filename, data, content_type = stored
        return web.Response(body=data, content_type=content_type or "application/octet-stream")

    def _mentions(self, message: dict[str, Any], guild: FakeGuild | None) -> None:
        content = message["content"]
        user_ids = {int(x) for x in re.findall(r"<@!?(\d+)>", content)}
        role_ids = {int(x) for x in re.findall(r"<@&(\d+)>", content)}
        users = [self.fake.users[uid] for uid in user_ids if uid in self.fake.users]
        message["mentions"] = [u.payload() for u in users]
        message["mention_roles"] = [str(r) for r in role_ids if guild and r in guild.roles]
        message["mention_everyone"] = "@everyone" in content or "@here" in content

    def _stored(self, request: web.Request) -> dict[str, Any] | None:
        message = self.store.get(int(request.match_info["message_id"]))
        if message is None or message["channel_id"] != request.match_info["channel_id"]:
            return None
        return message

    # ----- channel and message handlers --------------------------------------------------

    def _channel(self, request: web.Request) -> tuple[FakeChannel | None, FakeGuild | None]:
        return self.fake.find_channel(int(request.match_info["channel_id"]))

    async def _get_channel(self, request: web.Request) -> web.Response:
        channel, guild = self._channel(request)
        if channel is None:
            return h.unknown("Channel", 10003)
        return h.json_response(guild.channel_payload(channel) if guild else channel.payload())

    async def _post_message(self, request: web.Request) -> web.Response:
        channel, _ = self._channel(request)
        if channel is None:
            return h.unknown("Channel", 10003)
        if channel.bot_forbidden:
            return h.error(*h.MISSING_PERMISSIONS)
        if any(user.id in self.closed_dms for user in channel.recipients):
            return h.error(*CANNOT_DM)
        body, files = await h.read_body(request)
        refused = self.fake.polls.refuse(channel, self.fake.find_channel(channel.id)[1], body)
        if refused is not None:
            return refused
        nonce = body.get("nonce")
        if isinstance(nonce, str) and len(nonce) > NONCE_MAX_LENGTH:
            return h.invalid_form("nonce", "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
        if not self.post_latency:
            return self._accept(channel, body, files)
        async with self._posting:
            answer = self._accept(channel, body, files)
            await asyncio.sleep(self.post_latency)
        return answer

    def _accept(
        self, channel: FakeChannel, body: dict[str, Any], files: list[dict[str, Any]]
    ) -> web.Response:
        """Store and record a post, or answer an enforced nonce's earlier message."""
        nonce = body.get("nonce")
        if body.get("enforce_nonce") and nonce is not None:
            earlier = self._reused(channel.id, str(nonce))
            if earlier is not None:
                self.nonce_reuses += 1
                return h.json_response(earlier)
        message = self.build(channel.id, body, files)
        if nonce is not None:
            key = (channel.id, self.fake.bot_user.id, str(nonce))
            self._nonces[key] = (time.monotonic(), int(message["id"]))
        self.fake.recorder.add(Record(CHANNEL_MESSAGE, body, message, channel.id))
        return h.json_response(message)

    def _reused(self, channel_id: int, nonce: str) -> dict[str, Any] | None:
        """The bot's message with this nonce from the last few minutes (enforce_nonce)."""
        seen = self._nonces.get((channel_id, self.fake.bot_user.id, nonce))
        if seen is None or time.monotonic() - seen[0] > self.nonce_window:
            return None
        return self.store.get(seen[1])

    async def _list_messages(self, request: web.Request) -> web.Response:
        channel, _ = self._channel(request)
        if channel is None:
            return h.unknown("Channel", 10003)
        limit = int(request.query.get("limit", 50))
        found = [m for m in self.store.values() if m["channel_id"] == str(channel.id)]
        found.sort(key=lambda m: int(m["id"]), reverse=True)
        return h.json_response(found[:limit])

    async def _get_message(self, request: web.Request) -> web.Response:
        message = self._stored(request)
        return h.unknown("Message", 10008) if message is None else h.json_response(message)

    async def _edit_message(self, request: web.Request) -> web.Response:
        message = self._stored(request)
        if message is None:
            return h.unknown("Message", 10008)
        body, files = await h.read_body(request)
        self.edit(message, body, files)
        self.fake.recorder.add(Record(MESSAGE_EDIT, body, message, int(message["channel_id"])))
        return h.json_response(message)

    async def _delete_message(self, request: web.Request) -> web.Response:
        message = self._stored(request)
        if message is None:
            return h.unknown("Message", 10008)
        del self.store[int(message["id"])]
        self.fake.recorder.add(Record(MESSAGE_DELETE, {}, message, int(message["channel_id"])))
        return h.no_content()

    async def _typing(self, request: web.Request) -> web.Response:
        channel, _ = self._channel(request)
        if channel is None:
            return h.unknown("Channel", 10003)
        self.fake.recorder.add(Record(TYPING, channel_id=channel.id))
        return h.no_content()

    # ----- guild handlers -------------------------------------------------------------

    def _guild(self, request: web.Request) -> FakeGuild | None:
        return self.fake.guilds.get(int(request.match_info["guild_id"]))

    async def _get_guild(self, request: web.Request) -> web.Response:
        guild = self._guild(request)
        return (
            h.unknown("Guild", 10004) if guild is None else h.json_response(guild.partial_payload())
        )

    async def _get_guild_channels(self, request: web.Request) -> web.Response:
        guild = self._guild(request)
        if guild is None:
            return h.unknown("Guild", 10004)
        return h.json_response([guild.channel_payload(c) for c in guild.channels.values()])

    async def _get_roles(self, request: web.Request) -> web.Response:
        guild = self._guild(request)
        if guild is None:
            return h.unknown("Guild", 10004)
        return h.json_response([role.payload() for role in guild.roles.values()])

    async def _list_members(self, request: web.Request) -> web.Response:
        guild = self._guild(request)
        if guild is None:
            return h.unknown("Guild", 10004)
        limit = int(request.query.get("limit", 1))
        members = sorted(guild.members.values(), key=lambda m: m.id)[:limit]
        return h.json_response([member.payload() for member in members])

    async def _get_member(self, request: web.Request) -> web.Response:
        guild = self._guild(request)
        if guild is None:
            return h.unknown("Guild", 10004)
        member = guild.members.get(int(request.match_info["user_id"]))
        return h.unknown("Member", 10007) if member is None else h.json_response(member.payload())
