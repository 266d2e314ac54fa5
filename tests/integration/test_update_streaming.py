"""The `streaming` kind: a followed title newly streams on a provider in the guild's region."""

from __future__ import annotations

from typing import Any

from filmbot.db.repositories.snapshots import SnapshotRepository
from tests.integration.test_update_support import (
    CHANNEL,
    FILM,
    GUILD,
    ROLE,
    Sessions,
    World,
    world,
)

MAX = {"provider_id": 1899, "provider_name": "Max", "logo_path": "/max.jpg", "display_priority": 7}
NETFLIX = {
    "provider_id": 8,
    "provider_name": "Netflix",
    "logo_path": "/n.jpg",
    "display_priority": 0,
}
TUBI = {"provider_id": 73, "provider_name": "Tubi TV", "logo_path": "/t.jpg", "display_priority": 3}
APPLE = {
    "provider_id": 2,
    "provider_name": "Apple TV",
    "logo_path": "/a.jpg",
    "display_priority": 4,
}


def offer(w: World, **regions: dict[str, list[dict[str, Any]]]) -> None:
    """Set the film's watch providers (region -> offers) and list it as changed."""
    results = {r: {"link": f"https://tmdb/watch?locale={r}", **o} for r, o in regions.items()}
    w.film(**{"watch/providers": {"results": results}})
    w.changed(FILM)


async def next_cycle(w: World, days: int = 1) -> None:
    w.clock.advance(days=days)
    w.changed(FILM)
    await w.engine().run_cycle()


async def test_a_new_streaming_provider_is_announced_once_but_not_the_ones_at_follow_time(
    sessionmaker: Sessions,
) -> None:
    async with world(sessionmaker) as w:
        offer(w, US={"flatrate": [MAX]})
        await w.follow(FILM)
        await w.engine().run_cycle()
        assert w.sender.titles() == []
        offer(w, US={"flatrate": [MAX, NETFLIX], "buy": [APPLE]})
        await next_cycle(w)
        await next_cycle(w)
        await w.engine().run_cycle()  # a restarted engine, the same day

    assert w.sender.titles() == ["The Film is now streaming on Netflix in US"]
    embed = w.sender.embeds[0]
    assert embed["description"] == "Streaming data provided by JustWatch."
    assert {"name": "Now streaming", "value": "Film", "inline": True} in embed["fields"]
    assert {k for (kind, k) in await w.statuses() if kind == "streaming"} == {"US:8"}


async def test_free_and_ad_supported_count_but_rent_and_buy_do_not(
    sessionmaker: Sessions,
) -> None:
    async with world(sessionmaker) as w:
        offer(w, US={})
        await w.follow(FILM)
        await w.engine().run_cycle()
        offer(w, US={"ads": [TUBI], "rent": [APPLE], "buy": [APPLE]})
        await next_cycle(w)

    assert w.sender.titles() == ["The Film is now streaming on Tubi TV in US"]


async def test_only_the_guild_region_counts(sessionmaker: Sessions) -> None:
    async with world(sessionmaker) as w:
        offer(w, US={"flatrate": [MAX]})
        await w.follow(FILM, region="DE")
        await w.engine().run_cycle()
        offer(w, US={"flatrate": [MAX, NETFLIX]})
        await next_cycle(w)
        assert w.sender.titles() == []
        offer(w, US={"flatrate": [MAX, NETFLIX]}, DE={"flatrate": [NETFLIX]})
        await next_cycle(w)

    assert w.sender.titles() == ["The Film is now streaming on Netflix in DE"]


async def test_streaming_is_gated_by_the_releases_flag(sessionmaker: Sessions) -> None:
    async with world(sessionmaker) as w:
        offer(w, US={})
        await w.guild()
        await w.subscribe(FILM, GUILD, notify_release=False, notify_update=True)
        await w.engine().run_cycle()
        offer(w, US={"flatrate": [NETFLIX]})
        await next_cycle(w)

    assert w.sender.titles() == []


async def test_a_provider_back_within_30_days_is_not_announced_again_but_later_it_is(
    sessionmaker: Sessions,
) -> None:
    async with world(sessionmaker) as w:
        offer(w, US={})
        await w.follow(FILM)
        await w.engine().run_cycle()
        offer(w, US={"flatrate": [NETFLIX]})
        await next_cycle(w)
        offer(w, US={})
        await next_cycle(w)  # Netflix leaves
        offer(w, US={"flatrate": [NETFLIX]})
        await next_cycle(w, days=10)  # and is back 10 days later: quiet
        assert w.sender.titles() == ["The Film is now streaming on Netflix in US"]
        offer(w, US={})
        await next_cycle(w)  # leaves again
        offer(w, US={"flatrate": [NETFLIX]})
        await next_cycle(w, days=40)  # back after 40 days: announced

    assert w.sender.titles() == ["The Film is now streaming on Netflix in US"] * 2
    keys = sorted(k for (kind, k) in await w.statuses() if kind == "streaming")
    assert keys == ["US:8", "US:8:after:2026-03-22"]


async def test_a_streaming_event_is_sent_with_the_servers_streaming_template(
    sessionmaker: Sessions,
) -> None:
    templates = {
        "streaming": "{title} now on {provider} in {region} {role} <@42> {url}",
        "release": "{title} is out {role}",
    }
    async with world(sessionmaker) as w:
        offer(w, US={})
        await w.follow(FILM, notification_templates=templates)
        await w.engine().run_cycle()
        offer(w, US={"flatrate": [MAX]})
        await next_cycle(w)
        [row] = [r for r in await w.ledger() if r.kind == "streaming"]

    [sent] = w.sender.sent
    assert sent.titles == ["The Film is now streaming on Max in US"]
    url = f"https://www.themoviedb.org/movie/{FILM.tmdb_id}"
    assert sent.message.content == f"The Film now on Max in US <@&{ROLE}> <@42> {url}"
    assert sent.message.allowed_mentions == {"parse": [], "roles": [ROLE]}
    assert row.status == "delivered"


async def stored_snapshot(w: World) -> dict[str, Any]:
    async with w.sessionmaker() as session:
        stored = await SnapshotRepository(session).of_titles("all", [FILM])
    return stored[FILM].data


async def test_a_server_from_a_new_region_is_not_told_what_already_streams_there(
    sessionmaker: Sessions,
) -> None:
    # Snapshots keep the followers' regions only: DE is fetched once a DE server follows the
    # film, and that first DE snapshot is a baseline, as the first snapshot of a title is.
    async with world(sessionmaker) as w:
        offer(w, US={"flatrate": [MAX]}, DE={"flatrate": [NETFLIX]}, FR={"ads": [TUBI]})
        await w.follow(FILM)
        await w.engine().run_cycle()
        assert (await stored_snapshot(w))["streaming"]["offers"] == {"US": [MAX["provider_id"]]}
        await w.follow(FILM, GUILD + 1, region="DE", notification_channel_id=CHANNEL + 1)
        w.clock.advance(hours=1)
        refetch = await w.engine().run_cycle()  # FILM is not in the change feed
        tracked = await stored_snapshot(w)
        offer(w, US={"flatrate": [MAX]}, DE={"flatrate": [NETFLIX], "ads": [TUBI]})
        await next_cycle(w)
        await next_cycle(w)

    assert refetch.titles_fetched == 1
    assert tracked["regions"] == ["DE", "US"]
    assert tracked["streaming"]["offers"] == {"DE": [8], "US": [1899]}
    assert sorted(tracked["streaming"]["names"].values()) == ["Max", "Netflix"]
    assert [(s.channel_id, s.titles) for s in w.sender.sent] == [
        (CHANNEL + 1, ["The Film is now streaming on Tubi TV in DE"])
    ]


async def test_a_region_no_server_follows_any_more_is_dropped_with_its_departures(
    sessionmaker: Sessions,
) -> None:
    async with world(sessionmaker) as w:
        offer(w, US={"flatrate": [MAX]}, DE={"flatrate": [NETFLIX]})
        await w.follow(FILM)
        await w.follow(FILM, GUILD + 1, region="DE", notification_channel_id=CHANNEL + 1)
        await w.engine().run_cycle()
        offer(w, US={"flatrate": [MAX]}, DE={})
        await next_cycle(w)  # Netflix leaves DE
        departed = await stored_snapshot(w)
        await w.guild(GUILD + 1, region="US")
        await next_cycle(w)
        left = await stored_snapshot(w)

    assert departed["streaming"]["gone"] == {"DE": {"8": "2026-03-10"}}
    assert (left["regions"], left["streaming"]) == (
        ["US"],
        {"offers": {"US": [1899]}, "names": {"1899": "Max"}, "gone": {}},
    )
    assert w.sender.sent == []
