"""Logged-in members, kept in the dashboard's memory: the session cookie holds only an id.

The Discord access token never leaves the server. The member's guild list (and so their
permissions) is refreshed from Discord at most every GUILDS_TTL, or at once on demand.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from filmbot.web.oauth import DiscordOAuth, LoginFailed
from filmbot.web.permissions import MemberGuild

GUILDS_TTL_SECONDS = 300.0
SESSION_LIFETIME_SECONDS = 7 * 24 * 3600.0
MAX_SESSIONS = 10_000


@dataclass(frozen=True, slots=True)
class Member:
    """One login: who, their Discord token, their servers and when those were read."""

    user_id: int
    username: str
    access_token: str
    guilds: dict[int, MemberGuild]
    guilds_read: float
    created: float


class MemberStore:
    """Server-side sessions by random id."""

    def __init__(self, oauth: DiscordOAuth, clock: Callable[[], float] = time.monotonic) -> None:
        self._oauth = oauth
        self._clock = clock
        self._members: dict[str, Member] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def log_in(self, code: str) -> str:
        """Trade the code for a token, read the member and their servers; return a session id."""
        token = await self._oauth.exchange(code)
        user = await self._oauth.user(token)
        guilds = await self._oauth.guilds(token)
        now = self._clock()
        self._forget_expired(now)
        session_id = secrets.token_urlsafe(32)
        self._members[session_id] = Member(
            user.id, user.username, token, guilds, guilds_read=now, created=now
        )
        return session_id

    async def member(self, session_id: str | None, *, refresh: bool = False) -> Member | None:
        """The session's member with a fresh enough guild list, or None when logged out."""
        member = self._members.get(session_id or "")
        if member is None or session_id is None:
            return None
        now = self._clock()
        if now - member.created > SESSION_LIFETIME_SECONDS:
            self.log_out(session_id)
            return None
        if refresh or now - member.guilds_read > GUILDS_TTL_SECONDS:
            lock = self._locks.setdefault(session_id, asyncio.Lock())
            async with lock:
                member = self._members.get(session_id)
                if member is None:
                    return None
                if refresh or self._clock() - member.guilds_read > GUILDS_TTL_SECONDS:
                    member = await self._reread(session_id, member)
        return member

    def log_out(self, session_id: str | None) -> None:
        """Forget the session."""
        self._members.pop(session_id or "", None)
        self._locks.pop(session_id or "", None)

    async def _reread(self, session_id: str, member: Member) -> Member | None:
        try:
            guilds = await self._oauth.guilds(member.access_token)
        except LoginFailed:
            self.log_out(session_id)
            return None
        fresh = replace(member, guilds=guilds, guilds_read=self._clock())
        self._members[session_id] = fresh
        return fresh

    def _forget_expired(self, now: float) -> None:
        expired = [
            sid for sid, m in self._members.items() if now - m.created > SESSION_LIFETIME_SECONDS
        ]
        for sid in expired:
            self.log_out(sid)
        while len(self._members) >= MAX_SESSIONS:
            self.log_out(next(iter(self._members)))
