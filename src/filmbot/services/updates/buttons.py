"""The "🔔 Notify me too" buttons under a server's update messages: one per title announced."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from filmbot.domain.models import TitleRef
from filmbot.domain.personal import notify_me_custom_id, notify_me_label
from filmbot.domain.updates import UpdateEvent
from filmbot.services.notifications import Outgoing

SECONDARY = 2
BUTTON = 2
MAX_BUTTONS = 25


def with_notify_me_buttons(messages: Outgoing, events: list[tuple[int, UpdateEvent]]) -> Outgoing:
    """Give each message a button per title it announces, which follows it personally."""
    by_id = dict(events)
    out: Outgoing = []
    for message, ids in messages:
        titles: dict[TitleRef, str] = {}
        for ledger_id in ids:
            event = by_id[ledger_id]
            titles.setdefault(event.ref, event.title)
        named = len(titles) > 1
        buttons: list[dict[str, Any]] = [
            {
                "type": BUTTON,
                "style": SECONDARY,
                "label": notify_me_label(title, named=named),
                "custom_id": notify_me_custom_id(ref),
            }
            for ref, title in list(titles.items())[:MAX_BUTTONS]
        ]
        out.append((replace(message, components=tuple(buttons)), ids))
    return out
