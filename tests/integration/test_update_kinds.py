"""Every kind of update reaches the right guilds, in their region and time zone, once."""

from __future__ import annotations

from datetime import timedelta

from filmbot.domain.models import MediaType, TitleRef
from tests.integration.test_update_support import (
    CHANNEL,
    FILM,
    GUILD,
    ROLE,
    SHOW,
    Sessions,
    day,
    world,
)

OTHER_GUILD = GUILD + (1 << 22)
OTHER_CHANNEL = CHANNEL + 1


async def test_released_film_is_announced_once_with_poster_link_date_and_attribution(
    sessionmaker: Sessions,
) -> None:
    async with world(sessionmaker) as w:
        w.dated_film(on=-1)
        await w.follow(FILM)
        engine = w.engine()

        first = await engine.run_cycle()
        second = await engine.run_cycle()

    assert w.sender.titles() == ["The Film is out in US"]
    embed = w.sender.embeds[0]
    assert embed["url"] == f"https://www.themoviedb.org/movie/{FILM.tmdb_id}"
    assert embed["thumbnail"]["url"].endswith("/w500/film.jpg")
    assert "TMDB" in embed["footer"]["text"]
    assert {"name": "Date", "value": "Monday 9 March 2026", "inline": True} in embed["fields"]
    assert (first.delivered, second.delivered, second.events_found) == (1, 0, 0)
    assert w.sender.sent[0].channel_id == CHANNEL


async def test_upcoming_film_is_announced_with_its_regional_date(sessionmaker: Sessions) -> None:
    async with world(sessionmaker) as w:
        w.dated_film(on=3, status="Post Production")
        await w.follow(FILM)
        await w.engine().run_cycle()

    assert w.sender.titles() == ["The Film comes out in US on 2026-03-13"]


async def test_next_episode_tomorrow_and_last_episode_aired_are_both_announced(
    sessionmaker: Sessions,
) -> None:
    async with world(sessionmaker) as w:
        w.airing_show(season=2, episode=5)
        w.catalogue.set_last_episode(SHOW.tmdb_id, day(-1), season=2, episode=4)
        await w.follow(SHOW)
        report = await w.engine().run_cycle()

    assert sorted(w.sender.titles()) == [
        "The Show S02E04 is out",
        "The Show S02E05 airs tomorrow",
    ]
    assert len(w.sender.sent) == 1, "events of one guild in one cycle go out together"
    assert report.delivered == 2


async def test_status_change_is_announced_after_tmdb_changes_the_status(
    sessionmaker: Sessions,
) -> None:
    async with world(sessionmaker) as w:
        w.show(status="Returning Series")
        await w.follow(SHOW)
        engine = w.engine()
        await engine.run_cycle()
        w.clock.advance(hours=6)
        w.catalogue.set_status("tv", SHOW.tmdb_id, "Ended")
        w.changed(SHOW)
        report = await engine.run_cycle()

    assert w.sender.titles() == ["The Show has ended"]
    assert report.change_feed_used and report.titles_fetched == 1


async def test_region_decides_which_release_date_counts(sessionmaker: Sessions) -> None:
    async with world(sessionmaker) as w:
        w.film(status="Released")
        w.catalogue.set_release_date(FILM.tmdb_id, day(-1), country="GB", primary=False)
        w.catalogue.set_release_date(FILM.tmdb_id, day(20), country="US")
        await w.guild(region="GB")
        await w.guild(OTHER_GUILD, region="US", notification_channel_id=OTHER_CHANNEL)
        await w.subscribe(FILM)
        await w.subscribe(FILM, OTHER_GUILD)
        await w.engine().run_cycle()

    assert [(s.channel_id, s.titles) for s in w.sender.sent] == [
        (CHANNEL, ["The Film is out in GB"])
    ]


async def test_time_zone_decides_tomorrow_and_the_later_zone_is_told_without_a_refetch(
    sessionmaker: Sessions,
) -> None:
    async with world(sessionmaker) as w:
        w.airing_show(airs=2, episode=3)
        await w.guild(timezone="Pacific/Auckland")
        await w.guild(
            OTHER_GUILD, timezone="America/Los_Angeles", notification_channel_id=OTHER_CHANNEL
        )
        await w.subscribe(SHOW)
        await w.subscribe(SHOW, OTHER_GUILD)
        engine = w.engine()
        await engine.run_cycle()
        auckland_first = [s.channel_id for s in w.sender.sent]
        requests = w.fake.count(f"/tv/{SHOW.tmdb_id}")
        w.clock.advance(hours=20)  # 01:00 on 11 March in Los Angeles
        later = await engine.run_cycle()

    assert auckland_first == [CHANNEL]
    assert [s.channel_id for s in w.sender.sent] == [CHANNEL, OTHER_CHANNEL]
    assert w.sender.sent[1].titles == ["The Show S01E03 airs tomorrow"]
    assert "(America/Los_Angeles)" in w.sender.sent[1].message.embeds[0]["fields"][1]["value"]
    assert later.titles_fetched == 0
    assert w.fake.count(f"/tv/{SHOW.tmdb_id}") == requests


async def test_subscription_flags_gate_release_and_update_kinds(sessionmaker: Sessions) -> None:
    async with world(sessionmaker) as w:
        w.dated_film(on=-1)
        w.airing_show()
        await w.guild()
        await w.guild(OTHER_GUILD, notification_channel_id=OTHER_CHANNEL)
        await w.subscribe(FILM, notify_release=False)
        await w.subscribe(SHOW, notify_update=False)
        await w.subscribe(FILM, OTHER_GUILD, notify_update=False)
        await w.subscribe(SHOW, OTHER_GUILD, notify_release=False)
        await w.engine().run_cycle()

    assert [(s.channel_id, sorted(s.titles)) for s in w.sender.sent] == [
        (OTHER_CHANNEL, ["The Film is out in US", "The Show S01E02 airs tomorrow"])
    ]


async def test_moved_release_date_is_announced_again_with_the_new_date(
    sessionmaker: Sessions,
) -> None:
    async with world(sessionmaker) as w:
        w.dated_film(on=3, status="Post Production")
        await w.follow(FILM)
        engine = w.engine()
        await engine.run_cycle()
        w.clock.advance(hours=6)
        w.catalogue.set_release_date(FILM.tmdb_id, day(5), country="US")
        w.changed(FILM)
        await engine.run_cycle()
        w.clock.advance(hours=6)
        await engine.run_cycle()

    assert w.sender.titles() == [
        "The Film comes out in US on 2026-03-13",
        "The Film comes out in US on 2026-03-15",
    ]


async def test_everyone_in_a_tmdb_title_pings_nobody_but_the_configured_role(
    sessionmaker: Sessions,
) -> None:
    async with world(sessionmaker) as w:
        w.dated_film(title="@everyone @here <@123> free stuff")
        await w.follow(FILM)
        await w.engine().run_cycle()

    message = w.sender.sent[0].message
    assert message.content == f"<@&{ROLE}>"
    assert message.allowed_mentions == {"parse": [], "roles": [ROLE]}
    assert "@everyone" in message.embeds[0]["title"]


async def test_guild_without_a_role_gets_no_mention_at_all(sessionmaker: Sessions) -> None:
    async with world(sessionmaker) as w:
        w.dated_film()
        await w.follow(FILM, notification_role_id=None)
        await w.engine().run_cycle()

    message = w.sender.sent[0].message
    assert (message.content, message.allowed_mentions) == ("", {"parse": []})


async def test_guild_with_auto_update_off_or_left_gets_nothing(sessionmaker: Sessions) -> None:
    async with world(sessionmaker) as w:
        w.dated_film()
        await w.guild(auto_update=False)
        await w.guild(OTHER_GUILD, left_at=w.clock() - timedelta(days=1))
        await w.subscribe(FILM)
        await w.subscribe(FILM, OTHER_GUILD)
        report = await w.engine().run_cycle()

    assert w.sender.sent == []
    assert report.titles_fetched == 0


async def test_titles_are_fetched_once_however_many_guilds_follow_them(
    sessionmaker: Sessions,
) -> None:
    async with world(sessionmaker) as w:
        refs = [TitleRef(MediaType.MOVIE, 9_000_100 + n) for n in range(5)]
        for ref in refs:
            w.film(ref, status="Released")
        guilds = [GUILD + (n << 22) for n in range(4)]
        for guild_id in guilds:
            await w.guild(guild_id)
            for ref in refs:
                await w.subscribe(ref, guild_id)
        report = await w.engine().run_cycle()

    counts = w.fake.counts_by_path()
    assert all(counts[f"/movie/{ref.tmdb_id}"] == 1 for ref in refs)
    assert (report.titles, report.titles_fetched, report.subscriptions) == (5, 5, 20)
