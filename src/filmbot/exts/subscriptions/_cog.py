"""Slash commands that manage what the server follows."""

from __future__ import annotations

import math

import discord
from discord import app_commands
from discord.ext import commands

from filmbot.domain.errors import PermissionDeniedError
from filmbot.domain.limits import clip
from filmbot.domain.models import Guild, Subscription, TitleRef
from filmbot.domain.people import named_person, person_url
from filmbot.domain.person_follows import PersonFollow
from filmbot.domain.routing import ChannelRoutes
from filmbot.domain.titles import tmdb_url
from filmbot.exts._ui.channels import CLEAR_WORDS, channel_choices, find_channel
from filmbot.exts._ui.context import (
    PERSON_OR_TITLE_HELP,
    bot_of,
    can_manage_server,
    guild_of,
    title_autocomplete,
)
from filmbot.exts._ui.embeds import new_embed
from filmbot.exts._ui.pagination import send_paginated
from filmbot.exts._ui.person_follows import followed_message, people_field, person_choices
from filmbot.exts._ui.picker import Reply, pick_or_run
from filmbot.services.catalog import TitleSummary
from filmbot.services.subscriptions import ChannelChoice, SubscriptionView

PER_PAGE = 10
NO_CHANNEL_YET = "No notification channel is set: an admin can run /setup."
PERSON_OPTIONS = (
    "`channel`, `releases` and `updates` are for titles. A followed person's new titles go to "
    "the server's film or TV channel: run `/subscribe query:person:ID` without them."
)


def _what(releases: bool, updates: bool) -> str:
    parts = [p for p, on in (("releases", releases), ("updates and episodes", updates)) if on]
    return " and ".join(parts) if parts else "nothing (both notifications off)"


def _line(view: SubscriptionView) -> str:
    sub = view.subscription
    flags = _what(sub.notify_release, sub.notify_update)
    missing = " · ⚠️ no longer on TMDB" if sub.title_missing else ""
    hint = f"\n↳ next: {view.next_hint}" if view.next_hint else ""
    link = f"**[{clip(sub.title, 100)}]({tmdb_url(sub.ref)})**"
    channel = f" · in <#{sub.channel_id}>" if sub.channel_id else ""
    return f"{link} · {sub.media_type.label} · {flags}{channel}{missing}{hint}"


def _channel_choice(interaction: discord.Interaction, text: str | None) -> ChannelChoice | None:
    """Parse /subscribe's channel: a channel the bot can post in, or `none` for the defaults."""
    if text is None:
        return None
    if text.strip().casefold() in CLEAR_WORDS:
        return ChannelChoice(None)
    if interaction.guild is None:
        raise PermissionDeniedError("This command works in servers only.")
    return ChannelChoice(find_channel(interaction.guild, text).id)


def _where(guild: Guild, sub: Subscription) -> str:
    """Say where the subscription's notifications go."""
    channel = ChannelRoutes.of(guild).channel_for(sub.media_type, sub.channel_id)
    if channel is None:
        return NO_CHANNEL_YET
    own = " (this subscription's own channel)" if sub.channel_id else ""
    return f"Notifications go to <#{channel}>{own}."


class Subscriptions(commands.Cog):
    """Subscribe the server to titles and get told about releases and episodes."""

    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot

    @app_commands.command(name="subscribe", description="Follow a film or show in this server")
    @app_commands.describe(
        query=PERSON_OR_TITLE_HELP,
        releases="Announce releases and upcoming releases (default on)",
        updates="Announce new episodes and status changes (default on)",
        channel="Post this title's notifications here instead (none: the server's channels)",
    )
    @app_commands.autocomplete(query=title_autocomplete)
    @app_commands.guild_only()
    async def subscribe(
        self,
        interaction: discord.Interaction,
        query: str,
        releases: bool = True,
        updates: bool = True,
        channel: str | None = None,
    ) -> None:
        """Subscribe the server to a title."""
        chosen_channel = _channel_choice(interaction, channel)
        await interaction.response.defer(thinking=True)
        guild = await guild_of(interaction)
        services = bot_of(interaction).services
        manager = can_manage_server(interaction)
        services.subscriptions.check_allowed(guild, manager)
        person_id = named_person(query)
        if person_id is not None:
            if chosen_channel is not None or not (releases and updates):
                await interaction.followup.send(PERSON_OPTIONS)
                return
            await _follow_person(interaction, guild, person_id, manager)
            return
        resolution = await services.catalog.resolve(query, language=guild.language)
        guild_name = interaction.guild.name if interaction.guild else ""

        async def run(reply: Reply, title: TitleSummary) -> None:
            subscription, created = await services.subscriptions.subscribe(
                guild.id,
                title,
                can_manage_server=manager,
                guild_name=guild_name,
                releases=releases,
                updates=updates,
                channel=chosen_channel,
            )
            verb = "Subscribed!" if created else "Subscription updated."
            embed = new_embed(
                f"{verb} {title.label}",
                url=tmdb_url(title.ref),
                description=f"This server will hear about {_what(releases, updates)}.",
            )
            routed = ChannelRoutes.of(guild).channel_for(
                title.ref.media_type, subscription.channel_id
            )
            embed.add_field(
                name="Heads-up" if routed is None else "Channel", value=_where(guild, subscription)
            )
            poster = services.catalog.image_url(title.poster_path, "w185")
            if poster:
                embed.set_thumbnail(url=poster)
            await reply.send(embed=embed)

        await pick_or_run(
            interaction,
            resolution.choices,
            run,
            "Several titles match. Which one should the server follow?",
        )

    @app_commands.command(
        name="unsubscribe", description="Stop following a film or show in this server"
    )
    @app_commands.describe(query="One of the server's subscriptions")
    @app_commands.guild_only()
    async def unsubscribe(self, interaction: discord.Interaction, query: str) -> None:
        """Remove a subscription."""
        await interaction.response.defer(thinking=True)
        services = bot_of(interaction).services
        person_id = named_person(query)
        if person_id is not None:
            gone = await services.person_follows.unfollow_for_guild(
                interaction.guild_id or 0,
                person_id,
                can_manage_server=can_manage_server(interaction),
            )
            await interaction.followup.send(
                f"This server no longer follows **{discord.utils.escape_markdown(gone.name)}**."
            )
            return
        parsed = await services.catalog.parse(query)
        if isinstance(parsed, TitleRef):
            ref = parsed
        else:
            matches = await services.subscriptions.search(interaction.guild_id or 0, parsed)
            if len(matches) != 1:
                found = "several" if matches else "none"
                await interaction.followup.send(
                    f"That matches {found} of this server's subscriptions; pick one from the list."
                )
                return
            ref = matches[0].ref
        removed = await services.subscriptions.unsubscribe(
            interaction.guild_id or 0, ref, can_manage_server=can_manage_server(interaction)
        )
        await interaction.followup.send(
            f"Unsubscribed from **{discord.utils.escape_markdown(removed.title)}**."
        )

    @subscribe.autocomplete("channel")
    async def _subscribe_channels(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        options = channel_choices(interaction.guild, current, clear=True)
        return [app_commands.Choice(name=o[:100], value=o[:100]) for o in options[:25]]

    @unsubscribe.autocomplete("query")
    async def _unsubscribe_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        services = bot_of(interaction).services
        subs = await services.subscriptions.search(interaction.guild_id or 0, current)
        people = await services.person_follows.search(
            PersonFollow(0, "", guild_id=interaction.guild_id or 0), current
        )
        titles = [
            app_commands.Choice(
                name=clip(f"{s.title} · {s.media_type.label}", 100), value=str(s.ref)
            )
            for s in subs
        ]
        return [*titles, *person_choices(people)][:25]

    @app_commands.command(name="subscriptions", description="List what this server follows")
    @app_commands.guild_only()
    async def subscriptions(self, interaction: discord.Interaction) -> None:
        """The server's subscriptions with what each will notify about next."""
        await interaction.response.defer(thinking=True)
        guild = await guild_of(interaction)
        services = bot_of(interaction).services
        views = await services.subscriptions.overview(guild.id)
        people = await services.person_follows.for_guild(guild.id)
        if not views and not people:
            await interaction.followup.send("This server follows nothing yet. Try /subscribe.")
            return
        total = max(1, math.ceil(len(views) / PER_PAGE))
        heading = f"This server follows {len(views)} title{'s' if len(views) != 1 else ''}"
        if people:
            heading += f" and {len(people)} {'person' if len(people) == 1 else 'people'}"

        async def render(index: int) -> discord.Embed:
            chunk = views[index * PER_PAGE : (index + 1) * PER_PAGE]
            embed = new_embed(heading, description="\n".join(_line(v) for v in chunk) or None)
            if people:
                embed.add_field(name="People", value=people_field(people), inline=False)
            return embed

        await send_paginated(interaction, total, render)


async def _follow_person(
    interaction: discord.Interaction, guild: Guild, person_id: int, manager: bool
) -> None:
    """/subscribe person:ID: the server follows the person's new titles."""
    services = bot_of(interaction).services
    follow = await services.person_follows.follow_for_guild(
        guild.id,
        person_id,
        can_manage_server=manager,
        guild_name=interaction.guild.name if interaction.guild else "",
        language=guild.language,
    )
    embed = new_embed(
        f"Subscribed! {follow.name}",
        url=person_url(follow.person_id),
        description=followed_message(follow, "This server"),
    )
    routes = ChannelRoutes.of(guild)
    if not routes.any_channel():
        embed.add_field(
            name="Heads-up", value="No notification channel is set: an admin can run /setup."
        )
    photo = services.catalog.image_url(follow.profile_path, "w185")
    if photo:
        embed.set_thumbnail(url=photo)
    await interaction.followup.send(embed=embed)
