"""The server watchlist: titles a server plans to watch together."""

from __future__ import annotations

from filmbot.db.repositories import GuildRepository
from filmbot.db.repositories.server_watchlist import ServerWatchlistRepository
from filmbot.db.session import Sessions
from filmbot.domain.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from filmbot.domain.models import TitleRef
from filmbot.domain.server_watchlist import MAX_NOTE_LENGTH, ServerWatchlistEntry
from filmbot.services.catalog import TitleSummary

AUTOCOMPLETE_LIMIT = 25


class ServerWatchlistService:
    """Use cases of a server's shared watchlist."""

    def __init__(self, sessions: Sessions, limit: int) -> None:
        self._sessions = sessions
        self.limit = limit

    @staticmethod
    def check_note(note: str | None) -> str | None:
        """The cleaned note; InvalidInputError when it is too long."""
        cleaned = " ".join((note or "").split()) or None
        if cleaned is not None and len(cleaned) > MAX_NOTE_LENGTH:
            raise InvalidInputError(f"A note can be up to {MAX_NOTE_LENGTH} characters.")
        return cleaned

    async def add(
        self, guild_id: int, user_id: int, title: TitleSummary, note: str | None = None
    ) -> ServerWatchlistEntry:
        """Add a title; AlreadyExistsError or LimitReachedError refuse it."""
        cleaned = self.check_note(note)
        async with self._sessions.begin() as session:
            await GuildRepository(session).ensure(guild_id)
            return await ServerWatchlistRepository(session).add(
                guild_id,
                title.ref,
                title.title,
                title.poster_path,
                added_by=user_id,
                note=cleaned,
                limit=self.limit,
            )

    async def entries(self, guild_id: int) -> list[ServerWatchlistEntry]:
        """The server's list, first added first, with its members' average ratings."""
        async with self._sessions() as session:
            return await ServerWatchlistRepository(session).entries(guild_id)

    async def search(self, guild_id: int, text: str) -> list[ServerWatchlistEntry]:
        """Entries whose title contains the text (for autocomplete)."""
        needle = " ".join(text.split()).casefold()
        entries = await self.entries(guild_id)
        return [e for e in entries if needle in e.title.casefold()][:AUTOCOMPLETE_LIMIT]

    async def find(self, guild_id: int, query: TitleRef | str) -> ServerWatchlistEntry:
        """The entry a title option names; NotFoundError when none or several match."""
        entries = await self.entries(guild_id)
        if isinstance(query, TitleRef):
            found = [e for e in entries if e.ref == query]
        else:
            needle = query.casefold()
            found = [e for e in entries if e.title.casefold() == needle] or [
                e for e in entries if needle in e.title.casefold()
            ]
        if len(found) == 1:
            return found[0]
        if not found:
            raise NotFoundError("No title on the server watchlist matches that.")
        raise NotFoundError(
            "Several titles on the server watchlist match; pick one from the suggestions."
        )

    async def remove(
        self, guild_id: int, query: TitleRef | str, user_id: int, *, can_manage: bool
    ) -> ServerWatchlistEntry:
        """Remove an entry: its adder may, and so may members with Manage Server."""
        entry = await self.find(guild_id, query)
        if entry.added_by != user_id and not can_manage:
            raise PermissionDeniedError(
                "Only the member who added it, or someone with Manage Server, can remove it."
            )
        async with self._sessions.begin() as session:
            await ServerWatchlistRepository(session).remove(guild_id, entry.ref)
        return entry
