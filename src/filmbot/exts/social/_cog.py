"""/recommend-to: send a title to another member of the server, by DM and in their /recommend."""

from __future__ import annotations

import logging

import discord
from discord import app_commands
from discord.ext import commands

from filmbot.domain.errors import InvalidInputError
from filmbot.domain.social import MAX_NOTE_LENGTH, MemberRecommendation
from filmbot.domain.titles import tmdb_url
from filmbot.exts._ui.context import TITLE_QUERY_HELP, bot_of, guild_of, title_autocomplete
from filmbot.exts._ui.embeds import new_embed
from filmbot.exts._ui.picker import Reply, pick_or_run
from filmbot.services.catalog import TitleSummary
from filmbot.services.social import Recipient

log = logging.getLogger(__name__)


def _escape(text: str) -> str:
    return discord.utils.escape_markdown(text)


def dm_embed(recommendation: MemberRecommendation, server: str) -> discord.Embed:
    """The DM the recipient gets."""
    return new_embed(
        f"{recommendation.sender_name} recommends {recommendation.title}",
        url=tmdb_url(recommendation.ref),
        description=(
            (f"“{_escape(recommendation.note)}”\n\n" if recommendation.note else "")
            + f"Sent from **{_escape(server)}**. It is also at the top of your next /recommend "
            "there. Turn these off with `/privacy settings recommendations:off`."
        ),
    )


async def _deliver(member: discord.Member, recommendation: MemberRecommendation) -> bool:
    """DM the recipient; False when Discord refuses (they do not accept DMs from the server)."""
    try:
        await member.send(embed=dm_embed(recommendation, member.guild.name))
    except discord.Forbidden as exc:
        log.info("Recipient does not accept DMs (%s); the recommendation waits in /recommend", exc)
        return False
    except discord.HTTPException as exc:
        log.warning("Could not DM a recommendation: %s", exc)
        return False
    return True


class Social(commands.Cog):
    """Recommend titles to other members."""

    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot

    @app_commands.command(
        name="recommend-to", description="Recommend a film or show to another member"
    )
    @app_commands.describe(
        member="The member of this server you recommend it to",
        query=TITLE_QUERY_HELP,
        note=f"Why they'll like it (up to {MAX_NOTE_LENGTH} characters)",
    )
    @app_commands.autocomplete(query=title_autocomplete)
    @app_commands.guild_only()
    async def recommend_to(
        self,
        interaction: discord.Interaction,
        member: discord.Member,
        query: str,
        note: app_commands.Range[str, 1, MAX_NOTE_LENGTH] | None = None,
    ) -> None:
        """Send the member a recommendation: a DM when they accept one, and in their /recommend."""
        if not isinstance(member, discord.Member):
            raise InvalidInputError("That person is not a member of this server.")
        social = bot_of(interaction).services.social
        recipient = Recipient(member.id, member.bot)
        await social.check_allowed(interaction.user.id, recipient, note)
        await interaction.response.defer(thinking=True, ephemeral=True)
        guild = await guild_of(interaction)
        sender = (interaction.user.id, interaction.user.display_name)

        async def send(reply: Reply, title: TitleSummary) -> None:
            sent = await social.recommend(guild.id, sender, recipient, title, note)
            delivered = await _deliver(member, sent)
            how = "by DM and" if delivered else "(they don't accept DMs from here, so only)"
            await reply.send(
                f"💌 Sent **{_escape(title.label)}** to {_escape(member.display_name)} {how} "
                "at the top of their next /recommend."
            )

        resolution = await bot_of(interaction).services.catalog.resolve(
            query, language=guild.language
        )
        await pick_or_run(
            interaction, resolution.choices, send, "Which title did you mean?", ephemeral=True
        )
