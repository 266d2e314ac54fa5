"""Personal notifications: a member's follows (told by DM) and their notification settings."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import time

from filmbot.db.repositories.ledger import MemberLedgerRepository
from filmbot.db.repositories.personal import FollowRepository, MemberSettingsRepository
from filmbot.db.session import Sessions
from filmbot.domain.errors import AlreadyExistsError, InvalidInputError, NotFoundError
from filmbot.domain.guild_settings import parse_timezone
from filmbot.domain.models import TitleRef
from filmbot.domain.personal import (
    MemberState,
    NotifySettings,
    PersonalFollow,
    parse_clock,
    parse_digest,
)
from filmbot.services.catalog import TitleSummary
from filmbot.services.updates.follows import member_prefs
from filmbot.services.updates.plan import Windows
from filmbot.services.updates.status import UpdateStatus

log = logging.getLogger(__name__)

MAX_FOLLOWS = 500
OFF_WORDS = frozenset({"off", "none"})
BLOCKED_HELP = (
    "⚠️ I could not send you a direct message: Discord says you do not accept DMs from me. "
    "To get your personal notifications, allow direct messages from this server's members "
    "(Server menu → Privacy Settings → Direct Messages) or add FilmBot to your apps, then "
    "run `/notify-settings` to start them again. Your follows are kept."
)


@dataclass(frozen=True, slots=True)
class FollowView:
    """A personal follow with what it announces next."""

    follow: PersonalFollow
    next_hint: str | None


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a member used a command: a server's time zone and region, or none (a DM)."""

    timezone: str = "UTC"
    region: str = "US"


@dataclass(frozen=True, slots=True)
class SettingsChange:
    """The options of /notify-settings as typed (None: unchanged)."""

    quiet_start: str | None = None
    quiet_end: str | None = None
    timezone: str | None = None
    digest: str | None = None


class PersonalService:
    """Follow titles personally, list and remove them, change notification settings."""

    def __init__(self, sessions: Sessions, status: UpdateStatus, windows: Windows) -> None:
        self._sessions = sessions
        self._status = status
        self._windows = windows

    async def follow(
        self,
        user_id: int,
        title: TitleSummary,
        origin: Origin,
        *,
        releases: bool = True,
        updates: bool = True,
        only_new: bool = False,
    ) -> bool:
        """Follow the title personally; True when new, False when its flags were updated.

        With `only_new` an existing follow is left alone and AlreadyExistsError raised.
        """
        async with self._sessions.begin() as session:
            follows = FollowRepository(session)
            existing = await follows.get(user_id, title.ref)
            if existing is not None and (
                only_new or (existing.notify_release, existing.notify_update) == (releases, updates)
            ):
                raise AlreadyExistsError(f"You already follow {title.title}.")
            if existing is None and len(await follows.list_for(user_id)) >= MAX_FOLLOWS:
                raise InvalidInputError(f"You can follow at most {MAX_FOLLOWS} titles.")
            settings = MemberSettingsRepository(session)
            await settings.ensure(user_id, origin.timezone, origin.region)
            follow = PersonalFollow(
                user_id, title.ref, title.title, title.poster_path, releases, updates
            )
            return await follows.add(follow)

    async def unfollow(self, user_id: int, ref: TitleRef) -> PersonalFollow:
        """Stop following; NotFoundError when the member does not follow the title."""
        async with self._sessions.begin() as session:
            follows = FollowRepository(session)
            existing = await follows.get(user_id, ref)
            if existing is None or not await follows.remove(user_id, ref):
                raise NotFoundError("You do not follow that title personally.")
            return existing

    async def search(self, user_id: int, text: str) -> list[PersonalFollow]:
        """The member's follows whose title contains the text (autocomplete)."""
        async with self._sessions() as session:
            repo = FollowRepository(session)
            if not text.strip():
                return (await repo.list_for(user_id))[:25]
            return await repo.search(user_id, text.strip()[:100])

    async def overview(self, user_id: int) -> tuple[list[FollowView], MemberState]:
        """The member's follows, each with what it announces next, and their settings."""
        async with self._sessions() as session:
            follows = await FollowRepository(session).list_for(user_id)
            state = await MemberSettingsRepository(session).get(user_id)
        state = state or MemberState(user_id, NotifySettings())
        hints: dict[TitleRef, str] = {}
        if follows:
            try:
                prefs = member_prefs(state, self._windows)
                hints = await self._status.member_hints(prefs, [f.ref for f in follows])
            except Exception:
                log.exception("Could not work out a member's next notifications")
        return [FollowView(f, hints.get(f.ref)) for f in follows], state

    async def change_settings(
        self, user_id: int, change: SettingsChange, origin: Origin
    ) -> MemberState:
        """Validate every option first, then store them all (or nothing)."""
        clear = {_word(change.quiet_start), _word(change.quiet_end)} & OFF_WORDS
        quiet_start = _clock_option(change.quiet_start)
        quiet_end = _clock_option(change.quiet_end)
        timezone = parse_timezone(change.timezone) if change.timezone else None
        digest = parse_digest(change.digest) if change.digest else None
        async with self._sessions.begin() as session:
            repo = MemberSettingsRepository(session)
            current = (await repo.ensure(user_id, origin.timezone, origin.region)).settings
            updated = replace(
                current,
                quiet_start=None if clear else quiet_start or current.quiet_start,
                quiet_end=None if clear else quiet_end or current.quiet_end,
                timezone=timezone or current.timezone,
                digest=digest or current.digest,
            )
            if (updated.quiet_start is None) != (updated.quiet_end is None):
                raise InvalidInputError("Quiet hours need both `quiet_start` and `quiet_end`.")
            await repo.save(user_id, updated)
            await repo.unblock(user_id)
            state = await repo.get(user_id)
        assert state is not None
        return state

    async def take_block_notice(self, user_id: int) -> bool:
        """True once after Discord refused to DM the member (tell them how to fix it)."""
        async with self._sessions() as session:
            state = await MemberSettingsRepository(session).get(user_id)
        if state is None or not state.dm_blocked or state.block_told:
            return False
        async with self._sessions.begin() as session:
            return await MemberSettingsRepository(session).take_block_notice(user_id)


def _word(text: str | None) -> str:
    return (text or "").strip().lower()


def _clock_option(text: str | None) -> time | None:
    """A quiet-hours end as typed: a time, or None when unset or `off`."""
    if not text or _word(text) in OFF_WORDS:
        return None
    return parse_clock(text)


async def personal_data(
    sessions: Sessions, user_id: int
) -> tuple[list[PersonalFollow], MemberState | None]:
    """The member's follows and settings, for /privacy show."""
    async with sessions() as session:
        follows = await FollowRepository(session).list_for(user_id)
        state = await MemberSettingsRepository(session).get(user_id)
    return follows, state


async def delete_personal_data(sessions: Sessions, user_id: int) -> int:
    """Delete the member's follows, settings and DM ledger rows; count the follows."""
    async with sessions.begin() as session:
        removed = await FollowRepository(session).delete_user(user_id)
        await MemberSettingsRepository(session).delete(user_id)
        await MemberLedgerRepository(session).delete_user(user_id)
    return removed
