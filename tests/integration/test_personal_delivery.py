"""Personal notifications through the update engine: exactly once per member, by DM.

One fetch per title however many servers and members follow it; crashes and restarts in the
middle of DM delivery; two engines at once; quiet hours held across a restart; a digest is
never sent twice for a day; a member who refuses DMs is not retried.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select

from filmbot.db import migrate
from filmbot.db.models import MemberDeliveryRow
from filmbot.db.repositories.personal import FollowRepository, MemberSettingsRepository
from filmbot.db.session import create_sessionmaker, engine_for_url
from filmbot.domain.models import MediaType, TitleRef
from filmbot.domain.personal import DigestMode, NotifySettings, PersonalFollow, parse_clock
from filmbot.services.notifications import (
    NotificationMessage,
    RecipientRefusesDMs,
    SentMessage,
)
from filmbot.services.updates import TMDBTitleSource, UpdateEngine
from tests.integration.test_update_support import (
    CHANNEL,
    FILM,
    GUILD,
    SHOW,
    RecordingSender,
    Sessions,
    World,
    world,
)

USER = 1_500_000_000_000_000_007
DM_BASE = 1_600_000_000_000_000_000
SHORT_LEASE = timedelta(seconds=0.2)


@dataclass
class DirectSender(RecordingSender):
    """A recording sender that also opens DM channels, and can refuse DMs to members."""

    opened: list[int] = field(default_factory=list)
    refusing: set[int] = field(default_factory=set)
    nonces: list[str | None] = field(default_factory=list)

    async def open_dm(self, user_id: int) -> int:
        self.opened.append(user_id)
        return DM_BASE + user_id % 1_000_000

    async def send(self, channel_id: int, message: NotificationMessage) -> SentMessage:
        if any(channel_id == DM_BASE + u % 1_000_000 for u in self.refusing):
            raise RecipientRefusesDMs("Cannot send messages to this user (HTTP 403, code 50007)")
        self.nonces.append(message.nonce)
        return await super().send(channel_id, message)

    def dms(self, user_id: int = USER) -> list[list[str]]:
        channel = DM_BASE + user_id % 1_000_000
        return [s.titles for s in self.sent if s.channel_id == channel]


async def follow_personally(
    w: World, ref: TitleRef, user_id: int = USER, settings: NotifySettings | None = None
) -> None:
    async with w.sessionmaker.begin() as session:
        await FollowRepository(session).add(PersonalFollow(user_id, ref, f"Title {ref}"))
        repo = MemberSettingsRepository(session)
        await repo.ensure(user_id, "UTC", "US")
        if settings is not None:
            await repo.save(user_id, settings)


async def member_rows(w: World) -> list[MemberDeliveryRow]:
    async with w.sessionmaker() as session:
        return list(await session.scalars(select(MemberDeliveryRow).order_by(MemberDeliveryRow.id)))


async def test_member_and_two_servers_following_a_title_get_one_message_each_one_fetch(
    sessionmaker: Sessions,
) -> None:
    async with world(sessionmaker) as w:
        w.airing_show()
        await w.follow(SHOW)
        await w.follow(SHOW, GUILD + (1 << 22), notification_channel_id=CHANNEL + 1)
        await follow_personally(w, SHOW)
        sender = DirectSender()
        engine = w.engine(sender=sender)
        first = await engine.run_cycle()
        again = await w.engine(sender=sender).run_cycle()

    by_channel = Counter(s.channel_id for s in sender.sent)
    assert by_channel == {CHANNEL: 1, CHANNEL + 1: 1, DM_BASE + USER % 1_000_000: 1}
    assert w.fake.count(f"/tv/{SHOW.tmdb_id}") == 1
    assert (first.dm_delivered, again.dm_delivered, first.personal_follows) == (1, 0, 1)
    assert sender.opened == [USER], "the DM channel is opened once, then cached"
    server_post = next(s for s in sender.sent if s.channel_id == CHANNEL)
    assert [b["custom_id"] for b in server_post.message.components] == [
        f"filmbot:notify-me:tv:{SHOW.tmdb_id}"
    ]
    dm = next(s for s in sender.sent if s.channel_id != CHANNEL and s.channel_id != CHANNEL + 1)
    assert dm.message.components == () and dm.message.content == ""


async def test_title_followed_only_by_a_member_is_fetched_and_its_snapshot_kept(
    sessionmaker: Sessions,
) -> None:
    async with world(sessionmaker) as w:
        w.dated_film()
        await follow_personally(w, FILM)
        sender = DirectSender()
        report = await w.engine(sender=sender).run_cycle()
        w.clock.advance(hours=6)
        later = await w.engine(sender=sender).run_cycle()

    assert sender.dms() == [["The Film is out in US"]]
    assert (report.titles, report.titles_fetched) == (1, 1)
    assert later.titles == 1


async def test_dm_in_flight_at_a_crash_is_resent_once_with_the_same_nonce(
    sessionmaker: Sessions,
) -> None:
    async with world(sessionmaker) as w:
        w.dated_film()
        await follow_personally(w, FILM)
        sender = DirectSender()
        sender.fail_next.append(RuntimeError("process died mid-send"))
        await w.engine(sender=sender, lease=SHORT_LEASE).run_cycle()
        claimed = [(r.status, r.claimed_by is not None) for r in await member_rows(w)]
        within_lease = await w.engine(sender=sender, lease=SHORT_LEASE).deliver_members()
        w.clock.advance(seconds=1)
        restarted = await w.engine(sender=sender, lease=SHORT_LEASE).deliver_members()
        w.clock.advance(hours=6)
        await w.engine(sender=sender, lease=SHORT_LEASE).run_cycle()

    assert claimed == [("pending", True)]
    assert within_lease.delivered == 0
    assert restarted.delivered == 1
    assert sender.dms() == [["The Film is out in US"]]
    assert len(sender.nonces) == 2 and len(set(sender.nonces)) == 1, "resent as the same message"
    assert [r.status for r in await member_rows(w)] == ["delivered"]


async def test_two_engines_deliver_each_members_dm_once(
    sessionmaker: Sessions, database_url: str
) -> None:
    second_db = engine_for_url(database_url)
    await migrate.upgrade(second_db)

    async def slow(channel_id: int, message: NotificationMessage) -> None:
        await asyncio.sleep(0.005)

    async with world(sessionmaker) as w:
        refs = [TitleRef(MediaType.MOVIE, 9_000_300 + n) for n in range(3)]
        users = [USER + n for n in range(10)]
        for ref in refs:
            w.dated_film(ref, title=f"Film {ref.tmdb_id}")
            for user in users:
                await follow_personally(w, ref, user)
        one_sender, two_sender = DirectSender(before_send=slow), DirectSender(before_send=slow)
        one = w.engine(sender=one_sender, lease=SHORT_LEASE)
        two = UpdateEngine(
            create_sessionmaker(second_db),
            TMDBTitleSource(w.client),
            two_sender,
            w.settings,
            now=w.clock,
            lease=SHORT_LEASE,
        )
        try:
            reports = await asyncio.gather(one.run_cycle(), two.run_cycle())
        finally:
            await second_db.dispose()

    sent = Counter(
        (s.channel_id, title) for sender in (one_sender, two_sender) for s in sender.sent
        for title in s.titles
    )  # fmt: skip
    assert len(sent) == len(users) * len(refs)
    assert set(sent.values()) == {1}
    assert sum(r.dm_delivered for r in reports) == len(users) * len(refs)
    assert {r.status for r in await member_rows(w)} == {"delivered"}


async def test_quiet_hours_hold_events_across_a_restart_and_send_them_after(
    sessionmaker: Sessions,
) -> None:
    # NOW is 12:00 UTC: quiet from 11:00 to 13:00 in UTC.
    quiet = NotifySettings("UTC", parse_clock("11:00"), parse_clock("13:00"))
    async with world(sessionmaker) as w:
        w.dated_film()
        await follow_personally(w, FILM, settings=quiet)
        sender = DirectSender()
        held = await w.engine(sender=sender).run_cycle()
        statuses = [r.status for r in await member_rows(w)]
        w.clock.advance(minutes=30)
        still_quiet = await w.engine(sender=sender).deliver_members()
        w.clock.advance(minutes=31)
        after = await w.engine(sender=sender).deliver_members()

    assert (held.dm_delivered, held.dm_pending, statuses) == (0, 1, ["pending"])
    assert still_quiet.delivered == 0
    assert after.delivered == 1
    assert sender.dms() == [["The Film is out in US"]]


async def test_held_event_whose_window_closes_during_quiet_hours_is_missed(
    sessionmaker: Sessions,
) -> None:
    quiet = NotifySettings("UTC", parse_clock("11:00"), parse_clock("10:59"))
    async with world(sessionmaker, release_notify_days=0) as w:
        w.dated_film()
        await follow_personally(w, FILM, settings=quiet)
        sender = DirectSender()
        await w.engine(sender=sender).run_cycle()
        w.clock.advance(hours=13)  # past midnight: the release day's window is over
        tally = await w.engine(sender=sender).deliver_members()

    assert sender.dms() == []
    assert tally.expired == 1
    assert [r.status for r in await member_rows(w)] == ["missed"]


async def test_daily_digest_is_sent_once_a_day_whatever_restarts_and_new_events(
    sessionmaker: Sessions,
) -> None:
    digest = NotifySettings("UTC", digest=DigestMode.DAILY)
    refs = [TitleRef(MediaType.MOVIE, 9_000_500 + n) for n in range(12)]
    async with world(sessionmaker) as w:
        for ref in refs[:11]:
            w.dated_film(ref, title=f"Film {ref.tmdb_id}")
            await follow_personally(w, ref, settings=digest)
        sender = DirectSender()
        # NOW is 12:00 UTC, after 09:00 plus the member's spread (at most 59 minutes).
        await w.engine(sender=sender).run_cycle()
        first = [len(m) for m in sender.dms()]
        contents = {s.message.content for s in sender.sent}
        w.dated_film(refs[11], title=f"Film {refs[11].tmdb_id}")
        await follow_personally(w, refs[11], settings=digest)
        w.clock.advance(hours=1)
        await w.engine(sender=sender).run_cycle()
        await w.engine(sender=sender).deliver_members()
        same_day = len(sender.dms())
        w.clock.advance(hours=22)  # the next day, 11:00 UTC
        await w.engine(sender=sender).deliver_members()

    assert first == [10, 1], "one digest, ten embeds a message, the rest in the next"
    assert contents == {"🗓️ Your FilmBot digest for 2026-03-10"}
    assert same_day == 2, "an event found after the day's digest waits for the next one"
    assert [len(m) for m in sender.dms()] == [10, 1, 1]
    assert sender.opened == [USER], "later DMs reuse the DM channel kept in the database"


async def test_member_who_refuses_dms_is_marked_and_not_retried(sessionmaker: Sessions) -> None:
    async with world(sessionmaker) as w:
        w.dated_film()
        w.airing_show()
        await follow_personally(w, FILM)
        sender = DirectSender(refusing={USER})
        first = await w.engine(sender=sender).run_cycle()
        await follow_personally(w, SHOW)
        w.clock.advance(hours=6)
        second = await w.engine(sender=sender).run_cycle()
        async with w.sessionmaker() as session:
            state = await MemberSettingsRepository(session).get(USER)

    assert first.dm_failed == 1
    assert second.dm_failed == 0, "no retry storm"
    assert state is not None and state.dm_blocked
    assert {r.status for r in await member_rows(w)} == {"pending"}


async def test_digest_in_flight_at_a_crash_is_finished_once_after_a_restart(
    sessionmaker: Sessions,
) -> None:
    digest = NotifySettings("UTC", digest=DigestMode.DAILY)
    refs = [TitleRef(MediaType.MOVIE, 9_000_600 + n) for n in range(12)]
    async with world(sessionmaker) as w:
        for ref in refs:
            w.dated_film(ref, title=f"Film {ref.tmdb_id}")
            await follow_personally(w, ref, settings=digest)
        sender = DirectSender()
        sender.fail_next.append(RuntimeError("process died mid-send"))
        await w.engine(sender=sender, lease=SHORT_LEASE).run_cycle()
        after_crash = [len(m) for m in sender.dms()]
        w.clock.advance(seconds=1)
        await w.engine(sender=sender, lease=SHORT_LEASE).deliver_members()
        w.clock.advance(hours=1)
        await w.engine(sender=sender, lease=SHORT_LEASE).deliver_members()

    assert after_crash == [], "the crash came with the digest's first message"
    assert sorted(len(m) for m in sender.dms()) == [2, 10]
    assert len(set(sender.nonces)) == 2, "the crashed message was resent with its nonce"
    assert {r.status for r in await member_rows(w)} == {"delivered"}
    assert {r.digest_day for r in await member_rows(w)} == {"2026-03-10"}
