"""Update notifications as plain data, and the interface that delivers them.

The update engine builds `NotificationMessage`s (content, embeds and allowed mentions as
Discord's JSON shapes) and hands them to a `NotificationSender`; the Discord implementation
lives in `filmbot.exts.updates`. A message only ever pings the guild's configured role:
TMDB text goes into embeds (which never ping) and `allowed_mentions` names that role alone.
The content above the embeds is the server's template for each event's kind (by default
just `{role}`); whatever mentions a template spells out, `allowed_mentions` is unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from filmbot.domain.limits import (
    CONTENT_LIMIT,
    DESCRIPTION_LIMIT,
    EMBEDS_PER_MESSAGE,
    FIELD_NAME_LIMIT,
    FIELD_VALUE_LIMIT,
    FOOTER_LIMIT,
    MESSAGE_TOTAL_LIMIT,
    TITLE_LIMIT,
    clip,
)
from filmbot.domain.models import MediaType
from filmbot.domain.templates import DEFAULT_TEMPLATE, TemplateKind, render
from filmbot.domain.titles import TMDB_ATTRIBUTION, tmdb_url
from filmbot.domain.updates import EventKind, UpdateEvent

_KIND_LABELS = {
    EventKind.RELEASE: ("Out now", 0x2ECC71),
    EventKind.UPCOMING: ("Coming soon", 0x3498DB),
    EventKind.NEW_EPISODE: ("New episode", 0x9B59B6),
    EventKind.EPISODE_AIRED: ("Episode out", 0x8E44AD),
    EventKind.STATUS_CHANGE: ("Status update", 0xE67E22),
    EventKind.TITLE_REMOVED: ("Removed from TMDB", 0x95A5A6),
    EventKind.STREAMING: ("Now streaming", 0x1ABC9C),
    EventKind.NEW_TITLE: ("New title", 0xF1C40F),
}

ImageUrl = Callable[[str | None], str | None]
Outgoing = list[tuple["NotificationMessage", list[int]]]


class DeliveryError(Exception):
    """A notification could not be delivered; `retry_later` says whether to try again."""

    retry_later = True

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class RetryLater(DeliveryError):
    """Discord is rate limiting, failing or unreachable: try again next cycle."""


class ChannelUnavailable(DeliveryError):
    """The channel is gone or the bot may not post there: wait until the guild fixes it."""


class RecipientRefusesDMs(ChannelUnavailable):
    """Discord will not deliver direct messages to this member (error 50007)."""


class MessageRejected(DeliveryError):
    """Discord refused this message itself (e.g. invalid embed): sending it again is futile."""

    retry_later = False


@dataclass(frozen=True, slots=True)
class NotificationMessage:
    """One Discord message: content, up to 10 embeds, the mentions it may ping, its nonce.

    `components` are its buttons as Discord's JSON (type 2 buttons with a custom_id).

    A sender posts a message with a `nonce` (at most 25 characters) so that Discord, told
    to enforce it, answers a resend of the same nonce within a few minutes with the message
    it already has instead of posting a second one.
    """

    content: str
    embeds: tuple[dict[str, Any], ...]
    allowed_mentions: dict[str, Any]
    nonce: str | None = None
    components: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True, slots=True)
class SentMessage:
    """What Discord answered for an accepted message."""

    message_id: int | None = None


class NotificationSender(Protocol):
    """Deliver a message to a channel; raise a `DeliveryError` subclass on failure.

    A message with a nonce is posted with Discord's `enforce_nonce`, so that sending it
    again after a crash returns the message already posted.
    """

    async def send(self, channel_id: int, message: NotificationMessage) -> SentMessage:
        """Post the message and return once Discord has accepted it."""


class DirectMessenger(NotificationSender, Protocol):
    """A sender that can also open a member's DM channel (Discord's create-DM call)."""

    async def open_dm(self, user_id: int) -> int:
        """Return the id of the DM channel with the member (creating it if need be)."""


@dataclass(frozen=True, slots=True)
class GuildDisplay:
    """What rendering needs to know about the guild."""

    role_id: int | None = None
    timezone: str = "UTC"
    templates: Mapping[str, str] = field(default_factory=dict)

    def template_for(self, event: UpdateEvent) -> str:
        """The server's template for the event's kind, or the default (also for a kind
        that has no template kind)."""
        kind = TemplateKind.for_event(event.kind)
        return (
            DEFAULT_TEMPLATE if kind is None else self.templates.get(kind.value, DEFAULT_TEMPLATE)
        )


def describe_date(day: date) -> str:
    """Return e.g. 'Thursday 12 March 2026' (locale-independent)."""
    return f"{day:%A} {day.day} {day:%B %Y}"


def build_embed(event: UpdateEvent, display: GuildDisplay, image_url: ImageUrl) -> dict[str, Any]:
    """Render one event as a Discord embed dict within Discord's limits."""
    label, colour = _KIND_LABELS.get(event.kind, ("Update", 0x607D8B))
    embed: dict[str, Any] = {
        "title": clip(event.headline or event.title, TITLE_LIMIT),
        "url": tmdb_url(event.ref),
        "color": colour,
        "fields": [
            _field(label, _kind_value(event)),
            _field("Date", _date_value(event.event_date, display.timezone)),
        ],
        "footer": {"text": clip(TMDB_ATTRIBUTION, FOOTER_LIMIT)},
    }
    description = event.detail.strip()
    if description:
        embed["description"] = clip(description, DESCRIPTION_LIMIT)
    poster = image_url(event.poster_path)
    if poster:
        embed["thumbnail"] = {"url": poster}
    return embed


def embed_size(embed: dict[str, Any]) -> int:
    """Count the characters Discord counts toward the 6000 per message."""
    size = len(embed.get("title", "")) + len(embed.get("description", ""))
    size += sum(len(f["name"]) + len(f["value"]) for f in embed.get("fields", []))
    size += len(embed.get("footer", {}).get("text", ""))
    return size + len(embed.get("author", {}).get("name", ""))


def mention_parts(role_id: int | None) -> tuple[str, dict[str, Any]]:
    """Return the content and allowed_mentions that ping the role and nobody else."""
    if role_id is None:
        return "", {"parse": []}
    return f"<@&{role_id}>", {"parse": [], "roles": [role_id]}


def template_values(event: UpdateEvent, display: GuildDisplay) -> dict[str, str]:
    """What a template's placeholders stand for in the event's notification."""
    mention, _ = mention_parts(display.role_id)
    return {
        **dict(event.facts),
        "title": event.title,
        "date": describe_date(event.event_date),
        "url": tmdb_url(event.ref),
        "role": mention,
    }


def render_content(event: UpdateEvent, display: GuildDisplay) -> str:
    """The event's line of message content: the server's template, filled in."""
    text = render(display.template_for(event), template_values(event, display))
    return clip(text, CONTENT_LIMIT)


def build_messages(
    events: Sequence[tuple[int, UpdateEvent]], display: GuildDisplay, image_url: ImageUrl
) -> Outgoing:
    """Group a guild's events into as few messages as Discord's limits allow, with their ids.

    A message's content is its events' rendered templates, each distinct line once, in order.
    """
    _, allowed = mention_parts(display.role_id)
    batch: Outgoing = []
    embeds: list[dict[str, Any]] = []
    lines: list[str] = []
    ids: list[int] = []
    total = 0
    for ledger_id, event in events:
        embed = _fit(build_embed(event, display, image_url))
        size = embed_size(embed)
        line = render_content(event, display)
        added = [*lines, line] if line and line not in lines else lines
        if embeds and (
            len(embeds) == EMBEDS_PER_MESSAGE
            or total + size > MESSAGE_TOTAL_LIMIT
            or len("\n".join(added)) > CONTENT_LIMIT
        ):
            batch.append((_message(lines, embeds, allowed), ids))
            embeds, ids, total = [], [], 0
            added = [line] if line else []
        embeds.append(embed)
        ids.append(ledger_id)
        lines = added
        total += size
    if embeds:
        batch.append((_message(lines, embeds, allowed), ids))
    return batch


def _message(
    lines: list[str], embeds: list[dict[str, Any]], allowed: dict[str, Any]
) -> NotificationMessage:
    return NotificationMessage("\n".join(lines), tuple(embeds), allowed)


def _fit(embed: dict[str, Any]) -> dict[str, Any]:
    """Shorten the description so that one embed alone fits in a message."""
    excess = embed_size(embed) - MESSAGE_TOTAL_LIMIT
    if excess > 0 and "description" in embed:
        keep = max(1, len(embed["description"]) - excess)
        embed["description"] = clip(embed["description"], keep)
    return embed


def _field(name: str, value: str) -> dict[str, Any]:
    return {
        "name": clip(name, FIELD_NAME_LIMIT),
        "value": clip(value, FIELD_VALUE_LIMIT) or "-",
        "inline": True,
    }


def _kind_value(event: UpdateEvent) -> str:
    return "Film" if event.ref.media_type is MediaType.MOVIE else "TV show"


def _date_value(day: date, timezone: str) -> str:
    text = describe_date(day)
    return text if timezone in ("UTC", "Etc/UTC") else f"{text} ({timezone})"
