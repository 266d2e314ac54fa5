"""Command and view callbacks, called directly with spec'd interactions and services."""

from __future__ import annotations

from typing import Any
from unittest.mock import MagicMock, create_autospec

import discord
import pytest

from filmbot.bot import FilmBot
from filmbot.domain.errors import InvalidInputError, InvalidScoreError, PermissionDeniedError
from filmbot.domain.guild_settings import Setting
from filmbot.domain.models import Guild, MediaType, SubscribePermission, Subscription, TitleRef
from filmbot.exts._ui.titles import list_embed
from filmbot.exts.admin._cog import Admin
from filmbot.exts.search._cog import Search
from filmbot.exts.subscriptions._cog import Subscriptions
from filmbot.exts.watchlist._cog import Watchlist
from filmbot.exts.watchlist._views import RatePrompt, ReviewModal
from filmbot.services.activity import ActivityService
from filmbot.services.admin import AdminService
from filmbot.services.catalog import CatalogService, SearchPage, TitleSummary
from filmbot.services.container import Services
from filmbot.services.subscriptions import SubscriptionService
from filmbot.services.watchlist import WatchlistService

GUILD_ID, MO = 1_100, 111
MATRIX = TitleRef(MediaType.MOVIE, 603)


def summary(ref: TitleRef = MATRIX, name: str = "The Matrix") -> TitleSummary:
    return TitleSummary(ref, name, 1999, "Neo wakes up.", None, 8.2, 100)


def services(guild: Guild | None = None) -> Any:
    """Spec'd services; the bot hands out `guild` as the server's settings."""
    bot = create_autospec(FilmBot, instance=True)  # `services` is set in __init__, so no spec_set
    bot.guild_config.return_value = guild or Guild(GUILD_ID)
    svc = MagicMock(spec_set=Services)
    svc.catalog = create_autospec(CatalogService, instance=True)
    svc.subscriptions = create_autospec(SubscriptionService, instance=True)
    svc.watchlist = create_autospec(WatchlistService, instance=True)
    svc.admin = create_autospec(AdminService, instance=True)
    svc.activity = create_autospec(ActivityService, instance=True)
    svc.activity.post_for.return_value = None
    bot.services = svc
    return bot


def interaction(bot: Any, *, user_id: int = MO, manage: bool = False) -> Any:
    it = MagicMock(spec_set=discord.Interaction)
    it.client = bot
    it.guild_id = GUILD_ID
    it.guild = None
    it.user = MagicMock(spec_set=discord.Member)
    it.user.id = user_id
    it.user.display_name = "Mo"
    it.permissions = discord.Permissions(manage_guild=manage)
    it.response = create_autospec(discord.InteractionResponse, instance=True)
    it.response.is_done.return_value = False
    it.followup = create_autospec(discord.Webhook, instance=True)
    return it


async def test_search_defers_before_asking_tmdb_and_cleans_the_query() -> None:
    bot = services()
    it = interaction(bot)

    async def search(text: str, **_: Any) -> SearchPage:
        it.response.defer.assert_awaited_once_with(thinking=True)
        return SearchPage([summary()], 1, 1, 1)

    bot.services.catalog.search.side_effect = search
    await Search.search.callback(Search(bot), it, query="  the   matrix ", media_type="movie")
    assert bot.services.catalog.search.await_args.args == ("the matrix",)
    assert bot.services.catalog.search.await_args.kwargs["media"] == "movie"
    embed = it.followup.send.await_args.kwargs["embed"]
    assert "The Matrix (1999) · Movie" in embed.description


async def test_search_refuses_an_overlong_query_before_deferring() -> None:
    bot = services()
    it = interaction(bot)
    with pytest.raises(InvalidInputError, match="too long"):
        await Search.search.callback(Search(bot), it, query="q" * 1000, media_type="all")
    it.response.defer.assert_not_awaited()
    bot.services.catalog.search.assert_not_awaited()


async def test_search_reports_nothing_found() -> None:
    bot = services()
    bot.services.catalog.search.return_value = SearchPage([], 1, 0, 0)
    it = interaction(bot)
    await Search.search.callback(Search(bot), it, query="zzz", media_type="all")
    it.followup.send.assert_awaited_once_with("Nothing found for Search “zzz”.")


async def test_movie_refuses_a_tv_id_before_asking_tmdb() -> None:
    bot = services()
    it = interaction(bot)
    with pytest.raises(InvalidInputError, match="TV id, not a Movie id"):
        await Search.movie.callback(Search(bot), it, movie_id="tv:1396")
    bot.services.catalog.details.assert_not_awaited()


async def test_list_embed_numbers_lines_and_stays_within_the_description_limit() -> None:
    items = [summary(TitleRef(MediaType.MOVIE, n), "Long " * 80) for n in range(10)]
    embed = list_embed("Results", items, 11, "note")
    assert (embed.description or "").startswith("**11. [")
    assert len(embed.description or "") <= 4096 and len(embed) <= 6000
    assert (embed.footer.text or "").startswith("note · Data from TMDB")


async def test_rating_11_is_refused_before_deferring() -> None:
    bot = services()
    bot.services.watchlist.check_score.side_effect = WatchlistService.check_score
    it = interaction(bot)
    with pytest.raises(InvalidScoreError):
        await Watchlist.watchlist_rate.callback(
            Watchlist(bot), it, query="movie:603", score=11, review=None
        )
    it.response.defer.assert_not_awaited()
    bot.services.watchlist.rate.assert_not_awaited()


async def test_watchlist_add_by_id_replies_ephemerally() -> None:
    bot = services()
    bot.services.watchlist.get.return_value = None
    bot.services.catalog.resolve.return_value.choices = [summary()]
    it = interaction(bot)
    await Watchlist.watchlist_add.callback(Watchlist(bot), it, query="movie:603")
    it.response.defer.assert_awaited_once_with(thinking=True, ephemeral=True)
    bot.services.watchlist.add.assert_awaited_once_with(GUILD_ID, MO, summary())
    sent = it.followup.send.await_args.kwargs
    assert sent["content"] == "Added **The Matrix (1999) · Movie** to your watchlist."
    assert sent["ephemeral"] is True


async def test_subscribe_is_refused_before_the_picker_when_managers_only() -> None:
    guild = Guild(GUILD_ID, subscribe_permission=SubscribePermission.MANAGE_SERVER)
    bot = services(guild)
    bot.services.subscriptions.check_allowed.side_effect = SubscriptionService.check_allowed
    it = interaction(bot, manage=False)
    with pytest.raises(PermissionDeniedError):
        await Subscriptions.subscribe.callback(
            Subscriptions(bot), it, query="Dune", releases=True, updates=True
        )
    bot.services.catalog.resolve.assert_not_awaited()


async def test_unsubscribe_with_text_matching_several_asks_to_pick() -> None:
    bot = services()
    subs = [
        Subscription(1, GUILD_ID, 438631, MediaType.MOVIE, "Dune"),
        Subscription(2, GUILD_ID, 693134, MediaType.MOVIE, "Dune: Part Two"),
    ]
    bot.services.subscriptions.search.return_value = subs
    it = interaction(bot)
    await Subscriptions.unsubscribe.callback(Subscriptions(bot), it, query="Dune")
    assert "matches several" in it.followup.send.await_args.args[0]
    bot.services.subscriptions.unsubscribe.assert_not_awaited()


def test_config_value_parses_clear_words_and_refuses_long_text() -> None:
    it = interaction(services())
    it.guild = MagicMock(spec_set=discord.Guild)
    assert Admin._value(it, Setting.NOTIFICATION_CHANNEL, "none") is None
    assert Admin._value(it, Setting.TIMEZONE, "Europe/Berlin") == "Europe/Berlin"
    with pytest.raises(InvalidInputError, match="too long"):
        Admin._value(it, Setting.TIMEZONE, "x" * 65)


async def test_rate_button_stores_the_score_and_removes_the_buttons() -> None:
    bot = services()
    prompt = RatePrompt(MO, GUILD_ID, summary())
    it = interaction(bot)
    nine = next(i for i in prompt.children if getattr(i, "custom_id", "") == "rate:9")
    await nine.callback(it)
    bot.services.watchlist.rate.assert_awaited_once_with(GUILD_ID, MO, summary(), 9)
    kwargs = it.response.edit_message.await_args.kwargs
    assert kwargs["view"] is None and "9/10" in kwargs["content"]
    assert prompt.is_finished()


async def test_review_button_opens_the_form_and_keeps_the_prompt_alive() -> None:
    prompt = RatePrompt(MO, GUILD_ID, summary())
    it = interaction(services())
    review = next(i for i in prompt.children if getattr(i, "custom_id", "") == "rate:review")
    await review.callback(it)
    modal = it.response.send_modal.await_args.args[0]
    assert isinstance(modal, ReviewModal) and modal.prompt is prompt
    assert not prompt.is_finished()


async def test_rating_prompt_refuses_other_members() -> None:
    prompt = RatePrompt(MO, GUILD_ID, summary())
    other = interaction(services(), user_id=999)
    assert await prompt.interaction_check(other) is False
    assert other.response.send_message.await_args.kwargs == {"ephemeral": True}
