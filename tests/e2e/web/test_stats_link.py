"""/stats links to the server's dashboard page when WEB_BASE_URL is set."""

from __future__ import annotations

from filmbot.bot import FilmBot
from tests.fakes.discord_server import FakeDiscord
from tests.fakes.plugin_discord import FilmClub


async def test_stats_links_to_the_dashboard_only_when_it_has_a_url(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    club, mo = film_club.guild, film_club.member
    reply = await fake_discord.slash(club, mo, "stats")
    assert "Dashboard" not in {f["name"] for f in reply.embeds[0]["fields"]}
    filmbot.services.settings.web_base_url = "https://films.example.org"
    reply = await fake_discord.slash(club, mo, "stats")
    fields = {f["name"]: f["value"] for f in reply.embeds[0]["fields"]}
    assert fields["Dashboard"] == f"https://films.example.org/servers/{club.id}"
