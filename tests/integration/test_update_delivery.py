"""Delivery problems: missing or forbidden channels, rate limits, deleted titles, batching."""

from __future__ import annotations

from filmbot.domain.models import MediaType, TitleRef
from filmbot.services.notifications import ChannelUnavailable, MessageRejected, RetryLater
from filmbot.services.updates import UpdateEngine
from filmbot.services.updates.delivery import NO_CHANNEL
from tests.integration.test_update_support import (
    CHANNEL,
    FILM,
    GUILD,
    SHOW,
    Sessions,
    World,
    world,
)


async def test_guild_without_channel_is_flagged_and_told_once_a_channel_is_set(
    sessionmaker: Sessions,
) -> None:
    async with world(sessionmaker) as w:
        w.dated_film()
        await w.follow(FILM, notification_channel_id=None)
        engine = w.engine()
        waiting = await engine.run_cycle()
        flagged = await w.get_guild()
        await w.guild(notification_channel_id=CHANNEL)
        w.clock.advance(hours=6)
        await engine.run_cycle()
        fixed = await w.get_guild()

    assert (waiting.delivered, waiting.pending) == (0, 1)
    assert flagged.delivery_problem == NO_CHANNEL
    assert w.sender.titles() == ["The Film is out in US"]
    assert fixed.delivery_problem is None


async def test_forbidden_channel_flags_the_guild_keeps_events_pending_then_clears(
    sessionmaker: Sessions,
) -> None:
    async with world(sessionmaker) as w:
        w.dated_film()
        await w.follow(FILM)
        w.sender.failures[CHANNEL] = ChannelUnavailable("Missing Permissions (50013)")
        engine = w.engine()
        refused = await engine.run_cycle()
        flagged = await w.get_guild()
        statuses = await w.statuses()
        del w.sender.failures[CHANNEL]
        w.clock.advance(hours=6)
        await engine.run_cycle()
        fixed = await w.get_guild()

    assert (refused.failed, refused.pending) == (1, 1)
    assert flagged.delivery_problem is not None
    assert "Missing Permissions" in flagged.delivery_problem
    assert list(statuses.values()) == ["pending"]
    assert w.sender.titles() == ["The Film is out in US"]
    assert fixed.delivery_problem is None


async def test_events_waiting_past_their_window_are_missed_not_sent_late(
    sessionmaker: Sessions,
) -> None:
    async with world(sessionmaker) as w:
        w.airing_show()
        await w.follow(SHOW, notification_channel_id=None)
        engine = w.engine()
        await engine.run_cycle()
        await w.guild(notification_channel_id=CHANNEL)
        w.clock.advance(days=3)
        w.catalogue.set_next_episode(SHOW.tmdb_id, None)
        w.changed(SHOW)
        report = await engine.run_cycle()

    assert w.sender.sent == []
    assert (await w.statuses())[("new_episode", "S01E02")] == "missed"
    assert report.missed == 1


async def test_rate_limited_send_is_retried_next_cycle_without_flagging(
    sessionmaker: Sessions,
) -> None:
    async with world(sessionmaker) as w:
        w.dated_film()
        await w.follow(FILM)
        w.sender.fail_next.append(RetryLater("429 Too Many Requests (retry after 30s)"))
        engine = w.engine()
        limited = await engine.run_cycle()
        guild = await w.get_guild()
        w.clock.advance(hours=6)
        retried = await engine.run_cycle()

    assert (limited.failed, limited.pending, retried.delivered) == (1, 1, 1)
    assert guild.delivery_problem is None
    assert w.sender.titles() == ["The Film is out in US"]


async def test_hundred_guilds_with_one_channel_gone_still_deliver_the_other_ninety_nine(
    sessionmaker: Sessions,
) -> None:
    async with world(sessionmaker) as w:
        w.dated_film()
        guilds = [GUILD + (n << 22) for n in range(100)]
        for n, guild_id in enumerate(guilds):
            await w.follow(FILM, guild_id, notification_channel_id=CHANNEL + n)
        w.sender.failures[CHANNEL + 42] = ChannelUnavailable("Unknown Channel (10003)")
        report = await w.engine().run_cycle()
        broken = await w.get_guild(guilds[42])

    delivered = {sent.channel_id for sent in w.sender.sent}
    assert len(w.sender.sent) == 99
    assert CHANNEL + 42 not in delivered
    assert (report.delivered, report.failed, report.pending) == (99, 1, 1)
    assert broken.delivery_problem is not None


async def _follow_then_delete(w: World) -> UpdateEngine:
    """Follow a released film, run a cycle, then delete the film on TMDB six hours later."""
    w.film(status="Released")
    await w.follow(FILM)
    engine = w.engine()
    await engine.run_cycle()
    w.catalogue.remove("movie", FILM.tmdb_id)
    w.changed(FILM)
    w.clock.advance(hours=6)
    return engine


async def test_title_deleted_on_tmdb_marks_the_subscription_and_tells_the_guild_once(
    sessionmaker: Sessions,
) -> None:
    async with world(sessionmaker) as w:
        engine = await _follow_then_delete(w)
        removed = await engine.run_cycle()
        w.clock.advance(days=2)
        later = await engine.run_cycle()
        async with w.sessionmaker() as session:
            from filmbot.db.repositories import SubscriptionRepository

            subscription = await SubscriptionRepository(session).get(GUILD, FILM)

    assert w.sender.titles() == ["Title movie:9000001 is no longer on TMDB"]
    assert removed.titles_removed == 1
    assert subscription is not None and subscription.title_missing
    assert later.titles == 0


async def test_many_events_for_one_guild_are_grouped_ten_embeds_per_message(
    sessionmaker: Sessions,
) -> None:
    async with world(sessionmaker) as w:
        await w.guild()
        for n in range(12):
            ref = TitleRef(MediaType.MOVIE, 9_000_300 + n)
            w.dated_film(ref, title=f"Film {n}")
            await w.subscribe(ref)
        report = await w.engine().run_cycle()

    assert [len(sent.message.embeds) for sent in w.sender.sent] == [10, 2]
    assert (report.delivered, report.messages) == (12, 2)


async def test_message_discord_refuses_is_marked_failed_and_not_retried(
    sessionmaker: Sessions,
) -> None:
    async with world(sessionmaker) as w:
        w.dated_film()
        await w.follow(FILM)
        w.sender.fail_next.append(MessageRejected("Invalid Form Body (50035)"))
        engine = w.engine()
        await engine.run_cycle()
        w.clock.advance(hours=6)
        await engine.run_cycle()

    assert w.sender.sent == []
    assert list((await w.statuses()).values()) == ["failed"]


async def test_title_restored_on_tmdb_is_followed_again_after_a_full_refresh(
    sessionmaker: Sessions,
) -> None:
    from filmbot.db.repositories import SubscriptionRepository

    async with world(sessionmaker) as w:
        engine = await _follow_then_delete(w)
        await engine.run_cycle()
        w.film(status="Released", title="The Film Returns")
        w.clock.advance(hours=6)
        warm = await engine.run_cycle()
        async with w.sessionmaker() as session:
            still_missing = await SubscriptionRepository(session).get(GUILD, FILM)
        w.clock.advance(hours=w.settings.full_refresh_hours)
        await engine.run_cycle()
        async with w.sessionmaker() as session:
            revived = await SubscriptionRepository(session).get(GUILD, FILM)
        w.clock.advance(hours=6)
        followed = await engine.run_cycle()

    assert warm.titles == 0
    assert still_missing is not None and still_missing.title_missing
    assert revived is not None and not revived.title_missing
    assert followed.titles == 1
    assert w.sender.titles() == ["Title movie:9000001 is no longer on TMDB"]
