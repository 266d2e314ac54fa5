"""db.session.retrying: a transaction that hits a lock conflict is rolled back and run again."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from filmbot.db.repositories import GuildRepository
from filmbot.db.session import retrying

Sessions = async_sessionmaker[AsyncSession]
GUILD = 1_100_000_000_000_000_777


def _conflict(message: str) -> DBAPIError:
    """The error a driver raises, wrapped the way SQLAlchemy wraps it."""
    return DBAPIError("UPDATE update_deliveries ...", {}, Exception(message))


async def _guild_names(sessionmaker: Sessions) -> list[str]:
    async with sessionmaker() as session:
        guild = await GuildRepository(session).get(GUILD)
    return [] if guild is None else [guild.name]


async def test_work_that_hit_a_deadlock_is_rolled_back_and_run_again(
    sessionmaker: Sessions,
) -> None:
    found_at_start: list[bool] = []

    async def work(session: AsyncSession) -> int:
        guilds = GuildRepository(session)
        found_at_start.append(await guilds.get(GUILD) is not None)
        await guilds.ensure(GUILD, f"attempt {len(found_at_start)}")
        if len(found_at_start) == 1:
            raise _conflict("Deadlock found when trying to get lock; try restarting transaction")
        return len(found_at_start)

    assert await retrying(sessionmaker, work) == 2
    assert found_at_start == [False, False]
    assert await _guild_names(sessionmaker) == ["attempt 2"]


async def test_other_database_errors_are_raised_at_once(sessionmaker: Sessions) -> None:
    attempts: list[int] = []

    async def work(session: AsyncSession) -> None:
        attempts.append(1)
        await GuildRepository(session).ensure(GUILD, "never kept")
        raise _conflict("no such column: nonsense")

    with pytest.raises(DBAPIError, match="nonsense"):
        await retrying(sessionmaker, work)
    assert attempts == [1]
    assert await _guild_names(sessionmaker) == []


async def test_a_conflict_on_every_attempt_is_raised_after_the_last(
    sessionmaker: Sessions,
) -> None:
    attempts: list[int] = []

    async def work(session: AsyncSession) -> None:
        attempts.append(1)
        raise _conflict("deadlock detected")

    with pytest.raises(DBAPIError, match="deadlock"):
        await retrying(sessionmaker, work, attempts=3)
    assert len(attempts) == 3
