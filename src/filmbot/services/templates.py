"""Notification templates: show, change and reset the text above each kind of notification."""

from __future__ import annotations

from dataclasses import dataclass

from filmbot.db.repositories import GuildRepository
from filmbot.db.session import Sessions
from filmbot.domain.limits import CONTENT_LIMIT, clip
from filmbot.domain.models import Guild
from filmbot.domain.templates import (
    DEFAULT_TEMPLATE,
    SAMPLE_VALUES,
    TemplateKind,
    parse_template,
    render,
)
from filmbot.services.notifications import mention_parts


@dataclass(frozen=True, slots=True)
class TemplateView:
    """A server's template for one kind, and how it renders with sample data."""

    kind: TemplateKind
    text: str
    is_default: bool
    preview: str


class TemplateService:
    """Read and change a server's notification templates."""

    def __init__(self, sessions: Sessions) -> None:
        self._sessions = sessions

    async def show(self, guild_id: int, kind: TemplateKind) -> TemplateView:
        """The kind's current template with a preview."""
        async with self._sessions.begin() as session:
            guild = await GuildRepository(session).ensure(guild_id)
        return view_of(guild, kind)

    async def set(self, guild_id: int, kind: TemplateKind, text: str) -> TemplateView:
        """Check and store the kind's template; bad text changes nothing."""
        checked = parse_template(text)
        return await self._store(guild_id, kind, checked)

    async def reset(self, guild_id: int, kind: TemplateKind) -> TemplateView:
        """Go back to the default template for the kind."""
        return await self._store(guild_id, kind, None)

    async def _store(self, guild_id: int, kind: TemplateKind, text: str | None) -> TemplateView:
        async with self._sessions.begin() as session:
            repo = GuildRepository(session)
            templates = dict((await repo.ensure(guild_id)).notification_templates)
            if text is None:
                templates.pop(kind.value, None)
            else:
                templates[kind.value] = text
            guild = await repo.update(guild_id, notification_templates=templates)
        return view_of(guild, kind)


def view_of(guild: Guild, kind: TemplateKind) -> TemplateView:
    """The guild's template for the kind, rendered with the kind's sample data."""
    stored = guild.notification_templates.get(kind.value)
    text = stored if stored is not None else DEFAULT_TEMPLATE
    mention, _ = mention_parts(guild.notification_role_id)
    preview = render(text, {**SAMPLE_VALUES[kind], "role": mention})
    return TemplateView(kind, text, stored is None, clip(preview, CONTENT_LIMIT))
