"""Server subscriptions to titles."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from filmbot.db.repositories import GuildRepository, SubscriptionRepository
from filmbot.db.session import Sessions
from filmbot.domain.errors import AlreadyExistsError, NotFoundError, PermissionDeniedError
from filmbot.domain.models import Guild, SubscribePermission, Subscription, TitleRef
from filmbot.services.catalog import TitleSummary

log = logging.getLogger(__name__)

HintSource = Callable[[Guild, list[Subscription]], Awaitable[dict[TitleRef, str]]]


@dataclass(frozen=True, slots=True)
class ChannelChoice:
    """A channel given to /subscribe: its id, or None for the server's channels."""

    channel_id: int | None


@dataclass(frozen=True, slots=True)
class SubscriptionView:
    """A subscription with what it will notify about next."""

    subscription: Subscription
    next_hint: str | None


class SubscriptionService:
    """Subscribe a server to titles, list and remove them."""

    def __init__(self, sessions: Sessions, hints: HintSource | None = None) -> None:
        self._sessions = sessions
        self._hints = hints

    async def subscribe(
        self,
        guild_id: int,
        title: TitleSummary,
        *,
        can_manage_server: bool,
        guild_name: str = "",
        releases: bool = True,
        updates: bool = True,
        channel: ChannelChoice | None = None,
        only_new: bool = False,
    ) -> tuple[Subscription, bool]:
        """Subscribe; return (subscription, created).

        Existing ones get the new flags and, when `channel` is given, the new channel; with
        `only_new` an existing one is left alone and AlreadyExistsError raised.
        """
        async with self._sessions.begin() as session:
            guild = await GuildRepository(session).ensure(guild_id, guild_name)
            self._check_permission(guild, can_manage_server)
            repo = SubscriptionRepository(session)
            existing = await repo.get(guild_id, title.ref)
            if existing is not None and only_new:
                raise AlreadyExistsError(f"This server already follows {title.title}.")
            if existing is not None:
                return await self._change(repo, existing, title, releases, updates, channel), False
            created = await repo.add(
                guild_id,
                title.ref,
                title.title,
                title.poster_path,
                notify_release=releases,
                notify_update=updates,
                channel_id=channel.channel_id if channel else None,
            )
            return created, True

    @staticmethod
    async def _change(  # noqa: PLR0917 - the subscription and everything /subscribe gives
        repo: SubscriptionRepository,
        existing: Subscription,
        title: TitleSummary,
        releases: bool,
        updates: bool,
        channel: ChannelChoice | None,
    ) -> Subscription:
        """Apply a repeated /subscribe to an existing subscription."""
        same_flags = (existing.notify_release, existing.notify_update) == (releases, updates)
        same_channel = channel is None or channel.channel_id == existing.channel_id
        if same_flags and same_channel:
            raise AlreadyExistsError(f"This server already follows {title.title}.")
        changed: Subscription | None = existing
        if not same_flags:
            changed = await repo.set_flags(
                existing.guild_id, title.ref, notify_release=releases, notify_update=updates
            )
        if not same_channel and channel is not None:
            changed = await repo.set_channel(existing.guild_id, title.ref, channel.channel_id)
        assert changed is not None
        return changed

    async def unsubscribe(
        self, guild_id: int, ref: TitleRef, *, can_manage_server: bool
    ) -> Subscription:
        """Remove a subscription; NotFoundError when the server does not follow the title."""
        async with self._sessions.begin() as session:
            guild = await GuildRepository(session).ensure(guild_id)
            self._check_permission(guild, can_manage_server)
            repo = SubscriptionRepository(session)
            existing = await repo.get(guild_id, ref)
            if existing is None or not await repo.remove(guild_id, ref):
                raise NotFoundError("This server does not follow that title.")
            return existing

    async def overview(self, guild_id: int) -> list[SubscriptionView]:
        """The server's subscriptions, newest first, each with its next notification."""
        async with self._sessions() as session:
            guild = await GuildRepository(session).get(guild_id)
            subscriptions = await SubscriptionRepository(session).list_for_guild(guild_id)
        hints: dict[TitleRef, str] = {}
        if guild is not None and subscriptions and self._hints is not None:
            try:
                hints = await self._hints(guild, subscriptions)
            except Exception:
                log.exception("Could not work out next notifications for guild %s", guild_id)
        return [SubscriptionView(s, hints.get(s.ref)) for s in subscriptions]

    async def search(self, guild_id: int, text: str) -> list[Subscription]:
        """The server's subscriptions whose title contains the text (autocomplete)."""
        async with self._sessions() as session:
            repo = SubscriptionRepository(session)
            if not text.strip():
                return await repo.list_for_guild(guild_id, limit=25)
            return await repo.search_for_guild(guild_id, text.strip()[:100])

    @classmethod
    def check_allowed(cls, guild: Guild, can_manage_server: bool) -> None:
        """Refuse early (before any picker) when the member may not change subscriptions."""
        cls._check_permission(guild, can_manage_server)

    @staticmethod
    def _check_permission(guild: Guild, can_manage_server: bool) -> None:
        if (
            guild.subscribe_permission is SubscribePermission.MANAGE_SERVER
            and not can_manage_server
        ):
            raise PermissionDeniedError(
                "On this server only members with Manage Server can change subscriptions."
            )
