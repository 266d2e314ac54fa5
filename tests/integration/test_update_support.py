"""The update engine's test world: a clock, a recording sender, the fake TMDB and a database.

Other test_update_* modules import `world`, `Clock` and `RecordingSender` from here; the
tests at the bottom check the helpers themselves.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from filmbot.config import Settings, load_settings
from filmbot.db.models import UpdateDeliveryRow
from filmbot.db.repositories import GuildRepository, SubscriptionRepository
from filmbot.db.repositories.ledger import LedgerRepository
from filmbot.domain.models import Guild, MediaType, TitleRef
from filmbot.domain.updates import LedgerEntry
from filmbot.services.notifications import (
    DeliveryError,
    NotificationMessage,
    SentMessage,
)
from filmbot.services.updates import TMDBTitleSource, UpdateEngine
from filmbot.tmdb import LocalRateLimiter, RetryPolicy, TMDBClient
from tests.fakes.tmdb_catalogue import Catalogue
from tests.fakes.tmdb_server import FakeTMDB

Sessions = async_sessionmaker[AsyncSession]
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
TODAY = NOW.date()
GUILD = 1_100_000_000_000_000_001
CHANNEL = 1_300_000_000_000_000_001
ROLE = 1_400_000_000_000_000_001
FILM = TitleRef(MediaType.MOVIE, 9_000_001)
SHOW = TitleRef(MediaType.TV, 9_100_001)


def day(offset: int) -> date:
    """Return TODAY plus `offset` days."""
    return TODAY + timedelta(days=offset)


class Clock:
    """A controllable UTC clock."""

    def __init__(self, start: datetime = NOW) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        """Move the clock forward."""
        self.now += timedelta(**delta)
        return self.now


@dataclass
class Sent:
    """One message the recording sender accepted."""

    channel_id: int
    message: NotificationMessage

    @property
    def titles(self) -> list[str]:
        """The embed titles."""
        return [embed["title"] for embed in self.message.embeds]


@dataclass
class RecordingSender:
    """A NotificationSender that records messages and can fail on demand."""

    sent: list[Sent] = field(default_factory=list)
    failures: dict[int, DeliveryError] = field(default_factory=dict)
    fail_next: list[BaseException] = field(default_factory=list)
    before_send: Callable[[int, NotificationMessage], Any] | None = None

    async def send(self, channel_id: int, message: NotificationMessage) -> SentMessage:
        """Record the message, or raise the failure planned for the channel."""
        if self.before_send is not None:
            await self.before_send(channel_id, message)
        if self.fail_next:
            raise self.fail_next.pop(0)
        if channel_id in self.failures:
            raise self.failures[channel_id]
        self.sent.append(Sent(channel_id, message))
        return SentMessage(message_id=len(self.sent))

    @property
    def embeds(self) -> list[dict[str, Any]]:
        """Every embed sent, in order."""
        return [embed for sent in self.sent for embed in sent.message.embeds]

    def titles(self) -> list[str]:
        """Every embed title sent, in order."""
        return [embed["title"] for embed in self.embeds]


@dataclass
class World:
    """The update engine's surroundings in one test."""

    sessionmaker: Sessions
    fake: FakeTMDB
    client: TMDBClient
    clock: Clock
    sender: RecordingSender
    settings: Settings

    @property
    def catalogue(self) -> Catalogue:
        """The fake TMDB's titles."""
        return self.fake.catalogue

    def engine(self, **options: Any) -> UpdateEngine:
        """Build an engine on this world (sender and clock overridable)."""
        sender = options.pop("sender", self.sender)
        options.setdefault("now", self.clock)
        return UpdateEngine(
            self.sessionmaker, TMDBTitleSource(self.client), sender, self.settings, **options
        )

    async def guild(self, guild_id: int = GUILD, **settings: Any) -> Guild:
        """Create a guild with a notification channel and role unless overridden."""
        settings.setdefault("notification_channel_id", CHANNEL)
        settings.setdefault("notification_role_id", ROLE)
        async with self.sessionmaker.begin() as session:
            repo = GuildRepository(session)
            await repo.ensure(guild_id, f"Guild {guild_id}")
            return await repo.update(guild_id, **settings)

    async def get_guild(self, guild_id: int = GUILD) -> Guild:
        """Read a guild back."""
        async with self.sessionmaker() as session:
            guild = await GuildRepository(session).get(guild_id)
        assert guild is not None
        return guild

    async def subscribe(self, ref: TitleRef, guild_id: int = GUILD, **flags: bool) -> None:
        """Subscribe the guild to a title."""
        async with self.sessionmaker.begin() as session:
            await SubscriptionRepository(session).add(guild_id, ref, f"Title {ref}", **flags)

    async def follow(self, ref: TitleRef, guild_id: int = GUILD, **settings: Any) -> None:
        """Create the guild (with `settings`) and subscribe it to the title."""
        await self.guild(guild_id, **settings)
        await self.subscribe(ref, guild_id)

    async def record(self, entries: list[LedgerEntry]) -> None:
        """Write ledger entries as a cycle would, at the clock's time."""
        async with self.sessionmaker.begin() as session:
            await LedgerRepository(session).record(entries, self.clock())

    async def ledger(self) -> list[UpdateDeliveryRow]:
        """Every ledger row."""
        async with self.sessionmaker() as session:
            rows = await session.scalars(select(UpdateDeliveryRow).order_by(UpdateDeliveryRow.id))
            return list(rows)

    async def statuses(self) -> dict[tuple[str, str], str]:
        """Map (kind, event_key) to status, for one-guild tests."""
        return {(row.kind, row.event_key): row.status for row in await self.ledger()}

    def film(self, ref: TitleRef = FILM, **fields: Any) -> None:
        """Create or change a film in the fake TMDB."""
        fields.setdefault("title", "The Film")
        fields.setdefault("poster_path", "/film.jpg")
        self.catalogue.set_movie(ref.tmdb_id, **fields)

    def show(self, ref: TitleRef = SHOW, **fields: Any) -> None:
        """Create or change a TV show in the fake TMDB."""
        fields.setdefault("name", "The Show")
        fields.setdefault("poster_path", "/show.jpg")
        self.catalogue.set_tv(ref.tmdb_id, **fields)

    def dated_film(
        self, ref: TitleRef = FILM, on: int = 0, country: str = "US", **fields: Any
    ) -> None:
        """Create a film (Released unless told) whose release in `country` is on day(`on`)."""
        fields.setdefault("status", "Released")
        self.film(ref, **fields)
        self.catalogue.set_release_date(ref.tmdb_id, day(on), country=country)

    def airing_show(
        self, ref: TitleRef = SHOW, airs: int = 1, season: int = 1, episode: int = 2
    ) -> None:
        """Create a returning show whose next episode airs on day(`airs`)."""
        self.show(ref, status="Returning Series")
        self.catalogue.set_next_episode(ref.tmdb_id, day(airs), season=season, episode=episode)

    def changed(self, ref: TitleRef) -> None:
        """List the title in TMDB's change feed as changed now."""
        self.catalogue.mark_changed(ref.media_type.value, ref.tmdb_id, self.clock())


def settings_for(fake: FakeTMDB, **overrides: Any) -> Settings:
    """Settings pointed at the fake TMDB."""
    return load_settings(
        env_file=None,
        tmdb_base_url=fake.base_url,
        tmdb_api_key=fake.api_key,
        tmdb_read_access_token=None,
        redis_enabled=False,
        **overrides,
    )


def make_client(fake: FakeTMDB, rate: int = 1000) -> TMDBClient:
    """A TMDB client on the fake with a raised rate and quick retries."""
    policy = RetryPolicy(max_retries=2, deadline=5.0, timeout=5.0, backoff_base=0.01)
    return TMDBClient.create(
        fake.base_url, api_key=fake.api_key, limiter=LocalRateLimiter(rate, 1.0), policy=policy
    )


@asynccontextmanager
async def world(sessionmaker: Sessions, **overrides: Any) -> AsyncIterator[World]:
    """Run a fake TMDB (catalogue dated TODAY) and yield the world around an engine."""
    async with FakeTMDB(catalogue=Catalogue(today=TODAY)) as fake:
        client = make_client(fake)
        try:
            yield World(
                sessionmaker,
                fake,
                client,
                Clock(),
                RecordingSender(),
                settings_for(fake, **overrides),
            )
        finally:
            await client.close()


async def test_recording_sender_raises_the_planned_failure_and_records_nothing() -> None:
    from filmbot.services.notifications import RetryLater

    sender = RecordingSender(failures={CHANNEL: RetryLater("slow down")})
    message = NotificationMessage("", (), {"parse": []})
    with pytest.raises(RetryLater, match="slow down"):
        await sender.send(CHANNEL, message)
    await sender.send(CHANNEL + 1, message)
    assert [s.channel_id for s in sender.sent] == [CHANNEL + 1]


def test_clock_advances_by_the_given_delta() -> None:
    clock = Clock()
    clock.advance(hours=6)
    assert clock() == NOW + timedelta(hours=6)
