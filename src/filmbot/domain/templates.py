"""Notification templates: the message text a server writes above each kind of notification.

A template is plain text with named placeholders such as ``{title}``. It is checked with
`string.Formatter().parse` when it is saved (no attribute or index access, no conversions,
no format specs, only the known placeholders, at most `TEMPLATE_LIMIT` characters) and
rendered by substituting the parsed pieces, never by `str.format` on the member's text.
Rendering does not decide who is pinged: the sender still allows only the configured role.
"""

from __future__ import annotations

import enum
import string
from collections.abc import Mapping

from filmbot.domain.errors import InvalidInputError
from filmbot.domain.updates.events import EventKind

TEMPLATE_LIMIT = 500
DEFAULT_TEMPLATE = "{role}"
PLACEHOLDERS = (
    "title",
    "year",
    "date",
    "season",
    "episode",
    "episode_title",
    "network",
    "status",
    "url",
    "role",
    "provider",
    "region",
    "person",
)


class TemplateKind(str, enum.Enum):
    """The kinds /notification-template knows, by their public names."""

    RELEASE = "release"
    UPCOMING = "upcoming"
    NEW_EPISODE = "new_episode"
    EPISODE_AIRED = "episode_aired"
    STATUS = "status"
    REMOVED = "removed"
    STREAMING = "streaming"
    NEW_TITLE = "new_title"

    @property
    def event_kind(self) -> EventKind:
        """The update engine's event kind this template is written for."""
        return _EVENT_KINDS[self]

    @classmethod
    def for_event(cls, kind: EventKind) -> TemplateKind | None:
        """The template kind that renders an event kind; None for a kind without one."""
        return _TEMPLATE_KINDS.get(kind)


_EVENT_KINDS = {
    TemplateKind.RELEASE: EventKind.RELEASE,
    TemplateKind.UPCOMING: EventKind.UPCOMING,
    TemplateKind.NEW_EPISODE: EventKind.NEW_EPISODE,
    TemplateKind.EPISODE_AIRED: EventKind.EPISODE_AIRED,
    TemplateKind.STATUS: EventKind.STATUS_CHANGE,
    TemplateKind.REMOVED: EventKind.TITLE_REMOVED,
    TemplateKind.STREAMING: EventKind.STREAMING,
    TemplateKind.NEW_TITLE: EventKind.NEW_TITLE,
}
_TEMPLATE_KINDS = {event: kind for kind, event in _EVENT_KINDS.items()}

# What the preview of each kind fills in.
_FILM_SAMPLE = {
    "title": "Dune: Part Two",
    "year": "2024",
    "date": "Friday 1 March 2024",
    "url": "https://www.themoviedb.org/movie/693134",
}
_SHOW_SAMPLE = {
    "title": "Severance",
    "year": "2022",
    "date": "Friday 17 January 2025",
    "network": "Apple TV+",
    "status": "Returning Series",
    "url": "https://www.themoviedb.org/tv/95396",
}
_EPISODE_SAMPLE = {
    **_SHOW_SAMPLE,
    "season": "2",
    "episode": "1",
    "episode_title": "Hello, Ms. Cobel",
}
SAMPLE_VALUES: Mapping[TemplateKind, Mapping[str, str]] = {
    TemplateKind.RELEASE: {**_FILM_SAMPLE, "status": "Released"},
    TemplateKind.UPCOMING: {**_FILM_SAMPLE, "status": "Post Production"},
    TemplateKind.NEW_EPISODE: _EPISODE_SAMPLE,
    TemplateKind.EPISODE_AIRED: _EPISODE_SAMPLE,
    TemplateKind.STATUS: {**_SHOW_SAMPLE, "status": "Ended"},
    TemplateKind.REMOVED: _FILM_SAMPLE,
    TemplateKind.STREAMING: {**_FILM_SAMPLE, "provider": "Max", "region": "US"},
    TemplateKind.NEW_TITLE: {**_FILM_SAMPLE, "person": "Denis Villeneuve"},
}


def parse_kind(text: str) -> TemplateKind:
    """Return the template kind the text names."""
    word = text.strip().lower().replace("-", "_").replace(" ", "_")
    try:
        return TemplateKind(word)
    except ValueError:
        names = ", ".join(f"`{kind.value}`" for kind in TemplateKind)
        raise InvalidInputError(f"A template kind is one of {names}.") from None


def parse_template(text: str) -> str:
    """Check a template a member wrote and return it; InvalidInputError says what is wrong."""
    if len(text) > TEMPLATE_LIMIT:
        raise InvalidInputError(
            f"A template is at most {TEMPLATE_LIMIT} characters (this one has {len(text)})."
        )
    if not text.strip():
        raise InvalidInputError("A template needs some text; use `reset` for the default.")
    for _literal, name, spec, conversion in _pieces(text):
        if name is None:
            continue
        if "." in name or "[" in name:
            raise InvalidInputError(
                f"`{{{name}}}`: placeholders take no `.` or `[]` access. {allowed_placeholders()}"
            )
        if name not in PLACEHOLDERS:
            raise InvalidInputError(f"`{{{name}}}` is not a placeholder. {allowed_placeholders()}")
        if conversion is not None or spec:
            raise InvalidInputError(
                f"Write placeholders plainly, like `{{{name}}}`: no `!` conversions "
                f"or `:` formats. {allowed_placeholders()}"
            )
    return text


def render(template: str, values: Mapping[str, str]) -> str:
    """Fill a checked template's placeholders in; a placeholder without a value becomes ''."""
    parts: list[str] = []
    for literal, name, _spec, _conversion in _pieces(template):
        parts.append(literal)
        if name is not None:
            parts.append(values.get(name, ""))
    return "".join(parts)


def allowed_placeholders() -> str:
    """The sentence that lists the placeholders."""
    return "Allowed placeholders: " + ", ".join(f"`{{{name}}}`" for name in PLACEHOLDERS) + "."


def _pieces(text: str) -> list[tuple[str, str | None, str | None, str | None]]:
    """Split a template like `string.Formatter` does; unbalanced braces are refused."""
    try:
        return list(string.Formatter().parse(text))
    except ValueError:
        raise InvalidInputError(
            "Braces must pair up around a placeholder, like `{title}`; write `{{` or `}}` "
            "for a literal brace."
        ) from None
