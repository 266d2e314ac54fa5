"""Rating prompts: score buttons after marking watched, and a modal for long reviews."""

from __future__ import annotations

import contextlib

import discord

from filmbot.domain.errors import FilmBotError
from filmbot.domain.social import FeedKind
from filmbot.exts._ui.context import bot_of
from filmbot.exts._ui.errors import FilmBotModal, FilmBotView, refusal
from filmbot.exts._ui.feed import feed_post, publish
from filmbot.services.catalog import TitleSummary

PROMPT_TIMEOUT = 300.0


def _name(title: TitleSummary) -> str:
    return discord.utils.escape_markdown(title.title)


class ReviewModal(FilmBotModal, title="Rate and review"):
    """Score plus an optional long review."""

    score: discord.ui.TextInput[ReviewModal] = discord.ui.TextInput(
        label="Score from 1 to 10",
        custom_id="review:score",
        min_length=1,
        max_length=2,
        placeholder="8",
    )
    review: discord.ui.TextInput[ReviewModal] = discord.ui.TextInput(
        label="Review (optional)",
        custom_id="review:text",
        style=discord.TextStyle.paragraph,
        required=False,
        max_length=2000,
    )
    spoilers: discord.ui.Label[ReviewModal] = discord.ui.Label(
        text="Contains spoilers",
        description="The activity feed then hides your review behind a spoiler",
        component=discord.ui.Checkbox(custom_id="review:spoilers"),
    )

    def __init__(
        self,
        guild_id: int,
        title: TitleSummary,
        *,
        score: int | None = None,
        prompt: RatePrompt | None = None,
    ) -> None:
        super().__init__(timeout=PROMPT_TIMEOUT)
        self.guild_id = guild_id
        self.title_summary = title
        self.prompt = prompt
        if score is not None:
            self.score.default = str(score)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        """Store the rating."""
        text = self.score.value.strip()
        if not text.isdigit() or not 1 <= int(text) <= 10:
            await interaction.response.send_message(
                "⚠️ A rating must be a whole number from 1 to 10.", ephemeral=True
            )
            return
        try:
            _item, rating = await bot_of(interaction).services.watchlist.rate(
                self.guild_id, interaction.user.id, self.title_summary, int(text), self.review.value
            )
        except FilmBotError as exc:
            await interaction.response.send_message(refusal(exc), ephemeral=True)
            return
        checkbox = self.spoilers.component
        post = await feed_post(
            interaction,
            FeedKind.RATED,
            self.title_summary.title,
            score=rating.score,
            review=rating.review,
            spoilers=isinstance(checkbox, discord.ui.Checkbox) and checkbox.value,
        )
        note = " with your review" if rating.review else ""
        text = f"Rated **{_name(self.title_summary)}** {rating.score}/10{note}."
        if self.prompt is not None and interaction.message is not None:
            self.prompt.stop()
            await interaction.response.edit_message(content=text, view=None)
        else:
            await interaction.response.send_message(text, ephemeral=True)
        await publish(interaction, post)


class RatePrompt(FilmBotView):
    """Buttons 1-10 plus 'write a review', offered after marking a title watched."""

    def __init__(self, owner_id: int, guild_id: int, title: TitleSummary) -> None:
        super().__init__(timeout=PROMPT_TIMEOUT)
        self.owner_id = owner_id
        self.guild_id = guild_id
        self.title_summary = title
        self.message: discord.Message | discord.InteractionMessage | None = None
        for score in range(1, 11):
            button: discord.ui.Button[RatePrompt] = discord.ui.Button(
                label=str(score),
                custom_id=f"rate:{score}",
                row=0 if score <= 5 else 1,
                style=discord.ButtonStyle.secondary,
            )
            button.callback = self._scorer(score)  # type: ignore[method-assign]
            self.add_item(button)
        review: discord.ui.Button[RatePrompt] = discord.ui.Button(
            label="Write a review…",
            custom_id="rate:review",
            row=2,
            style=discord.ButtonStyle.primary,
        )
        review.callback = self._open_review  # type: ignore[method-assign]
        self.add_item(review)

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        """Only the member who marked the title may rate it here."""
        if interaction.user.id == self.owner_id:
            return True
        await interaction.response.send_message(
            "This rating prompt is someone else's.", ephemeral=True
        )
        return False

    def _scorer(self, score: int):  # type: ignore[no-untyped-def]
        async def rate(interaction: discord.Interaction) -> None:
            await bot_of(interaction).services.watchlist.rate(
                self.guild_id, interaction.user.id, self.title_summary, score
            )
            post = await feed_post(
                interaction, FeedKind.RATED, self.title_summary.title, score=score
            )
            self.stop()
            await interaction.response.edit_message(
                content=f"Rated **{_name(self.title_summary)}** {score}/10. "
                "Use /watchlist-rate to add a review later.",
                view=None,
            )
            await publish(interaction, post)

        return rate

    async def _open_review(self, interaction: discord.Interaction) -> None:
        # The prompt stays live: a dismissed or refused form can be opened again.
        modal = ReviewModal(self.guild_id, self.title_summary, prompt=self)
        await interaction.response.send_modal(modal)

    async def on_timeout(self) -> None:
        """Remove the buttons when the prompt expires."""
        if self.message is not None:
            with contextlib.suppress(discord.HTTPException):
                await self.message.edit(view=None)
