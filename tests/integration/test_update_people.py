"""The `new_title` kind: a followed person's new director or top-billed cast credit.

Followed by servers and by members; the back catalogue is never announced; each (person,
title) once per recipient, across restarts; warm cycles fetch only the people TMDB's
/person/changes feed lists.
"""

from __future__ import annotations

import asyncio
from collections import Counter

from redis.asyncio import Redis

from filmbot.db.repositories.person_follows import PersonFollowRepository
from filmbot.db.repositories.personal import MemberSettingsRepository
from filmbot.domain.person_follows import PersonFollow
from filmbot.services.updates import (
    SharedTitleSource,
    TMDBTitleSource,
    UpdateEngine,
    shard_filter,
    shard_scope,
)
from tests.integration.test_personal_delivery import DM_BASE, USER, DirectSender, member_rows
from tests.integration.test_update_support import (
    CHANNEL,
    GUILD,
    RecordingSender,
    Sessions,
    World,
    world,
)

ROBERTS = 21315  # Eric Roberts: 330 credits in the fake, all top-billed small roles
VILLENEUVE = 137427
NEW_FILM = 9_500_001
OTHER_FILM = 9_500_002


async def follow_person(w: World, person_id: int, *, guild_id: int | None = GUILD) -> None:
    """A server follow (the guild is created) or, with guild_id=None, a member's."""
    if guild_id is not None:
        await w.guild(guild_id)
    async with w.sessionmaker.begin() as session:
        if guild_id is None:
            await MemberSettingsRepository(session).ensure(USER, "UTC", "US")
        owner = {"guild_id": guild_id} if guild_id is not None else {"user_id": USER}
        follow = PersonFollow(person_id, f"Person {person_id}", followed_at=w.clock(), **owner)
        await PersonFollowRepository(session).add(follow)


def credit(w: World, person_id: int, tmdb_id: int, title: str, **how: object) -> None:
    """Credit the person on a (new) film in the fake TMDB, listed in the change feed now."""
    w.catalogue.set_movie(tmdb_id, title=title, poster_path="/new.jpg")
    name = "Eric Roberts" if person_id == ROBERTS else "Denis Villeneuve"
    w.fake.discovery.add_credit(person_id, "movie", tmdb_id, name=name, at=w.clock(), **how)  # type: ignore[arg-type]


async def test_back_catalogue_is_quiet_and_a_new_credit_is_announced_once_across_restarts(
    sessionmaker: Sessions,
) -> None:
    async with world(sessionmaker) as w:
        await follow_person(w, ROBERTS)
        first = await w.engine().run_cycle()
        assert w.sender.titles() == [], "330 old credits are the back catalogue"
        w.clock.advance(hours=6)
        credit(w, ROBERTS, NEW_FILM, "Big Break", character="The Lead", order=0)
        await w.engine().run_cycle()
        await w.engine().run_cycle()  # a restarted engine
        w.clock.advance(hours=6)
        await w.engine().run_cycle()

    assert w.sender.titles() == ["Eric Roberts stars in Big Break"]
    assert first.people_followed == 1 and first.people_fetched == 1
    post = w.sender.sent[0]
    assert post.channel_id == CHANNEL
    assert [b["custom_id"] for b in post.message.components] == [
        f"filmbot:notify-me:movie:{NEW_FILM}",
        f"filmbot:subscribe:movie:{NEW_FILM}",
    ]
    embed = post.message.embeds[0]
    assert {"name": "New title", "value": "Film", "inline": True} in embed["fields"]
    assert embed["description"].startswith("A new title with Eric Roberts as The Lead.")
    assert await w.statuses() == {("new_title", f"person:{ROBERTS}"): "delivered"}


async def test_only_directing_and_the_first_ten_billed_count(sessionmaker: Sessions) -> None:
    async with world(sessionmaker) as w:
        await follow_person(w, VILLENEUVE)
        await w.engine().run_cycle()
        w.clock.advance(hours=1)
        credit(w, VILLENEUVE, NEW_FILM, "Producer Credit", job="Producer")
        credit(w, VILLENEUVE, NEW_FILM + 1, "Cameo", character="Man", order=10)
        await w.engine().run_cycle()
        assert w.sender.titles() == []
        w.clock.advance(hours=1)
        credit(w, VILLENEUVE, NEW_FILM + 2, "Directed Film", job="Director")
        credit(w, VILLENEUVE, NEW_FILM + 3, "Acted Film", character="Lead", order=9)
        await w.engine().run_cycle()

    assert sorted(w.sender.titles()) == [
        "Denis Villeneuve directs Directed Film",
        "Denis Villeneuve stars in Acted Film",
    ]


async def test_warm_cycles_fetch_only_people_the_change_feed_lists(sessionmaker: Sessions) -> None:
    async with world(sessionmaker) as w:
        await follow_person(w, ROBERTS)
        await follow_person(w, VILLENEUVE)
        await w.engine().run_cycle()
        w.clock.advance(hours=1)
        quiet = await w.engine().run_cycle()
        assert (w.fake.count(f"/person/{ROBERTS}"), w.fake.count(f"/person/{VILLENEUVE}")) == (1, 1)
        w.clock.advance(hours=1)
        credit(w, VILLENEUVE, NEW_FILM, "Next Epic", job="Director")
        warm = await w.engine().run_cycle()

    assert quiet.people_fetched == 0 and w.fake.count("/person/changes") == 2
    assert warm.people_fetched == 1
    assert (w.fake.count(f"/person/{ROBERTS}"), w.fake.count(f"/person/{VILLENEUVE}")) == (1, 2)
    assert w.sender.titles() == ["Denis Villeneuve directs Next Epic"]


async def test_a_person_followed_by_a_server_and_a_member_posts_once_and_dms_once(
    sessionmaker: Sessions,
) -> None:
    async with world(sessionmaker) as w:
        await follow_person(w, VILLENEUVE)
        await follow_person(w, VILLENEUVE, guild_id=None)
        sender = DirectSender()
        await w.engine(sender=sender).run_cycle()
        w.clock.advance(hours=1)
        credit(w, VILLENEUVE, NEW_FILM, "Next Epic", job="Director")
        await w.engine(sender=sender).run_cycle()
        w.clock.advance(hours=1)
        await w.engine(sender=sender).run_cycle()

    channels = Counter(s.channel_id for s in sender.sent)
    assert channels == {CHANNEL: 1, DM_BASE + USER % 1_000_000: 1}
    assert sender.dms() == [["Denis Villeneuve directs Next Epic"]]
    dm = next(s for s in sender.sent if s.channel_id != CHANNEL)
    assert [b["custom_id"] for b in dm.message.components] == [
        f"filmbot:notify-me:movie:{NEW_FILM}"
    ]
    assert [(r.kind, r.event_key, r.status) for r in await member_rows(w)] == [
        ("new_title", f"person:{VILLENEUVE}", "delivered")
    ]
    # once per cycle for both followers (the feed is by day, so it lists him all day)
    assert w.fake.count(f"/person/{VILLENEUVE}") == 3


async def test_one_title_two_followed_people_announces_each_person(sessionmaker: Sessions) -> None:
    async with world(sessionmaker) as w:
        await follow_person(w, VILLENEUVE)
        await follow_person(w, ROBERTS)
        await w.engine().run_cycle()
        w.clock.advance(hours=1)
        credit(w, VILLENEUVE, NEW_FILM, "Team Up", job="Director")
        credit(w, ROBERTS, NEW_FILM, "Team Up", character="Villain", order=1)
        await w.engine().run_cycle()

    assert sorted(w.sender.titles()) == [
        "Denis Villeneuve directs Team Up",
        "Eric Roberts stars in Team Up",
    ]


async def test_a_refollow_after_unfollowing_starts_from_a_fresh_baseline(
    sessionmaker: Sessions,
) -> None:
    async with world(sessionmaker) as w:
        await follow_person(w, VILLENEUVE)
        await w.engine().run_cycle()
        async with w.sessionmaker.begin() as session:
            await PersonFollowRepository(session).remove(
                PersonFollow(VILLENEUVE, "", guild_id=GUILD)
            )
        w.clock.advance(hours=1)
        await w.engine().run_cycle()
        credit(w, VILLENEUVE, NEW_FILM, "While Away", job="Director")
        await follow_person(w, VILLENEUVE)
        w.clock.advance(hours=1)
        await w.engine().run_cycle()
        w.clock.advance(hours=1)
        await w.engine().run_cycle()

    assert w.sender.titles() == [], "credits from before the follow are the back catalogue"


async def test_two_shard_processes_share_one_fetch_of_a_person_and_post_once_per_guild(
    sessionmaker: Sessions, redis: Redis
) -> None:
    guilds = [GUILD, GUILD + (1 << 22)]  # one guild in each of two shards
    async with world(sessionmaker) as w:
        for n, guild_id in enumerate(guilds):
            await follow_person(w, VILLENEUVE, guild_id=guild_id)
            await w.guild(guild_id, notification_channel_id=CHANNEL + n)
        senders = [RecordingSender(), RecordingSender()]

        def engines() -> list[UpdateEngine]:
            made = []
            for shard, sender in enumerate(senders):
                settings = w.settings.model_copy(update={"shard_count": 2, "shard_ids": [shard]})
                source = SharedTitleSource(TMDBTitleSource(w.client), redis, ttl=600)
                made.append(
                    UpdateEngine(
                        sessionmaker,
                        source,
                        sender,
                        settings,
                        now=w.clock,
                        owns=shard_filter(settings),
                        scope=shard_scope(settings),
                    )
                )
            return made

        await asyncio.gather(*(engine.run_cycle() for engine in engines()))
        first_fetches = w.fake.count(f"/person/{VILLENEUVE}")
        w.clock.advance(hours=1)
        credit(w, VILLENEUVE, NEW_FILM, "Shared Epic", job="Director")
        await redis.delete(f"filmbot:updates:person:{VILLENEUVE}")
        await asyncio.gather(*(engine.run_cycle() for engine in engines()))
        await asyncio.gather(*(engine.run_cycle() for engine in engines()))

    assert first_fetches == 1, "the second process read the first one's copy"
    for shard, sender in enumerate(senders):
        [owned] = [n for n, guild_id in enumerate(guilds) if (guild_id >> 22) % 2 == shard]
        assert [(s.channel_id, s.titles) for s in sender.sent] == [
            (CHANNEL + owned, ["Denis Villeneuve directs Shared Epic"])
        ]


async def test_a_later_follower_hears_only_credits_added_after_its_own_follow(
    sessionmaker: Sessions,
) -> None:
    second = GUILD + (1 << 22)
    async with world(sessionmaker) as w:
        await follow_person(w, VILLENEUVE)
        await w.engine().run_cycle()
        w.clock.advance(hours=1)
        credit(w, VILLENEUVE, NEW_FILM, "Before Second", job="Director")
        w.clock.advance(minutes=10)
        await follow_person(w, VILLENEUVE, guild_id=second)
        await w.guild(second, notification_channel_id=CHANNEL + 1)
        w.clock.advance(minutes=10)
        await w.engine().run_cycle()
        w.clock.advance(hours=1)
        credit(w, VILLENEUVE, OTHER_FILM, "After Second", job="Director")
        await w.engine().run_cycle()

    posts = sorted((s.channel_id, s.titles[0]) for s in w.sender.sent)
    assert posts == [
        (CHANNEL, "Denis Villeneuve directs After Second"),
        (CHANNEL, "Denis Villeneuve directs Before Second"),
        (CHANNEL + 1, "Denis Villeneuve directs After Second"),
    ]


async def test_without_the_person_change_feed_every_followed_person_is_fetched(
    sessionmaker: Sessions,
) -> None:
    async with world(sessionmaker) as w:
        await follow_person(w, ROBERTS)
        await follow_person(w, VILLENEUVE)
        await w.engine().run_cycle()
        w.clock.advance(hours=1)
        w.fake.faults.fail_next(3)  # /person/changes fails, retries included
        cold = await w.engine().run_cycle()

    assert cold.people_fetched == 2 and cold.people_failed == 0
    assert (w.fake.count(f"/person/{ROBERTS}"), w.fake.count(f"/person/{VILLENEUVE}")) == (2, 2)
    assert w.sender.titles() == []
