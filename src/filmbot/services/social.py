"""Member-to-member recommendations and members' social preferences."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime

from filmbot.db.repositories import GuildRepository
from filmbot.db.repositories.social import MemberRecommendationRepository, PreferenceRepository
from filmbot.db.session import Sessions
from filmbot.domain.clock import Clock, utcnow
from filmbot.domain.errors import PermissionDeniedError
from filmbot.domain.social import (
    RATE_WINDOW,
    MemberPreferences,
    MemberRecommendation,
    check_rate,
    check_recipient,
    clean_note,
)
from filmbot.services.catalog import TitleSummary

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Recipient:
    """Who a recommendation goes to, as the cog found them in the server."""

    id: int
    is_bot: bool


class SocialService:
    """Send recommendations to members, show them to the recipient, keep each member's opt-ins."""

    def __init__(self, sessions: Sessions, clock: Clock = utcnow) -> None:
        self._sessions = sessions
        self._clock = clock

    @staticmethod
    def check(sender_id: int, recipient: Recipient, note: str | None) -> str | None:
        """Refuse a bad recipient or note before any title is looked up; return the clean note."""
        check_recipient(sender_id, recipient.id, recipient_is_bot=recipient.is_bot)
        return clean_note(note)

    async def check_allowed(self, sender_id: int, recipient: Recipient, note: str | None) -> None:
        """Refuse early (before a title is picked) what `recommend` would refuse."""
        self.check(sender_id, recipient, note)
        now = self._clock()
        async with self._sessions() as session:
            await self._check_open(
                PreferenceRepository(session),
                MemberRecommendationRepository(session),
                (sender_id, recipient.id),
                now,
            )

    @staticmethod
    async def _check_open(
        preferences: PreferenceRepository,
        recommendations: MemberRecommendationRepository,
        pair: tuple[int, int],
        now: datetime,
    ) -> None:
        """Refuse when the recipient opted out or the sender used up today's allowance."""
        sender_id, recipient_id = pair
        if not (await preferences.get(recipient_id)).recommendations:
            raise PermissionDeniedError("That member has turned off recommendations.")
        sent = await recommendations.sent_since(sender_id, recipient_id, now - RATE_WINDOW)
        check_rate(sent, now)

    async def recommend(
        self,
        guild_id: int,
        sender: tuple[int, str],
        recipient: Recipient,
        title: TitleSummary,
        note: str | None,
    ) -> MemberRecommendation:
        """Store a recommendation; refused when the recipient opted out or the sender is over."""
        cleaned = self.check(sender[0], recipient, note)
        now = self._clock()
        async with self._sessions.begin() as session:
            await self._check_open(
                PreferenceRepository(session),
                MemberRecommendationRepository(session),
                (sender[0], recipient.id),
                now,
            )
            await GuildRepository(session).ensure(guild_id)
            return await MemberRecommendationRepository(session).add(
                guild_id,
                sender=sender,
                recipient_id=recipient.id,
                ref=title.ref,
                title=title.title,
                note=cleaned,
                at=now,
            )

    async def take_pending(self, guild_id: int, user_id: int) -> list[MemberRecommendation]:
        """What members recommended to the user here since their last /recommend."""
        async with self._sessions.begin() as session:
            if not (await PreferenceRepository(session).get(user_id)).recommendations:
                return []
            return await MemberRecommendationRepository(session).take_pending(guild_id, user_id)

    async def preferences(self, user_id: int) -> MemberPreferences:
        """The member's opt-ins."""
        async with self._sessions() as session:
            return await PreferenceRepository(session).get(user_id)

    async def set_preferences(
        self, user_id: int, *, recommendations: bool | None = None, activity: bool | None = None
    ) -> MemberPreferences:
        """Change the given opt-ins, keep the others."""
        async with self._sessions.begin() as session:
            repo = PreferenceRepository(session)
            current = await repo.get(user_id)
            changed = replace(
                current,
                recommendations=current.recommendations
                if recommendations is None
                else recommendations,
                activity=current.activity if activity is None else activity,
            )
            return await repo.set(user_id, changed)
