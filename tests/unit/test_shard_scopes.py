"""Which process's scope checks a guild, read back from the scope's name."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from filmbot.config import Settings
from filmbot.domain.updates import CycleState
from filmbot.services.updates.shards import ALL_GUILDS, covers, shard_filter, shard_scope
from filmbot.services.updates.status import checking

AT = datetime(2026, 12, 4, 12, tzinfo=UTC)


def _guild_on(shard: int, count: int) -> int:
    return (1234 * count + shard) << 22


@pytest.mark.parametrize(("count", "ids"), [(2, [1]), (4, [0, 3]), (7, [2, 5, 6])])
def test_a_scope_name_covers_exactly_the_guilds_its_process_owns(
    count: int, ids: list[int]
) -> None:
    settings = Settings(shard_count=count, shard_ids=ids, discord_token="x", tmdb_api_key="y")
    owns, scope = shard_filter(settings), shard_scope(settings)
    assert owns is not None
    for shard in range(count):
        guild = _guild_on(shard, count) + 99
        assert covers(scope, guild) is owns(guild) is (shard in ids)


def test_the_all_scope_covers_every_guild_and_a_cut_name_says_nothing() -> None:
    assert covers(ALL_GUILDS, _guild_on(3, 4)) is True
    assert covers("shards:0,1,2", _guild_on(1, 4)) is None  # cut before the count
    assert covers("shards:0,1,2,3/", _guild_on(1, 4)) is None
    assert covers("shards:5/4", _guild_on(1, 4)) is None  # no such shard
    assert covers("elsewhere", _guild_on(1, 4)) is None


def test_a_name_cut_inside_its_count_does_not_claim_every_guild() -> None:
    settings = Settings(
        shard_count=128, shard_ids=list(range(22)), discord_token="x", tmdb_api_key="y"
    )
    scope = shard_scope(settings)
    assert scope.endswith("/1")  # "/128" cut to "/1" at 64 characters
    assert covers(scope, _guild_on(50, 128)) is None
    assert covers(scope, _guild_on(3, 128)) is None


def test_checking_takes_the_newest_covering_record_then_unnamed_ones() -> None:
    guild = _guild_on(1, 2)
    states = [
        CycleState(ALL_GUILDS, AT - timedelta(days=3), AT, None, {}),
        CycleState("shards:1/2", AT - timedelta(hours=1), AT, None, {}),
        CycleState("shards:0/2", AT, AT, None, {}),
    ]
    picked = checking(states, guild)
    assert picked is not None and picked.scope == "shards:1/2"
    newest = checking(states)
    assert newest is not None and newest.scope == "shards:0/2"
    cut = [CycleState("shards:0/2", AT, AT, None, {}), CycleState("shards:1,3", AT, AT, None, {})]
    fallback = checking(cut, guild)
    assert fallback is not None and fallback.scope == "shards:1,3"
    assert checking([], guild) is None
    assert checking(states[2:], guild) is None
