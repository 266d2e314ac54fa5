"""Guild scheduled events on the fake Discord, as Discord documents them.

POST /guilds/{guild_id}/scheduled-events needs Manage Events (or Create Events) for the bot,
else 403 Missing Permissions (50013). Validated as Discord does: ``name`` 1-100 characters,
``privacy_level`` 2 (guild only), ``entity_type`` 1-3; an EXTERNAL (3) event needs
``entity_metadata.location`` (1-100 characters) and a ``scheduled_end_time`` after the start;
the start must be in the future; ``description`` up to 1000 characters; ``image`` a data URI
of a PNG, JPEG, GIF or WebP. Bad input is 400 Invalid Form Body (50035) naming the field.
"""

from __future__ import annotations

import base64
import binascii
import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from aiohttp import web

from tests.fakes import discord_http as h
from tests.fakes.discord_polls import form_error
from tests.fakes.discord_state import FakeGuild

if TYPE_CHECKING:
    from tests.fakes.discord_server import FakeDiscord

MANAGE_EVENTS = 1 << 33
CREATE_EVENTS = 1 << 44
EXTERNAL = 3
GUILD_ONLY = 2
_DATA_URI = re.compile(r"^data:image/(png|jpeg|gif|webp);base64,([A-Za-z0-9+/=]+)$")


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _length(body: dict[str, Any], key: str, low: int, high: int) -> web.Response | None:
    value = body.get(key)
    if value is None and low == 0:
        return None
    if not isinstance(value, str) or not low <= len(value) <= high:
        return form_error(
            [key], "BASE_TYPE_BAD_LENGTH", f"Must be between {low} and {high} in length."
        )
    return None


def validate(body: dict[str, Any]) -> web.Response | None:
    """Discord's checks of a scheduled event create request; None when it is valid."""
    refused = _length(body, "name", 1, 100) or _length(body, "description", 0, 1000)
    if refused:
        return refused
    if body.get("privacy_level") != GUILD_ONLY:
        return form_error(["privacy_level"], "BASE_TYPE_CHOICES", "Value must be one of {2}.")
    if body.get("entity_type") not in (1, 2, 3):
        return form_error(["entity_type"], "BASE_TYPE_CHOICES", "Value must be one of {1, 2, 3}.")
    start = _time(body.get("scheduled_start_time"))
    if start is None:
        return form_error(["scheduled_start_time"], "DATE_TYPE_PARSE", "Could not parse date.")
    if start <= datetime.now(UTC):
        return form_error(
            ["scheduled_start_time"], "GUILD_SCHEDULED_EVENT_SCHEDULE_PAST", "Cannot be in past"
        )
    if body["entity_type"] == EXTERNAL:
        location = (body.get("entity_metadata") or {}).get("location")
        if not isinstance(location, str) or not 1 <= len(location) <= 100:
            return form_error(
                ["entity_metadata", "location"], "BASE_TYPE_REQUIRED", "This field is required"
            )
        end = _time(body.get("scheduled_end_time"))
        if end is None or end <= start:
            return form_error(
                ["scheduled_end_time"],
                "GUILD_SCHEDULED_EVENT_END_BEFORE_START",
                "The end time must be after the start time.",
            )
    image = body.get("image")
    if image is not None and not _image_ok(image):
        return form_error(["image"], "IMAGE_INVALID", "Invalid image data")
    return None


def _image_ok(value: Any) -> bool:
    match = _DATA_URI.match(value) if isinstance(value, str) else None
    if match is None:
        return False
    try:
        base64.b64decode(match.group(2), validate=True)
    except binascii.Error:
        return False
    return True


class EventEndpoints:
    """Create and list guild scheduled events."""

    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake
        self.events: dict[int, list[dict[str, Any]]] = {}
        self.images: dict[int, bytes] = {}

    def add_routes(self, app: web.Application, p: str) -> None:
        """Register the scheduled-event routes."""
        path = p + "/guilds/{guild_id}/scheduled-events"
        app.router.add_post(path, self._create)
        app.router.add_get(path, self._list)

    def grant(self, guild: FakeGuild, permissions: int = MANAGE_EVENTS) -> None:
        """Give the bot's managed role ``permissions`` in ``guild``."""
        bot = guild.members[self.fake.bot_user.id]
        role = next(guild.roles[r] for r in bot.role_ids if guild.roles[r].managed)
        role.permissions |= permissions

    def add(self, guild: FakeGuild, body: dict[str, Any], creator_id: int) -> dict[str, Any]:
        """Record an event someone else created in ``guild`` (a member, in Discord's client)."""
        refused = validate(body)
        assert refused is None, refused.text
        event = self._event(guild, body)
        event["creator_id"] = str(creator_id)
        event.pop("creator")
        self.events.setdefault(guild.id, []).append(event)
        return event

    async def _create(self, request: web.Request) -> web.Response:
        guild = self.fake.guilds.get(int(request.match_info["guild_id"]))
        if guild is None:
            return h.unknown("Guild", 10004)
        bot = guild.members[self.fake.bot_user.id]
        if not guild.permissions_of(bot) & (MANAGE_EVENTS | CREATE_EVENTS):
            return h.error(*h.MISSING_PERMISSIONS)
        body, _ = await h.read_body(request)
        refused = validate(body)
        if refused is not None:
            return refused
        event = self._event(guild, body)
        self.events.setdefault(guild.id, []).append(event)
        return h.json_response(event)

    def _event(self, guild: FakeGuild, body: dict[str, Any]) -> dict[str, Any]:
        event_id = self.fake.snowflake()
        image_hash = None
        if body.get("image"):
            match = _DATA_URI.match(body["image"])
            assert match is not None
            self.images[event_id] = base64.b64decode(match.group(2))
            image_hash = f"{event_id:x}"
        return {
            "id": str(event_id),
            "guild_id": str(guild.id),
            "channel_id": body.get("channel_id"),
            "creator_id": str(self.fake.bot_user.id),
            "creator": self.fake.bot_user.payload(),
            "name": body["name"],
            "description": body.get("description"),
            "scheduled_start_time": body["scheduled_start_time"],
            "scheduled_end_time": body.get("scheduled_end_time"),
            "privacy_level": body["privacy_level"],
            "status": 1,
            "entity_type": body["entity_type"],
            "entity_id": None,
            "entity_metadata": body.get("entity_metadata"),
            "user_count": 0,
            "image": image_hash,
            "recurrence_rule": None,
        }

    async def _list(self, request: web.Request) -> web.Response:
        guild_id = int(request.match_info["guild_id"])
        if guild_id not in self.fake.guilds:
            return h.unknown("Guild", 10004)
        return h.json_response(self.events.get(guild_id, []))
