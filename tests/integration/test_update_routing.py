"""Routing and templates in the update cycle: each message goes to one routed channel,
exactly once, with the server's template above its embeds."""

from __future__ import annotations

from filmbot.db.repositories import SubscriptionRepository
from filmbot.domain.models import MediaType, TitleRef
from filmbot.services.notifications import ChannelUnavailable, NotificationMessage
from filmbot.services.updates.delivery import NO_CHANNEL
from tests.integration.test_update_support import (
    CHANNEL,
    FILM,
    GUILD,
    ROLE,
    SHOW,
    Sessions,
    World,
    world,
)

FILMS = 1_300_000_000_000_000_101
SHOWS = 1_300_000_000_000_000_102
OWN = 1_300_000_000_000_000_103
OTHER_FILM = TitleRef(MediaType.MOVIE, 9_000_002)


async def own_channel(w: World, ref: TitleRef, channel_id: int) -> None:
    """Subscribe the guild to the title with the subscription's own channel."""
    async with w.sessionmaker.begin() as session:
        await SubscriptionRepository(session).add(GUILD, ref, f"Title {ref}", channel_id=channel_id)


def channels_of(w: World) -> dict[int, list[str]]:
    """Embed titles per channel, in the order sent."""
    found: dict[int, list[str]] = {}
    for sent in w.sender.sent:
        found.setdefault(sent.channel_id, []).extend(sent.titles)
    return found


async def test_films_shows_and_own_channels_each_get_their_own_messages_once(
    sessionmaker: Sessions,
) -> None:
    async with world(sessionmaker) as w:
        w.dated_film(title="The Film")
        w.dated_film(OTHER_FILM, title="Other Film")
        w.airing_show()
        await w.follow(FILM, movie_channel_id=FILMS, tv_channel_id=SHOWS)
        await w.subscribe(SHOW)
        await own_channel(w, OTHER_FILM, OWN)
        engine = w.engine()
        report = await engine.run_cycle()
        again = await engine.run_cycle()
        statuses = await w.statuses()

    assert (report.delivered, report.messages) == (3, 3)
    assert channels_of(w) == {
        FILMS: ["The Film is out in US"],
        SHOWS: ["The Show S01E02 airs tomorrow"],
        OWN: ["Other Film is out in US"],
    }
    assert again.delivered == 0
    assert set(statuses.values()) == {"delivered"}


async def test_without_kind_channels_films_and_shows_share_one_message_in_the_default(
    sessionmaker: Sessions,
) -> None:
    async with world(sessionmaker) as w:
        w.dated_film()
        w.airing_show()
        await w.follow(FILM)
        await w.subscribe(SHOW)
        report = await w.engine().run_cycle()

    assert report.messages == 1
    assert channels_of(w) == {CHANNEL: ["The Film is out in US", "The Show S01E02 airs tomorrow"]}


async def test_a_broken_movie_channel_holds_back_only_films_and_is_reported(
    sessionmaker: Sessions,
) -> None:
    async with world(sessionmaker) as w:
        w.dated_film()
        w.airing_show()
        await w.follow(FILM, movie_channel_id=FILMS)
        await w.subscribe(SHOW)
        w.sender.failures[FILMS] = ChannelUnavailable("Missing Permissions (HTTP 403, code 50013)")
        engine = w.engine()
        first = await engine.run_cycle()
        flagged = await w.get_guild()
        del w.sender.failures[FILMS]
        w.clock.advance(hours=1)
        second = await engine.run_cycle()
        fixed = await w.get_guild()

    assert (first.delivered, first.failed, first.pending) == (1, 1, 1)
    assert flagged.delivery_problem == (
        f"Cannot post in the movie channel <#{FILMS}>: Missing Permissions (HTTP 403, code 50013)"
    )
    assert second.delivered == 1
    assert channels_of(w) == {
        CHANNEL: ["The Show S01E02 airs tomorrow"],
        FILMS: ["The Film is out in US"],
    }
    assert fixed.delivery_problem is None


async def test_shows_wait_and_the_guild_is_flagged_when_only_a_movie_channel_is_set(
    sessionmaker: Sessions,
) -> None:
    async with world(sessionmaker) as w:
        w.dated_film()
        w.airing_show()
        await w.follow(FILM, notification_channel_id=None, movie_channel_id=FILMS)
        await w.subscribe(SHOW)
        report = await w.engine().run_cycle()
        guild = await w.get_guild()

    assert (report.delivered, report.pending) == (1, 1)
    assert channels_of(w) == {FILMS: ["The Film is out in US"]}
    assert guild.delivery_problem == NO_CHANNEL


async def test_a_subscription_channel_alone_is_enough_to_deliver(sessionmaker: Sessions) -> None:
    async with world(sessionmaker) as w:
        w.dated_film()
        await w.guild(notification_channel_id=None)
        await own_channel(w, FILM, OWN)
        report = await w.engine().run_cycle()

    assert report.delivered == 1
    assert channels_of(w) == {OWN: ["The Film is out in US"]}


async def test_a_message_left_in_flight_is_resent_to_its_channel_after_routing_changed(
    sessionmaker: Sessions,
) -> None:
    tried: list[tuple[int, str | None]] = []

    async def note(channel_id: int, message: NotificationMessage) -> None:
        tried.append((channel_id, message.nonce))

    async with world(sessionmaker) as w:
        w.dated_film()
        await w.follow(FILM)
        w.sender.before_send = note
        w.sender.fail_next.append(RuntimeError("the process died mid-send"))
        engine = w.engine()
        crashed = await engine.run_cycle()
        await w.guild(movie_channel_id=FILMS)
        w.clock.advance(minutes=5)
        resent = await engine.run_cycle()
        [row] = await w.ledger()

    assert crashed.delivered == 0
    assert resent.delivered == 1
    assert [channel for channel, _ in tried] == [CHANNEL, CHANNEL]
    assert tried[0][1] == tried[1][1] is not None
    assert (row.status, row.channel_id) == ("delivered", CHANNEL)
    assert channels_of(w) == {CHANNEL: ["The Film is out in US"]}


async def test_the_servers_template_is_the_content_above_the_embeds(
    sessionmaker: Sessions,
) -> None:
    templates = {
        "release": "{title} ({year}) is out! {role} @everyone <@42> {url}",
        "new_episode": "S{season}E{episode} of {title} on {network}",
    }
    async with world(sessionmaker) as w:
        w.dated_film()
        w.airing_show()
        w.catalogue.set_tv(SHOW.tmdb_id, networks=[{"id": 49, "name": "HBO"}])
        await w.follow(FILM, tv_channel_id=SHOWS, notification_templates=templates)
        await w.subscribe(SHOW)
        await w.engine().run_cycle()

    by_channel = {sent.channel_id: sent.message for sent in w.sender.sent}
    film, show = by_channel[CHANNEL], by_channel[SHOWS]
    url = f"https://www.themoviedb.org/movie/{FILM.tmdb_id}"
    assert film.content == f"The Film (2026) is out! <@&{ROLE}> @everyone <@42> {url}"
    assert film.allowed_mentions == {"parse": [], "roles": [ROLE]}
    assert show.content == "S1E2 of The Show on HBO"
    assert show.allowed_mentions == {"parse": [], "roles": [ROLE]}


async def test_films_refused_by_a_broken_movie_channel_follow_the_route_once_it_is_changed(
    sessionmaker: Sessions,
) -> None:
    async with world(sessionmaker) as w:
        w.dated_film()
        await w.follow(FILM, movie_channel_id=FILMS)
        w.sender.failures[FILMS] = ChannelUnavailable("Unknown Channel (HTTP 404, code 10003)")
        engine = w.engine()
        refused = await engine.run_cycle()
        await w.guild(movie_channel_id=OWN)
        w.clock.advance(hours=1)
        rerouted = await engine.run_cycle()
        [row] = await w.ledger()

    assert (refused.failed, refused.pending, rerouted.delivered) == (1, 1, 1)
    assert channels_of(w) == {OWN: ["The Film is out in US"]}
    assert (row.status, row.channel_id) == ("delivered", OWN)
