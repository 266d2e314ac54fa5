"""Slash commands for personal notifications by direct message (in servers and in DMs)."""

from __future__ import annotations

import logging
import math

import discord
from discord import app_commands
from discord.ext import commands

from filmbot.domain.guild_settings import suggest_timezones
from filmbot.domain.limits import clip
from filmbot.domain.models import TitleRef
from filmbot.domain.people import named_person, person_url
from filmbot.domain.person_follows import PersonFollow
from filmbot.domain.titles import parse_title_query, tmdb_url
from filmbot.exts._ui.context import PERSON_OR_TITLE_HELP, bot_of, everywhere
from filmbot.exts._ui.embeds import new_embed
from filmbot.exts._ui.pagination import send_paginated
from filmbot.exts._ui.person_follows import followed_message, people_field, person_choices
from filmbot.exts._ui.picker import Reply, pick_or_run
from filmbot.exts.personal._origin import origin_of
from filmbot.services.catalog import TitleSummary
from filmbot.services.personal import BLOCKED_HELP, FollowView, SettingsChange

log = logging.getLogger(__name__)

PER_PAGE = 10
ANSWERED_WITH_A_MESSAGE = (
    discord.InteractionResponseType.channel_message,
    discord.InteractionResponseType.deferred_channel_message,
)
DIGEST_CHOICES = [app_commands.Choice(name=v, value=v) for v in ("off", "daily")]


def _what(releases: bool, updates: bool) -> str:
    parts = [p for p, on in (("releases", releases), ("updates and episodes", updates)) if on]
    return " and ".join(parts) if parts else "nothing (both notifications off)"


def _line(view: FollowView) -> str:
    follow = view.follow
    flags = _what(follow.notify_release, follow.notify_update)
    hint = f"\n↳ next: {view.next_hint}" if view.next_hint else ""
    link = f"**[{clip(follow.title, 100)}]({tmdb_url(follow.ref)})**"
    return f"{link} · {follow.ref.media_type.label} · {flags}{hint}"


async def _any_title(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    """Titles matching what the member typed (in a server or in a DM)."""
    place = await origin_of(interaction)
    pairs = await bot_of(interaction).services.catalog.autocomplete(
        current, language=place.language, media=None
    )
    return [app_commands.Choice(name=label, value=value) for label, value in pairs]


async def _own_follows(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    """The member's own follows matching what they typed."""
    services = bot_of(interaction).services
    follows = await services.personal.search(interaction.user.id, current)
    people = await services.person_follows.search(
        PersonFollow(0, "", user_id=interaction.user.id), current
    )
    titles = [
        app_commands.Choice(
            name=clip(f"{f.title} · {f.ref.media_type.label}", 100), value=str(f.ref)
        )
        for f in follows
    ]
    return [*titles, *person_choices(people)][:25]


async def _zones(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    return [app_commands.Choice(name=z, value=z) for z in suggest_timezones(current)]


class Personal(commands.Cog):
    """Follow titles yourself and hear about them by direct message."""

    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot

    @commands.Cog.listener()
    async def on_app_command_completion(
        self, interaction: discord.Interaction, _command: object
    ) -> None:
        """After any command, tell a member once that Discord refused to DM them.

        Only after a command answered with a message: a modal leaves no follow-up to send.
        """
        if interaction.response.type not in ANSWERED_WITH_A_MESSAGE:
            return
        services = bot_of(interaction).services
        if await services.personal.take_block_notice(interaction.user.id):
            try:
                await interaction.followup.send(BLOCKED_HELP, ephemeral=True)
            except discord.HTTPException:
                log.warning("Could not tell a member that their DMs are refused", exc_info=True)

    @app_commands.command(name="notify-me", description="Follow a film or show yourself, by DM")
    @app_commands.describe(
        query=PERSON_OR_TITLE_HELP,
        releases="Tell me about releases and upcoming releases (default on)",
        updates="Tell me about new episodes and status changes (default on)",
    )
    @app_commands.autocomplete(query=_any_title)
    @everywhere
    async def notify_me(
        self,
        interaction: discord.Interaction,
        query: str,
        releases: bool = True,
        updates: bool = True,
    ) -> None:
        """Follow a title personally."""
        await interaction.response.defer(thinking=True, ephemeral=True)
        services = bot_of(interaction).services
        place = await origin_of(interaction)
        person_id = named_person(query)
        if person_id is not None and not (releases and updates):
            await interaction.followup.send(
                "`releases` and `updates` are for titles: run `/notify-me query:person:ID` "
                "without them to hear about a person's new titles.",
                ephemeral=True,
            )
            return
        if person_id is not None:
            follow = await services.person_follows.follow_for_member(
                interaction.user.id, person_id, place.defaults, language=place.language
            )
            embed = new_embed(
                f"You now follow {follow.name}",
                url=person_url(follow.person_id),
                description=f"{followed_message(follow, 'You')} I will tell you by direct message.",
            )
            await interaction.followup.send(embed=embed, ephemeral=True)
            return
        resolution = await services.catalog.resolve(query, language=place.language)

        async def run(reply: Reply, title: TitleSummary) -> None:
            created = await services.personal.follow(
                interaction.user.id, title, place.defaults, releases=releases, updates=updates
            )
            verb = "You now follow" if created else "Updated your follow of"
            embed = new_embed(
                f"{verb} {title.label}",
                url=tmdb_url(title.ref),
                description=(
                    f"I will tell you about {_what(releases, updates)} by direct message. "
                    "`/notify-settings` sets quiet hours and a daily digest."
                ),
            )
            await reply.send(embed=embed)

        await pick_or_run(
            interaction,
            resolution.choices,
            run,
            "Several titles match. Which one do you want to follow?",
            ephemeral=True,
        )

    @app_commands.command(name="notify-me-remove", description="Stop following a title yourself")
    @app_commands.describe(query="One of your personal follows")
    @app_commands.autocomplete(query=_own_follows)
    @everywhere
    async def notify_me_remove(self, interaction: discord.Interaction, query: str) -> None:
        """Remove a personal follow."""
        await interaction.response.defer(thinking=True, ephemeral=True)
        services = bot_of(interaction).services
        personal = services.personal
        person_id = named_person(query)
        if person_id is not None:
            gone = await services.person_follows.unfollow_for_member(interaction.user.id, person_id)
            await interaction.followup.send(
                f"You no longer follow **{clip(gone.name, 200)}**.", ephemeral=True
            )
            return
        parsed = parse_title_query(query)
        if isinstance(parsed, TitleRef):
            ref = parsed
        else:
            matches = await personal.search(interaction.user.id, parsed)
            if len(matches) != 1:
                found = "several" if matches else "none"
                await interaction.followup.send(
                    f"That matches {found} of your follows; pick one from the list.",
                    ephemeral=True,
                )
                return
            ref = matches[0].ref
        removed = await personal.unfollow(interaction.user.id, ref)
        await interaction.followup.send(
            f"You no longer follow **{clip(removed.title, 200)}**.", ephemeral=True
        )

    @app_commands.command(
        name="my-notifications", description="Your personal follows and notification settings"
    )
    @everywhere
    async def my_notifications(self, interaction: discord.Interaction) -> None:
        """List the member's follows with what each announces next, and their settings."""
        await interaction.response.defer(thinking=True, ephemeral=True)
        services = bot_of(interaction).services
        views, state = await services.personal.overview(interaction.user.id)
        people = await services.person_follows.for_member(interaction.user.id)
        pages = max(1, math.ceil(len(views) / PER_PAGE))
        settings = state.settings.describe()
        if state.dm_blocked:
            settings += "\n⚠️ Discord refused my last DM: run `/notify-settings` once fixed."

        async def render(page: int) -> discord.Embed:
            chunk = views[page * PER_PAGE : (page + 1) * PER_PAGE]
            body = "\n".join(_line(v) for v in chunk) or (
                "You follow nothing personally yet: try `/notify-me` or the 🔔 button under "
                "a server's notification."
            )
            embed = new_embed(f"Your notifications ({len(views)} follows)", description=body)
            if people:
                embed.add_field(
                    name=f"People ({len(people)})", value=people_field(people), inline=False
                )
            embed.add_field(name="Settings", value=settings, inline=False)
            if pages > 1:
                embed.set_footer(text=f"Page {page + 1}/{pages}")
            return embed

        await send_paginated(interaction, pages, render, ephemeral=True)

    @app_commands.command(
        name="notify-settings", description="Quiet hours, time zone and digest for your DMs"
    )
    @app_commands.describe(
        quiet_start="Quiet hours start, 24-hour HH:MM such as 23:00 (off: no quiet hours)",
        quiet_end="Quiet hours end, 24-hour HH:MM such as 08:00",
        timezone="Your time zone, an IANA name such as Europe/Berlin",
        digest="off: each notification as it is found; daily: one DM a day",
    )
    @app_commands.autocomplete(timezone=_zones)
    @app_commands.choices(digest=DIGEST_CHOICES)
    @everywhere
    async def notify_settings(
        self,
        interaction: discord.Interaction,
        quiet_start: str | None = None,
        quiet_end: str | None = None,
        timezone: str | None = None,
        digest: str | None = None,
    ) -> None:
        """Validate and store the settings (all or nothing); show them."""
        await interaction.response.defer(thinking=True, ephemeral=True)
        place = await origin_of(interaction)
        change = SettingsChange(quiet_start, quiet_end, timezone, digest)
        state = await bot_of(interaction).services.personal.change_settings(
            interaction.user.id, change, place.defaults
        )
        embed = new_embed("Your notification settings", description=state.settings.describe())
        await interaction.followup.send(embed=embed, ephemeral=True)
