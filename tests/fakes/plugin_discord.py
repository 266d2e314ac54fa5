"""Pytest fixtures for the fake Discord (register with ``pytest_plugins``).

``fake_discord`` is a running :class:`FakeDiscord`; ``film_club`` holds the handles of its guild
"Film Club": #announcements (the bot may post), #staff-only (the bot may not: 403), the roles
@everyone, Movie Fans, Admins (administrator) and Club Managers (manage_guild), and the users
``admin`` (Admins), ``member`` (Movie Fans only) and ``manager`` (Club Managers). A test drives the
bot with ``await fake_discord.slash(film_club.guild, film_club.member, "search", query="Dune")``,
``click``/``select``/``submit_modal`` on the returned reply, and asserts on
``fake_discord.recorder``. ``discord_endpoints`` points an in-process discord.py at the fake;
``fake_discord.settings_env()`` gives the environment variables for a bot in another process.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import pytest

from tests.fakes.discord_server import FakeDiscord
from tests.fakes.discord_state import (
    ADMINISTRATOR,
    MANAGE_GUILD,
    FakeChannel,
    FakeGuild,
    FakeRole,
    FakeUser,
)

FILM_CLUB_ID = 1_100_000_000_000_000_001


@dataclass
class FilmClub:
    """The default world: one guild with the channels, roles and people tests need."""

    guild: FakeGuild
    announcements: FakeChannel
    locked: FakeChannel
    everyone: FakeRole
    movie_fans: FakeRole
    admin: FakeUser
    member: FakeUser
    manager: FakeUser


def build_film_club(fake: FakeDiscord) -> FilmClub:
    """Populate ``fake`` with the "Film Club" guild."""
    guild = fake.add_guild("Film Club", guild_id=FILM_CLUB_ID)
    movie_fans = guild.add_role("Movie Fans")
    admins = guild.add_role("Admins", ADMINISTRATOR)
    managers = guild.add_role("Club Managers", MANAGE_GUILD)
    admin = fake.add_user("ada")
    guild.add_member(admin, [admins])
    member = fake.add_user("mo")
    guild.add_member(member, [movie_fans])
    manager = fake.add_user("meg")
    guild.add_member(manager, [managers])
    announcements = guild.add_channel("announcements")
    locked = guild.add_channel("staff-only", bot_forbidden=True)
    return FilmClub(
        guild, announcements, locked, guild.everyone, movie_fans, admin, member, manager
    )


@pytest.fixture
async def fake_discord_world() -> AsyncIterator[tuple[FakeDiscord, FilmClub]]:
    """Run a fake Discord on 127.0.0.1 populated with the "Film Club" guild."""
    fake = FakeDiscord()
    club = build_film_club(fake)
    await fake.start()
    try:
        yield fake, club
    finally:
        await fake.close()


@pytest.fixture
def fake_discord(fake_discord_world: tuple[FakeDiscord, FilmClub]) -> FakeDiscord:
    """Return the running fake Discord (guild "Film Club", see ``film_club``)."""
    return fake_discord_world[0]


@pytest.fixture
def film_club(fake_discord_world: tuple[FakeDiscord, FilmClub]) -> FilmClub:
    """Return the handles (guild, channels, roles, users) of the fake's "Film Club"."""
    return fake_discord_world[1]


@pytest.fixture
def discord_endpoints(fake_discord: FakeDiscord) -> Iterator[None]:
    """Point discord.py's REST base and gateway at ``fake_discord``; restore afterwards."""
    import discord.gateway
    import discord.http
    import yarl

    old_base = discord.http.Route.BASE
    old_gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    discord.http.Route.BASE = fake_discord.api_base_url
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake_discord.gateway_url)
    try:
        yield
    finally:
        discord.http.Route.BASE = old_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old_gateway
