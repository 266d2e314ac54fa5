"""The update engine: detect releases and episodes of followed titles and deliver each once."""

from filmbot.domain.clock import Clock
from filmbot.services.updates.engine import UpdateEngine
from filmbot.services.updates.plan import GuildFilter
from filmbot.services.updates.report import CycleReport
from filmbot.services.updates.scheduler import UpdateScheduler
from filmbot.services.updates.shards import ALL_GUILDS, shard_filter, shard_scope
from filmbot.services.updates.sources import (
    SharedTitleSource,
    TitleSource,
    TMDBTitleSource,
    title_source,
)
from filmbot.services.updates.status import UpdateStatus

__all__ = [
    "ALL_GUILDS",
    "Clock",
    "CycleReport",
    "GuildFilter",
    "SharedTitleSource",
    "TMDBTitleSource",
    "TitleSource",
    "UpdateEngine",
    "UpdateScheduler",
    "UpdateStatus",
    "shard_filter",
    "shard_scope",
    "title_source",
]
