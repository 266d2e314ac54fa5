"""Which guilds a process owns when shards are split across processes, and its scope name."""

from __future__ import annotations

from filmbot.config import Settings
from filmbot.services.updates.plan import GuildFilter

ALL_GUILDS = "all"
SCOPE_LENGTH = 64  # the column holding a scope name


def shard_filter(settings: Settings) -> GuildFilter | None:
    """Return the guild filter of this process's shards, or None when it owns every guild."""
    count, ids = settings.shard_count, settings.shard_ids
    if count is None or count <= 1 or ids is None:
        return None
    owned = frozenset(ids)
    return lambda guild_id: shard_of(guild_id, count) in owned


def shard_of(guild_id: int, count: int) -> int:
    """The shard a guild's events come on (Discord's sharding formula)."""
    return (guild_id >> 22) % count


def shard_scope(settings: Settings) -> str:
    """Name the set of guilds this process owns, to keep its snapshots apart."""
    if shard_filter(settings) is None:
        return ALL_GUILDS
    ids = ",".join(str(i) for i in sorted(settings.shard_ids or []))
    return f"shards:{ids}/{settings.shard_count}"[:SCOPE_LENGTH]


def covers(scope: str, guild_id: int) -> bool | None:
    """Whether the process storing under `scope` checks the guild; None when the name does
    not say (a name of SCOPE_LENGTH characters may have been cut, even inside its count)."""
    if scope == ALL_GUILDS:
        return True
    if len(scope) >= SCOPE_LENGTH or not scope.startswith("shards:"):
        return None
    shards, _, count = scope.removeprefix("shards:").partition("/")
    ids = shards.split(",")
    if not count.isdigit() or not all(i.isdigit() for i in ids):
        return None
    owned = {int(i) for i in ids}
    if int(count) < 1 or max(owned) >= int(count):
        return None
    return shard_of(guild_id, int(count)) in owned
