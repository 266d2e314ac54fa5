"""Following people: a server (`/subscribe person:ID`) or a member (`/notify-me person:ID`).

The update engine announces each followed person's new titles (see `updates.people`).
"""

from __future__ import annotations

from filmbot.db.repositories import GuildRepository
from filmbot.db.repositories.person_follows import PersonFollowRepository
from filmbot.db.repositories.personal import MemberSettingsRepository
from filmbot.db.session import Sessions
from filmbot.domain.errors import AlreadyExistsError, InvalidInputError, NotFoundError
from filmbot.domain.person_follows import MAX_PERSON_FOLLOWS, PersonFollow
from filmbot.services.people import PeopleService
from filmbot.services.personal import Origin
from filmbot.services.subscriptions import SubscriptionService


class PersonFollowService:
    """Follow people for a server or a member, list and remove those follows."""

    def __init__(self, sessions: Sessions, people: PeopleService) -> None:
        self._sessions = sessions
        self._people = people

    async def follow_for_guild(
        self,
        guild_id: int,
        person_id: int,
        *,
        can_manage_server: bool,
        guild_name: str = "",
        language: str | None = None,
    ) -> PersonFollow:
        """The server follows the person; AlreadyExistsError when it already does."""
        async with self._sessions.begin() as session:
            guild = await GuildRepository(session).ensure(guild_id, guild_name)
        SubscriptionService.check_allowed(guild, can_manage_server)
        person = await self._people.get(person_id, language=language)
        follow = PersonFollow(
            person.id, person.name, guild_id=guild_id, profile_path=person.profile_path
        )
        async with self._sessions.begin() as session:
            await GuildRepository(session).ensure(guild_id, guild_name)
            await self._add(PersonFollowRepository(session), follow, "This server")
        return follow

    async def follow_for_member(
        self, user_id: int, person_id: int, origin: Origin, *, language: str | None = None
    ) -> PersonFollow:
        """The member follows the person personally; AlreadyExistsError when they do."""
        person = await self._people.get(person_id, language=language)
        follow = PersonFollow(
            person.id, person.name, user_id=user_id, profile_path=person.profile_path
        )
        async with self._sessions.begin() as session:
            await MemberSettingsRepository(session).ensure(user_id, origin.timezone, origin.region)
            await self._add(PersonFollowRepository(session), follow, "You")
        return follow

    async def unfollow_for_guild(
        self, guild_id: int, person_id: int, *, can_manage_server: bool
    ) -> PersonFollow:
        """Stop the server's follow; NotFoundError when it does not follow the person."""
        async with self._sessions.begin() as session:
            guild = await GuildRepository(session).ensure(guild_id)
            SubscriptionService.check_allowed(guild, can_manage_server)
            removed = await PersonFollowRepository(session).remove(
                PersonFollow(person_id, "", guild_id=guild_id)
            )
        if removed is None:
            raise NotFoundError("This server does not follow that person.")
        return removed

    async def unfollow_for_member(self, user_id: int, person_id: int) -> PersonFollow:
        """Stop the member's follow; NotFoundError when they do not follow the person."""
        async with self._sessions.begin() as session:
            removed = await PersonFollowRepository(session).remove(
                PersonFollow(person_id, "", user_id=user_id)
            )
        if removed is None:
            raise NotFoundError("You do not follow that person personally.")
        return removed

    async def for_guild(self, guild_id: int) -> list[PersonFollow]:
        """The people the server follows, by name."""
        async with self._sessions() as session:
            return await PersonFollowRepository(session).for_guild(guild_id)

    async def for_member(self, user_id: int) -> list[PersonFollow]:
        """The people the member follows personally, by name."""
        async with self._sessions() as session:
            return await PersonFollowRepository(session).for_user(user_id)

    async def search(self, owner: PersonFollow, text: str) -> list[PersonFollow]:
        """The owner's person follows whose name contains the text (autocomplete)."""
        async with self._sessions() as session:
            return await PersonFollowRepository(session).search(owner, text.strip()[:100])

    @staticmethod
    async def _add(repo: PersonFollowRepository, follow: PersonFollow, who: str) -> None:
        owner = (
            await repo.for_guild(follow.guild_id)
            if follow.guild_id is not None
            else await repo.for_user(follow.user_id or 0)
        )
        if any(f.person_id == follow.person_id for f in owner):
            raise AlreadyExistsError(f"{who} already follow{'s' * (who != 'You')} {follow.name}.")
        if len(owner) >= MAX_PERSON_FOLLOWS:
            raise InvalidInputError(f"{who} can follow at most {MAX_PERSON_FOLLOWS} people.")
        await repo.add(follow)
