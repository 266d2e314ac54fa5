"""The "🔔 Notify me too" buttons under update messages: one per title announced.

Under a server's messages every announced title gets one; under a member's direct messages
only titles the member does not follow yet get one: those a followed person's `new_title`
event announces (`ANNOUNCED_KINDS`).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from filmbot.domain.models import TitleRef
from filmbot.domain.person_follows import SUBSCRIBE_LABEL, subscribe_custom_id
from filmbot.domain.personal import notify_me_custom_id, notify_me_label
from filmbot.domain.updates import EventKind, UpdateEvent
from filmbot.services.notifications import Outgoing

SECONDARY = 2
BUTTON = 2
MAX_BUTTONS = 25
ANNOUNCED_KINDS = frozenset({EventKind.NEW_TITLE})


def with_notify_me_buttons(
    messages: Outgoing,
    events: list[tuple[int, UpdateEvent]],
    kinds: frozenset[EventKind] | None = None,
) -> Outgoing:
    """Give each message a button per title it announces (of `kinds`, default all kinds).

    The button follows the title personally.
    """
    by_id = dict(events)
    out: Outgoing = []
    for message, ids in messages:
        titles: dict[TitleRef, str] = {}
        for ledger_id in ids:
            event = by_id[ledger_id]
            if kinds is None or event.kind in kinds:
                titles.setdefault(event.ref, event.title)
        if not titles:
            out.append((message, ids))
            continue
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


def with_subscribe_buttons(messages: Outgoing, events: list[tuple[int, UpdateEvent]]) -> Outgoing:
    """Add a "Subscribe the server" button per title a followed person's event announces."""
    by_id = dict(events)
    out: Outgoing = []
    for message, ids in messages:
        titles: dict[TitleRef, str] = {}
        for ledger_id in ids:
            event = by_id[ledger_id]
            if event.kind in ANNOUNCED_KINDS:
                titles.setdefault(event.ref, event.title)
        named = len(titles) > 1
        buttons = [
            {
                "type": BUTTON,
                "style": SECONDARY,
                "label": notify_me_label(title, named=named, base=SUBSCRIBE_LABEL),
                "custom_id": subscribe_custom_id(ref),
            }
            for ref, title in titles.items()
        ]
        room = MAX_BUTTONS - len(message.components)
        components = (*message.components, *buttons[:room])
        out.append((replace(message, components=components), ids))
    return out
