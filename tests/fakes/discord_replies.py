"""What the bot answered to one interaction, and helpers to find components in messages."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from tests.fakes.discord_interactions import (
    DEFERRED_CHANNEL_MESSAGE,
    DEFERRED_UPDATE_MESSAGE,
    EPHEMERAL,
    FakeInteraction,
)
from tests.fakes.discord_records import Record


@dataclass
class InteractionReply:
    """What the bot answered to one interaction."""

    interaction: FakeInteraction
    response: Record
    final: Record
    records: list[Record] = field(default_factory=list)

    @property
    def response_type(self) -> int:
        """Return the callback type of the initial response."""
        return int(self.response.response_type or 0)

    @property
    def deferred(self) -> bool:
        """Tell whether the bot deferred its answer."""
        return self.response_type in (DEFERRED_CHANNEL_MESSAGE, DEFERRED_UPDATE_MESSAGE)

    @property
    def message(self) -> dict[str, Any] | None:
        """Return the message the answer produced or edited (None for modals/autocomplete)."""
        return self.final.message

    @property
    def content(self) -> str:
        """Return the answer's text content."""
        return str((self.message or self.final.body).get("content") or "")

    @property
    def embeds(self) -> list[dict[str, Any]]:
        """Return the answer's embeds."""
        return list((self.message or self.final.body).get("embeds") or [])

    @property
    def components(self) -> list[dict[str, Any]]:
        """Return the answer's top-level components."""
        return list((self.message or self.final.body).get("components") or [])

    @property
    def flags(self) -> int:
        """Return the answer's message flags."""
        return int((self.message or self.final.body).get("flags") or 0)

    @property
    def ephemeral(self) -> bool:
        """Tell whether only the invoking user sees the answer."""
        return bool(self.flags & EPHEMERAL)

    @property
    def choices(self) -> list[dict[str, Any]] | None:
        """Return the autocomplete choices, if this was an autocomplete answer."""
        return self.interaction.choices

    @property
    def modal(self) -> dict[str, Any] | None:
        """Return the modal the bot opened, if any."""
        return self.interaction.modal

    @property
    def custom_ids(self) -> list[str]:
        """Return the custom ids of every interactive component in the answer."""
        return [c["custom_id"] for c in walk_components(self.components) if "custom_id" in c]

    def component(self, custom_id: str) -> dict[str, Any]:
        """Return the component with ``custom_id``."""
        return find_component(self.components, custom_id)


def walk_components(components: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Yield every component, depth first (rows, containers, sections, labels)."""
    for component in components:
        yield component
        yield from walk_components(component.get("components") or [])
        for key in ("component", "accessory"):
            if isinstance(component.get(key), dict):
                yield from walk_components([component[key]])


def find_component(components: list[dict[str, Any]], custom_id: str) -> dict[str, Any]:
    """Return the component with ``custom_id`` or fail listing the known ones."""
    for component in walk_components(components):
        if component.get("custom_id") == custom_id:
            return component
    known = [c.get("custom_id") for c in walk_components(components) if c.get("custom_id")]
    raise AssertionError(f"no component {custom_id!r}; components: {known}")


def as_message(source: Any) -> dict[str, Any]:
    """Return the message dict behind a reply, record or dict."""
    message = source.message if isinstance(source, (InteractionReply, Record)) else source
    if not isinstance(message, dict):
        raise AssertionError(f"{source!r} carries no message")
    return message
