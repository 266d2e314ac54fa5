"""Shared UI pieces: embeds within limits, pagination, the title picker and error replies."""

from __future__ import annotations

import logging
import re
from typing import Any
from unittest.mock import AsyncMock, MagicMock, create_autospec

import discord
import pytest
from discord import app_commands

from filmbot.domain.errors import (
    AlreadyExistsError,
    FilmBotError,
    InvalidInputError,
    InvalidScoreError,
    LimitReachedError,
    NotFoundError,
    PermissionDeniedError,
)
from filmbot.domain.models import MediaType, TitleRef
from filmbot.exts._ui import embeds
from filmbot.exts._ui.errors import FilmBotTree, describe_error, reply_error
from filmbot.exts._ui.pagination import Paginator, send_paginated
from filmbot.exts._ui.picker import TitlePicker, pick_or_run
from filmbot.services.catalog import TitleSummary
from filmbot.tmdb.errors import TMDBUnavailable

OWNER, STRANGER = 111, 222


def interaction(user_id: int = OWNER, *, done: bool = False) -> Any:
    """A spec'd interaction whose response and follow-up record what the code does."""
    it = MagicMock(spec_set=discord.Interaction)
    it.user = MagicMock(spec_set=discord.Member)
    it.user.id = user_id
    it.response = create_autospec(discord.InteractionResponse, instance=True)
    it.response.is_done.return_value = done
    it.followup = create_autospec(discord.Webhook, instance=True)
    it.command = None
    return it


def title(tmdb_id: int, name: str) -> TitleSummary:
    return TitleSummary(
        TitleRef(MediaType.MOVIE, tmdb_id), name, 2024, "An overview.", None, 7.0, 9
    )


# ----- embeds ------------------------------------------------------------------------------


def test_clip_keeps_short_text_and_cuts_long_text_at_a_word_with_an_ellipsis() -> None:
    assert embeds.clip("Dune", 10) == "Dune"
    assert embeds.clip(None, 10) == ""
    cut = embeds.clip("the spice must flow " * 20, 50)
    assert len(cut) <= 50 and cut.endswith("…") and not cut.endswith(" …")


def test_new_embed_clips_title_and_description_and_credits_tmdb() -> None:
    embed = embeds.new_embed("T" * 300, description="D" * 5000)
    assert len(embed.title or "") == embeds.TITLE_LIMIT
    assert len(embed.description or "") == embeds.DESCRIPTION_LIMIT
    assert "TMDB" in (embed.footer.text or "")


def test_add_field_clips_skips_empty_values_and_stops_at_25() -> None:
    embed = embeds.new_embed("Fields")
    embeds.add_field(embed, "empty", "")
    for n in range(30):
        embeds.add_field(embed, "N" * 300, "V" * 2000)
    assert len(embed.fields) == embeds.FIELD_COUNT_LIMIT
    assert all(len(f.name or "") <= 256 and len(f.value or "") <= 1024 for f in embed.fields)


def test_fit_embed_brings_an_oversized_embed_under_6000_characters() -> None:
    embed = embeds.new_embed("Big", description="word " * 900)
    for n in range(10):
        embeds.add_field(embed, f"Field {n}", "x" * 1024)
    assert len(embed) > embeds.MESSAGE_TOTAL_LIMIT
    fitted = embeds.fit_embed(embed)
    assert len(fitted) <= embeds.MESSAGE_TOTAL_LIMIT
    assert fitted.fields and fitted.description


def test_fit_message_trims_several_embeds_to_the_message_limit() -> None:
    many = [embeds.new_embed(f"E{n}", description="z" * 4000) for n in range(3)]
    kept = embeds.fit_message(many)
    assert sum(len(e) for e in kept) <= embeds.MESSAGE_TOTAL_LIMIT
    assert len(kept) == 2


def test_stars_and_money_format_tmdb_numbers() -> None:
    assert embeds.stars(8.24, 12345) == "★ 8.2/10 (12,345 votes)"
    assert embeds.stars(0.0, 0) == "no votes yet"
    assert embeds.money(165_000_000) == "$165,000,000"
    assert embeds.money(0) is None


# ----- pagination --------------------------------------------------------------------------


async def render(page: int) -> discord.Embed:
    return discord.Embed(title=f"page {page + 1}")


def states(view: Paginator) -> dict[str, bool]:
    return {
        name: bool(getattr(view, name).disabled) for name in ("first", "previous", "next", "last")
    }


async def test_pagination_disables_backwards_on_the_first_page_and_forwards_on_the_last() -> None:
    view = Paginator(OWNER, 3, render)
    assert states(view) == {"first": True, "previous": True, "next": False, "last": False}
    assert view.counter.label == "1/3"
    it = interaction()
    await view.last.callback(it)
    assert states(view) == {"first": False, "previous": False, "next": True, "last": True}
    assert view.counter.label == "3/3"
    it.response.defer.assert_awaited_once()
    sent = it.edit_original_response.await_args.kwargs
    assert sent["embed"].title == "page 3" and sent["view"] is view
    await view.previous.callback(interaction())
    assert view.counter.label == "2/3" and not any(states(view).values())


async def test_pagination_never_goes_past_either_end() -> None:
    view = Paginator(OWNER, 2, render)
    await view.previous.callback(interaction())
    assert view.page == 0
    await view.next.callback(interaction())
    await view.next.callback(interaction())
    assert view.page == 1


async def test_pagination_refuses_anyone_but_the_member_who_ran_the_command() -> None:
    view = Paginator(OWNER, 3, render)
    other = interaction(STRANGER)
    assert await view.interaction_check(other) is False
    message = other.response.send_message.await_args
    assert message.kwargs == {"ephemeral": True}
    assert "Only the person who ran the command" in message.args[0]
    assert await view.interaction_check(interaction(OWNER)) is True


async def test_pagination_timeout_disables_every_button_and_edits_the_message() -> None:
    view = Paginator(OWNER, 3, render, timeout=0.01)
    view.message = create_autospec(discord.InteractionMessage, instance=True)
    await view.on_timeout()
    assert all(isinstance(i, discord.ui.Button) and i.disabled for i in view.children)
    view.message.edit.assert_awaited_once_with(view=view)


async def test_a_single_page_is_sent_without_buttons() -> None:
    it = interaction()
    await send_paginated(it, 1, render)
    assert "view" not in it.followup.send.await_args.kwargs
    it = interaction()
    await send_paginated(it, 4, render, ephemeral=True)
    kwargs = it.followup.send.await_args.kwargs
    assert isinstance(kwargs["view"], Paginator) and kwargs["ephemeral"] is True


# ----- title picker ------------------------------------------------------------------------


async def test_picker_offers_at_most_25_titles_labelled_with_year_and_type() -> None:
    choices = [title(n, f"Star Saga {n}") for n in range(1, 31)]
    picker = TitlePicker(OWNER, choices, AsyncMock())
    options = picker.menu.options
    assert len(options) == 25
    assert (options[0].label, options[0].value) == ("Star Saga 1 (2024) · Movie", "movie:1")


async def test_picker_runs_the_command_for_the_chosen_title() -> None:
    on_pick = AsyncMock()
    choices = [title(1, "Dune"), title(2, "Dune: Part Two")]
    picker = TitlePicker(OWNER, choices, on_pick)
    picker.menu._values = ["movie:2"]  # what discord.py stores from the component payload
    await picker.menu.callback(interaction())
    assert on_pick.await_args.args[1] == choices[1]
    assert picker.is_finished()


async def test_picker_shows_a_domain_error_in_place_of_the_menu() -> None:
    picker = TitlePicker(
        OWNER, [title(1, "A"), title(2, "B")], AsyncMock(side_effect=NotFoundError("gone"))
    )
    picker.menu._values = ["movie:1"]
    it = interaction()
    await picker.menu.callback(it)
    it.edit_original_response.assert_awaited_once_with(content="⚠️ gone", embed=None, view=None)


async def test_picker_refuses_other_members() -> None:
    picker = TitlePicker(OWNER, [title(1, "A"), title(2, "B")], AsyncMock())
    assert await picker.interaction_check(interaction(STRANGER)) is False


async def test_one_match_runs_at_once_and_several_offer_the_picker() -> None:
    on_pick = AsyncMock()
    it = interaction()
    await pick_or_run(it, [title(1, "Solo")], on_pick, "Which?")
    on_pick.assert_awaited_once()
    it.followup.send.assert_not_awaited()
    await pick_or_run(it, [title(1, "A"), title(2, "B")], on_pick, "Which?", ephemeral=True)
    kwargs = it.followup.send.await_args.kwargs
    assert isinstance(kwargs["view"], TitlePicker) and kwargs["ephemeral"] is True


# ----- errors ------------------------------------------------------------------------------


async def search(interaction: discord.Interaction) -> None:
    """Search."""


def invoke_error(original: Exception) -> app_commands.CommandInvokeError:
    command = app_commands.Command(name="search", description="Search", callback=search)
    return app_commands.CommandInvokeError(command, original)


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (NotFoundError("TMDB has no movie with id 9."), "⚠️ TMDB has no movie with id 9."),
        (LimitReachedError("Your watchlist is full (100)."), "⚠️ Your watchlist is full (100)."),
        (InvalidScoreError(), "⚠️ A rating must be a whole number from 1 to 10."),
        (InvalidInputError("Too long."), "⚠️ Too long."),
        (AlreadyExistsError("Already there."), "⚠️ Already there."),
        (PermissionDeniedError("Managers only."), "⚠️ Managers only."),
        (
            TMDBUnavailable("TMDB /movie/9 unavailable after 4 attempts: HTTP 503"),
            "⚠️ TMDB is unavailable right now; try again in a minute.",
        ),
    ],
)
def test_describe_error_turns_domain_errors_into_short_messages(
    error: FilmBotError, message: str
) -> None:
    assert describe_error(invoke_error(error)) == (message, True)


def test_describe_error_names_missing_permissions_as_discord_shows_them() -> None:
    error = app_commands.MissingPermissions(["manage_guild"])
    assert describe_error(error) == (
        "⛔ You need the Manage Server permission for this command.",
        True,
    )
    admin = describe_error(app_commands.MissingPermissions(["administrator"]))
    assert "Administrator" in admin[0]


def test_describe_error_covers_check_failures() -> None:
    assert describe_error(app_commands.NoPrivateMessage())[1] is True
    cooldown = app_commands.CommandOnCooldown(app_commands.Cooldown(1, 10.0), 4.2)
    assert describe_error(cooldown) == ("Slow down: try again in 4 s.", True)
    assert describe_error(app_commands.CheckFailure())[0].startswith("⛔")


def test_describe_error_leaves_unexpected_errors_to_the_logger() -> None:
    assert describe_error(invoke_error(RuntimeError("boom"))) == ("", False)


async def test_reply_error_answers_ephemerally_before_or_after_deferring() -> None:
    fresh = interaction()
    await reply_error(fresh, "nope")
    fresh.response.send_message.assert_awaited_once_with("nope", ephemeral=True)

    deferred = interaction(done=True)
    deferred.response.type = discord.InteractionResponseType.deferred_channel_message
    await reply_error(deferred, "nope")
    deferred.delete_original_response.assert_awaited_once()
    deferred.followup.send.assert_awaited_once_with("nope", ephemeral=True)

    picked = interaction(done=True)
    picked.response.type = discord.InteractionResponseType.deferred_message_update
    await reply_error(picked, "nope")
    picked.delete_original_response.assert_not_awaited()
    picked.followup.send.assert_awaited_once_with("nope", ephemeral=True)


async def test_reply_error_logs_discord_refusing_the_reply_instead_of_raising(
    caplog: pytest.LogCaptureFixture,
) -> None:
    it = interaction()
    refusal = discord.HTTPException(MagicMock(status=500, reason="Server Error"), "down")
    it.response.send_message.side_effect = refusal

    with caplog.at_level(logging.WARNING, logger="filmbot"):
        await reply_error(it, "nope")

    it.response.send_message.assert_awaited_once_with("nope", ephemeral=True)
    it.followup.send.assert_not_awaited()
    [record] = [r for r in caplog.records if "Could not tell the user" in r.getMessage()]
    assert record.levelno == logging.WARNING
    assert record.exc_info is not None and record.exc_info[1] is refusal


async def test_tree_logs_an_unexpected_error_with_the_id_it_shows(
    caplog: pytest.LogCaptureFixture,
) -> None:
    tree = FilmBotTree(discord.Client(intents=discord.Intents.none()))
    it = interaction()
    with caplog.at_level(logging.ERROR, logger="filmbot"):
        await tree.on_error(it, invoke_error(RuntimeError("boom")))
    shown = it.response.send_message.await_args.args[0]
    error_id = re.search(r"error id `([0-9a-f]{8})`", shown)
    assert error_id is not None
    record = next(r for r in caplog.records if error_id.group(1) in r.getMessage())
    assert record.exc_info is not None and "boom" in str(record.exc_info[1])


async def test_picker_timeout_disables_the_menu_and_says_so() -> None:
    picker = TitlePicker(OWNER, [title(1, "A"), title(2, "B")], AsyncMock())
    picker.message = create_autospec(discord.WebhookMessage, instance=True)
    await picker.on_timeout()
    assert picker.menu.disabled
    picker.message.edit.assert_awaited_once_with(
        content="The choice timed out; run the command again.", view=picker
    )


# ----- errors in buttons, menus and forms ----------------------------------------------------


async def test_view_callback_error_replies_with_an_error_id_that_is_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from filmbot.exts._ui.confirm import Confirm

    async def broken(_interaction: discord.Interaction) -> str:
        raise RuntimeError("database exploded")

    view = Confirm(OWNER, broken, confirm=("Do it", "t:do"), cancel=("No", "t:no"))
    it = interaction()
    with caplog.at_level("ERROR"):
        await view.on_error(it, RuntimeError("database exploded"), view.children[0])
    message = it.response.send_message.call_args.args[0]
    error_id = message.split("`")[1]
    assert "error id" in message and "database exploded" not in message
    assert any(error_id in record.getMessage() for record in caplog.records)
    assert it.response.send_message.call_args.kwargs["ephemeral"] is True


async def test_modal_domain_error_gets_the_short_domain_reply() -> None:
    from filmbot.domain.errors import LimitReachedError
    from filmbot.exts.watchlist._views import ReviewModal

    modal = ReviewModal(1, title(27205, "Inception"))
    it = interaction()
    await modal.on_error(it, LimitReachedError("Your watchlist is full (3 titles)."))
    it.response.send_message.assert_called_once_with(
        "⚠️ Your watchlist is full (3 titles).", ephemeral=True
    )


async def test_setup_wizard_timeout_disables_every_control_and_says_so() -> None:
    from filmbot.domain.models import Guild
    from filmbot.exts.admin._views import SetupWizard

    wizard = SetupWizard(OWNER, Guild(id=1))
    wizard.message = create_autospec(discord.InteractionMessage, instance=True)
    await wizard.on_timeout()
    assert wizard.children and all(getattr(item, "disabled", False) for item in wizard.children)
    content = wizard.message.edit.call_args.kwargs["content"]
    assert "timed out" in content
