"""Slash commands for server admins: /setup, /config, /stats."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from filmbot import __version__
from filmbot.domain import guild_settings as rules
from filmbot.domain.errors import InvalidInputError, PermissionDeniedError
from filmbot.domain.guild_settings import CHANNEL_SETTINGS, Setting
from filmbot.exts._ui.channels import channel_choices
from filmbot.exts._ui.context import bot_of, guild_of
from filmbot.exts._ui.embeds import new_embed
from filmbot.exts.admin._checks import CLEAR_WORDS, find_channel, find_role
from filmbot.exts.admin._views import SetupWizard, confirm_server_deletion, summary_embed
from filmbot.services.admin import describe

DELETE_DATA = "delete_server_data"
SETTING_CHOICES = [
    *(app_commands.Choice(name=s.value, value=s.value) for s in Setting),
    app_commands.Choice(name=DELETE_DATA, value=DELETE_DATA),
]


def _duration(seconds: float) -> str:
    minutes, _ = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h {minutes} min" if days else f"{hours} h {minutes} min"


class Admin(commands.Cog):
    """Server settings and statistics."""

    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot

    @app_commands.command(name="setup", description="Set up FilmBot for this server (admins)")
    @app_commands.default_permissions(administrator=True)
    @app_commands.checks.has_permissions(administrator=True)
    @app_commands.guild_only()
    async def setup_(self, interaction: discord.Interaction) -> None:
        """Wizard: notification channel, role, timezone, language, region, auto-update."""
        guild = await guild_of(interaction)
        wizard = SetupWizard(interaction.user.id, guild)
        await interaction.response.send_message(
            embed=wizard.draft_embed(), view=wizard, ephemeral=True
        )
        wizard.message = await interaction.original_response()

    @app_commands.command(
        name="config", description="Show or change a FilmBot setting (Manage Server)"
    )
    @app_commands.describe(
        setting="Which setting", value="The new value; leave empty to see the current one"
    )
    @app_commands.choices(setting=SETTING_CHOICES)
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.checks.has_permissions(manage_guild=True)
    @app_commands.guild_only()
    async def config(
        self,
        interaction: discord.Interaction,
        setting: app_commands.Choice[str],
        value: str | None = None,
    ) -> None:
        """Show or change one setting; every value is validated."""
        bot = bot_of(interaction)
        guild = await guild_of(interaction)
        if setting.value == DELETE_DATA:
            await interaction.response.send_message(
                "This deletes **all** of this server's FilmBot data now: settings, subscriptions, "
                "delivery history, and every member's watchlist, ratings and reviews here. Sure?",
                view=confirm_server_deletion(interaction.user.id, guild.id),
                ephemeral=True,
            )
            return
        chosen = Setting(setting.value)
        if value is None:
            embed = summary_embed(guild)
            embed.description = f"**{chosen.value}** is {describe(guild, chosen)}"
            await interaction.response.send_message(embed=embed, ephemeral=True)
            return
        stored = self._value(interaction, chosen, value)
        updated = await bot.services.admin.set(guild.id, chosen, stored)
        bot.forget_guild_config(guild.id)
        await interaction.response.send_message(
            f"✅ **{chosen.value}** is now {describe(updated, chosen)}.", ephemeral=True
        )

    @staticmethod
    def _value(interaction: discord.Interaction, setting: Setting, value: str) -> str | int | None:
        if interaction.guild is None:
            raise PermissionDeniedError("This command works in servers only.")
        if setting in CHANNEL_SETTINGS or setting is Setting.ACTIVITY_CHANNEL:
            if value.strip().casefold() in CLEAR_WORDS:
                return None
            return find_channel(interaction.guild, value).id
        if setting is Setting.NOTIFICATION_ROLE:
            role = find_role(interaction.guild, value)
            return role.id if role else None
        if len(value) > 64:
            raise InvalidInputError("That value is too long.")
        return value

    @config.autocomplete("value")
    async def _config_values(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        setting = getattr(interaction.namespace, "setting", None)
        guild = interaction.guild
        options: list[str] = []
        if setting == Setting.TIMEZONE.value:
            options = rules.suggest_timezones(current or "/")
        elif setting in (Setting.AUTO_UPDATE.value,):
            options = ["on", "off"]
        elif setting == Setting.SUBSCRIBE_PERMISSION.value:
            options = ["everyone", "manage_server"]
        elif setting == Setting.NOTIFICATION_CHANNEL.value:
            options = channel_choices(guild, current, clear=False)
        elif setting in (Setting.MOVIE_CHANNEL.value, Setting.TV_CHANNEL.value):
            options = channel_choices(guild, current, clear=True)
        elif setting == Setting.ACTIVITY_CHANNEL.value:
            options = ["off", *channel_choices(guild, current, clear=False)]
        elif setting == Setting.NOTIFICATION_ROLE.value and guild is not None:
            roles = [r for r in guild.roles if not r.is_default() and not r.managed]
            options = [
                "none",
                *(
                    f"@{r.name}"
                    for r in roles
                    if current.lstrip("@").casefold() in r.name.casefold()
                ),
            ]
        return [app_commands.Choice(name=o[:100], value=o[:100]) for o in options[:25]]

    @app_commands.command(
        name="stats", description="FilmBot statistics for this server and the bot"
    )
    @app_commands.guild_only()
    async def stats(self, interaction: discord.Interaction) -> None:
        """Counts, TMDB requests and cache hit rate, the last update cycle, uptime and latency."""
        await interaction.response.defer(thinking=True)
        bot = bot_of(interaction)
        guild = await guild_of(interaction)
        c = await bot.services.admin.counts(guild.id)
        tmdb = bot.services.tmdb.stats
        lookups = tmdb.hits + tmdb.misses
        latency = f"{bot.latency * 1000:.0f} ms" if bot.latency == bot.latency else "n/a"
        fields = {
            "This server": [
                f"{c.guild_subscriptions} subscriptions",
                f"{c.guild_watchlist_items} watchlist items",
                f"{c.guild_ratings} ratings",
            ],
            "All servers": [
                f"{c.guilds} servers",
                f"{c.subscriptions} subscriptions",
                f"{c.watchlist_items} watchlist items",
                f"{c.ratings} ratings",
            ],
            "TMDB": [
                f"{tmdb.upstream_requests} requests",
                f"{tmdb.hit_ratio:.0%} cache hits ({tmdb.hits} of {lookups})",
                f"{tmdb.rate_limited} rate-limited, {tmdb.errors} errors",
            ],
            "Bot": [f"up {_duration(bot.services.admin.uptime_seconds())}", f"latency {latency}"],
        }
        embed = new_embed(f"FilmBot {__version__} statistics")
        for name, lines in fields.items():
            embed.add_field(name=name, value="\n".join(lines))
        embed.add_field(name="Update cycle", value=await bot.services.update_status(), inline=False)
        if guild.delivery_problem:
            embed.add_field(name="⚠️ Delivery problem", value=guild.delivery_problem, inline=False)
        if dashboard := bot.services.settings.web_base_url:
            embed.add_field(name="Dashboard", value=f"{dashboard}/servers/{guild.id}", inline=False)
        await interaction.followup.send(embed=embed)
