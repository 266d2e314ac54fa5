"""An engine keeps its plan and snapshots between cycles, yet sees every change in time.

Subscriptions, flags and guild settings change in other services (and other processes)
between two cycles of the same engine; snapshots may be written by another engine of the
same scope; and titles left unjudged because nothing of theirs was due must be judged
again when their day comes.
"""

from __future__ import annotations

import asyncio
import sys
import textwrap
from pathlib import Path

from filmbot.db.repositories import SubscriptionRepository
from filmbot.db.session import create_sessionmaker, engine_for_url
from filmbot.services.updates import TMDBTitleSource, UpdateEngine
from tests.integration.test_update_support import (
    FILM,
    GUILD,
    SHOW,
    Sessions,
    World,
    day,
    make_client,
    world,
)

OTHER_GUILD = GUILD + (1 << 22)
OTHER_CHANNEL = 1_300_000_000_000_000_002
REPOSITORY = Path(__file__).resolve().parents[2]


async def _two_guilds(w: World) -> None:
    await w.guild()
    await w.guild(OTHER_GUILD, notification_channel_id=OTHER_CHANNEL)


def _channels(w: World) -> list[int]:
    return [sent.channel_id for sent in w.sender.sent]


async def test_a_subscription_added_between_cycles_is_seen_by_the_next_cycle(
    sessionmaker: Sessions,
) -> None:
    async with world(sessionmaker) as w:
        w.dated_film(on=0)
        await _two_guilds(w)
        await w.subscribe(FILM)
        engine = w.engine()
        first = await engine.run_cycle()
        await w.subscribe(FILM, OTHER_GUILD)
        w.clock.advance(hours=6)
        second = await engine.run_cycle()

    assert (first.subscriptions, second.subscriptions) == (1, 2)
    assert second.titles_fetched == 0
    assert sorted(_channels(w)) == sorted([w.sender.sent[0].channel_id, OTHER_CHANNEL])


async def test_a_removed_subscription_gets_nothing_from_the_next_cycle(
    sessionmaker: Sessions,
) -> None:
    async with world(sessionmaker) as w:
        w.airing_show(airs=3)
        await _two_guilds(w)
        await w.subscribe(SHOW)
        await w.subscribe(SHOW, OTHER_GUILD)
        engine = w.engine()
        await engine.run_cycle()
        async with sessionmaker.begin() as session:
            assert await SubscriptionRepository(session).remove(GUILD, SHOW)
        w.clock.advance(days=1, hours=13)
        report = await engine.run_cycle()

    assert report.subscriptions == 1
    assert _channels(w) == [OTHER_CHANNEL]


async def test_a_flag_turned_on_between_cycles_lets_the_due_event_through(
    sessionmaker: Sessions,
) -> None:
    async with world(sessionmaker) as w:
        w.airing_show(airs=1)
        await w.guild()
        await w.subscribe(SHOW, notify_update=False)
        engine = w.engine()
        await engine.run_cycle()
        assert w.sender.sent == []
        async with sessionmaker.begin() as session:
            await SubscriptionRepository(session).set_flags(
                GUILD, SHOW, notify_release=True, notify_update=True
            )
        w.clock.advance(hours=1)
        await engine.run_cycle()

    assert len(w.sender.titles()) == 1 and "S01E02" in w.sender.titles()[0]


async def test_a_guild_switching_auto_update_on_is_seen_by_the_next_cycle(
    sessionmaker: Sessions,
) -> None:
    async with world(sessionmaker) as w:
        w.dated_film(on=0)
        await w.guild(auto_update=False)
        await w.subscribe(FILM)
        engine = w.engine()
        first = await engine.run_cycle()
        await w.guild(auto_update=True)
        w.clock.advance(hours=1)
        second = await engine.run_cycle()

    assert (first.subscriptions, second.subscriptions) == (0, 1)
    assert len(w.sender.sent) == 1


async def test_a_guild_region_change_refetches_titles_not_tracking_the_new_region(
    sessionmaker: Sessions,
) -> None:
    # Snapshots keep only the regions of their followers: the GB dates are not stored until
    # the title is fetched again for the server now in GB.
    async with world(sessionmaker) as w:
        w.dated_film(on=60, country="US")
        w.catalogue.set_release_date(FILM.tmdb_id, day(-2), country="GB", primary=False)
        await w.guild(region="US")
        await w.subscribe(FILM)
        engine = w.engine()
        await engine.run_cycle()
        assert w.sender.sent == []
        await w.guild(region="GB")
        w.clock.advance(hours=6)
        report = await engine.run_cycle()

    assert report.titles_fetched == 1
    assert len(w.sender.titles()) == 1 and "in GB" in w.sender.titles()[0]


async def test_a_time_driven_event_of_an_unjudged_title_comes_when_its_day_does(
    sessionmaker: Sessions,
) -> None:
    async with world(sessionmaker, full_refresh_hours=24 * 30) as w:
        w.airing_show(airs=5)
        await w.follow(SHOW)
        engine = w.engine()
        fetched, sent_on = 0, []
        for cycle in range(24):
            report = await engine.run_cycle()
            fetched += report.titles_fetched
            sent_on += [cycle] * report.messages
            w.clock.advance(hours=6)

    assert fetched == 1
    assert sent_on == [14]  # 00:00 UTC on day 4, the first cycle of the day before it airs
    assert "airs tomorrow" in w.sender.titles()[0]


async def test_a_subscription_made_by_another_process_is_seen_by_the_next_cycle(
    database_url: str, sessionmaker: Sessions
) -> None:
    async with world(sessionmaker) as w:
        w.dated_film(on=0)
        await _two_guilds(w)
        await w.subscribe(FILM)
        engine = w.engine()
        await engine.run_cycle()
        await _subscribe_in_another_process(database_url, OTHER_GUILD)
        w.clock.advance(hours=6)
        report = await engine.run_cycle()

    assert report.subscriptions == 2
    assert OTHER_CHANNEL in _channels(w)


async def _subscribe_in_another_process(url: str, guild_id: int) -> None:
    script = textwrap.dedent(
        f"""
        import asyncio
        from filmbot.db.repositories import SubscriptionRepository
        from filmbot.db.session import create_sessionmaker, engine_for_url
        from filmbot.domain.models import MediaType, TitleRef

        async def main():
            engine = engine_for_url({url!r})
            async with create_sessionmaker(engine).begin() as session:
                await SubscriptionRepository(session).add(
                    {guild_id}, TitleRef(MediaType.MOVIE, {FILM.tmdb_id}), "The Film"
                )
            await engine.dispose()

        asyncio.run(main())
        """
    )
    process = await asyncio.create_subprocess_exec(sys.executable, "-c", script, cwd=REPOSITORY)
    assert await process.wait() == 0


async def test_snapshots_written_by_another_engine_of_the_scope_replace_the_kept_ones(
    database_url: str, sessionmaker: Sessions
) -> None:
    async with world(sessionmaker, full_refresh_hours=24 * 30) as w:
        w.airing_show(airs=10)
        await w.follow(SHOW)
        here = w.engine()
        await here.run_cycle()
        w.catalogue.set_next_episode(SHOW.tmdb_id, day(3), season=1, episode=2)
        w.changed(SHOW)
        w.clock.advance(days=1)
        elsewhere = engine_for_url(database_url)
        client = make_client(w.fake)
        try:
            there = UpdateEngine(
                create_sessionmaker(elsewhere),
                TMDBTitleSource(client),
                w.sender,
                w.settings,
                now=w.clock,
            )
            moved = await there.run_cycle()
        finally:
            await client.close()
            await elsewhere.dispose()
        w.clock.advance(days=1)
        report = await here.run_cycle()

    assert moved.titles_fetched == 1 and moved.messages == 0
    assert report.titles_fetched == 0
    assert len(w.sender.titles()) == 1 and "airs tomorrow" in w.sender.titles()[0]
