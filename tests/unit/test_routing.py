"""Which channel a server's notification goes to."""

from __future__ import annotations

from filmbot.domain.models import Guild, MediaType
from filmbot.domain.routing import ChannelRoutes

DEFAULT, FILMS, SHOWS, OWN = 11, 22, 33, 44


def test_films_and_shows_go_to_their_kind_channel_else_the_notification_channel() -> None:
    routes = ChannelRoutes(DEFAULT, movie_channel_id=FILMS)
    assert routes.channel_for(MediaType.MOVIE) == FILMS
    assert routes.channel_for(MediaType.TV) == DEFAULT
    both = ChannelRoutes(DEFAULT, FILMS, SHOWS)
    assert (both.channel_for(MediaType.MOVIE), both.channel_for(MediaType.TV)) == (FILMS, SHOWS)


def test_a_subscriptions_own_channel_overrides_every_server_channel() -> None:
    routes = ChannelRoutes(DEFAULT, FILMS, SHOWS)
    assert routes.channel_for(MediaType.MOVIE, OWN) == OWN
    assert ChannelRoutes().channel_for(MediaType.TV, OWN) == OWN


def test_without_any_channel_a_notification_has_nowhere_to_go() -> None:
    routes = ChannelRoutes()
    assert routes.channel_for(MediaType.MOVIE) is None
    assert not routes.any_channel()
    only_tv = ChannelRoutes(tv_channel_id=SHOWS)
    assert only_tv.any_channel()
    assert only_tv.channel_for(MediaType.MOVIE) is None


def test_routes_come_from_the_guild_and_name_the_setting_of_a_channel() -> None:
    guild = Guild(id=1, notification_channel_id=DEFAULT, movie_channel_id=FILMS)
    routes = ChannelRoutes.of(guild)
    assert routes == ChannelRoutes(DEFAULT, FILMS, None)
    assert routes.describe(FILMS) == "movie channel"
    assert routes.describe(DEFAULT) == "notification channel"
    assert routes.describe(OWN) == "channel of a subscription"
