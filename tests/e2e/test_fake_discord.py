"""The fake Discord speaks well enough for the real, unmodified discord.py to run a bot on it."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import discord
import pytest
from discord import app_commands
from discord.ext import commands

from tests.fakes.discord_interactions import (
    AUTOCOMPLETE_RESULT,
    CHANNEL_MESSAGE,
    DEFERRED_CHANNEL_MESSAGE,
    MODAL,
    UPDATE_MESSAGE,
)
from tests.fakes.discord_records import CHANNEL_MESSAGE as CHANNEL_POST
from tests.fakes.discord_records import COMMANDS_SYNC
from tests.fakes.discord_server import FakeDiscord
from tests.fakes.discord_state import guild_id_for_shard
from tests.fakes.plugin_discord import FilmClub

pytestmark = [pytest.mark.timeout(60), pytest.mark.usefixtures("discord_endpoints")]


@dataclass
class Seen:
    """What the test bot's callbacks observed."""

    events: list[tuple[str, Any]] = field(default_factory=list)
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    def add(self, name: str, value: Any) -> None:
        self.events.append((name, value))
        self.changed.set()

    def values(self, name: str) -> list[Any]:
        return [value for event, value in self.events if event == name]

    async def wait(self, name: str, timeout: float = 5.0) -> Any:
        async def poll() -> Any:
            while not self.values(name):
                self.changed.clear()
                await self.changed.wait()
            return self.values(name)[-1]

        return await asyncio.wait_for(poll(), timeout)


class PingView(discord.ui.View):
    """A button, a string select and a channel select."""

    def __init__(self, seen: Seen) -> None:
        super().__init__(timeout=60)
        self.seen = seen

    @discord.ui.button(label="Again", custom_id="ping:again")
    async def again(self, interaction: discord.Interaction, button: discord.ui.Button[Any]) -> None:
        self.seen.add("button", interaction.user.id)
        await interaction.response.edit_message(content="clicked")

    @discord.ui.select(
        custom_id="ping:film",
        options=[
            discord.SelectOption(label="Dune", value="dune"),
            discord.SelectOption(label="Heat", value="heat"),
        ],
    )
    async def film(self, interaction: discord.Interaction, select: discord.ui.Select[Any]) -> None:
        self.seen.add("film", list(select.values))
        await interaction.response.send_message(f"picked {select.values[0]}", ephemeral=True)

    @discord.ui.select(cls=discord.ui.ChannelSelect, custom_id="ping:channel")
    async def channel(
        self, interaction: discord.Interaction, select: discord.ui.ChannelSelect[Any]
    ) -> None:
        self.seen.add("channel", [c.id for c in select.values])
        await interaction.response.defer()
        await interaction.edit_original_response(content=f"channel {select.values[0].name}")


class NoteModal(discord.ui.Modal, title="Note"):
    """A modal with an old-style text input row and a newer label-wrapped input."""

    note: discord.ui.TextInput[Any] = discord.ui.TextInput(label="Note", custom_id="note:text")
    mood: discord.ui.Label[Any] = discord.ui.Label(
        text="Mood", component=discord.ui.TextInput(custom_id="note:mood")
    )

    def __init__(self, seen: Seen) -> None:
        super().__init__()
        self.seen = seen

    async def on_submit(self, interaction: discord.Interaction) -> None:
        mood = self.mood.component
        assert isinstance(mood, discord.ui.TextInput)
        self.seen.add("modal", (self.note.value, mood.value))
        await interaction.response.send_message(f"noted {self.note.value} ({mood.value})")


def make_bot(seen: Seen) -> commands.AutoShardedBot:
    """Build a small bot with slash commands, views and a modal."""
    bot = commands.AutoShardedBot(
        command_prefix=commands.when_mentioned,
        intents=discord.Intents.default(),
        guild_ready_timeout=0.05,
        help_command=None,
    )

    @bot.tree.command(name="ping", description="Answer with pong")
    @app_commands.describe(text="What to echo")
    async def ping(interaction: discord.Interaction, text: str) -> None:
        seen.add("ping", text)
        await interaction.response.send_message(f"pong {text}", view=PingView(seen))

    @ping.autocomplete("text")
    async def ping_text(
        interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=f"{current} {n}", value=f"{current}{n}") for n in (1, 2)]

    @bot.tree.command(name="slow", description="Answer after thinking")
    async def slow(interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        await interaction.followup.send("slow pong", ephemeral=True)

    @bot.tree.command(name="note", description="Write a note")
    async def note(interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(NoteModal(seen))

    club = app_commands.Group(name="club", description="Club settings")

    @club.command(name="rename", description="Rename the club")
    @app_commands.checks.has_permissions(manage_guild=True)
    async def rename(
        interaction: discord.Interaction, name: str, channel: discord.TextChannel
    ) -> None:
        await interaction.response.send_message(f"renamed to {name} in {channel.name}")

    @rename.error
    async def rename_error(
        interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        text = (
            "You need Manage Server."
            if isinstance(error, app_commands.MissingPermissions)
            else repr(error)
        )
        await interaction.response.send_message(text, ephemeral=True)

    bot.tree.add_command(club)

    @bot.event
    async def on_ready() -> None:
        seen.ready.set()

    @bot.event
    async def on_guild_join(guild: discord.Guild) -> None:
        seen.add("join", guild.id)

    @bot.event
    async def on_guild_remove(guild: discord.Guild) -> None:
        seen.add("remove", guild.id)

    @bot.event
    async def on_shard_resumed(shard_id: int) -> None:
        seen.add("resumed", shard_id)

    return bot


@dataclass
class RunningBot:
    bot: commands.AutoShardedBot
    seen: Seen
    task: asyncio.Task[None]


async def start_bot(fake: FakeDiscord, token: str | None = None) -> RunningBot:
    """Start the test bot against ``fake`` and wait for READY."""
    seen = Seen()
    bot = make_bot(seen)
    task = asyncio.create_task(bot.start(token or fake.token))
    ready = asyncio.create_task(seen.ready.wait())
    await asyncio.wait({task, ready}, timeout=15, return_when=asyncio.FIRST_COMPLETED)
    if task.done():
        ready.cancel()
        task.result()
    assert seen.ready.is_set(), "the bot did not become ready"
    return RunningBot(bot, seen, task)


async def stop_bot(running: RunningBot) -> None:
    await running.bot.close()
    await asyncio.wait_for(running.task, 10)


@pytest.fixture
async def running(fake_discord: FakeDiscord) -> AsyncIterator[RunningBot]:
    running = await start_bot(fake_discord)
    await running.bot.tree.sync()
    try:
        yield running
    finally:
        await stop_bot(running)


async def test_bot_logs_in_and_receives_guild_from_ready_and_guild_create(
    running: RunningBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    bot = running.bot
    assert bot.user is not None and bot.user.id == fake_discord.application_id
    guild = bot.get_guild(film_club.guild.id)
    assert guild is not None and guild.name == "Film Club"
    assert {c.name for c in guild.text_channels} == {"announcements", "staff-only"}
    assert {r.name for r in guild.roles} >= {"@everyone", "Movie Fans", "FilmBot"}
    assert guild.me is not None and [r.name for r in guild.me.roles][1:] == ["FilmBot"]
    locked = guild.get_channel(film_club.locked.id)
    assert isinstance(locked, discord.TextChannel)
    assert not locked.permissions_for(guild.me).send_messages
    assert all(session.compressed for session in fake_discord.gateway.sessions.values())
    assert fake_discord.gateway.heartbeats >= 1 and bot.latency != float("inf")


async def test_plain_text_gateway_frames_are_accepted(
    fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    fake_discord.gateway.use_zlib = False
    running = await start_bot(fake_discord)
    try:
        assert running.bot.get_guild(film_club.guild.id) is not None
        assert not any(s.compressed for s in fake_discord.gateway.sessions.values())
    finally:
        await stop_bot(running)


async def test_tree_sync_bulk_overwrites_commands_and_keeps_their_ids(
    running: RunningBot, fake_discord: FakeDiscord
) -> None:
    initial = fake_discord.recorder.of_kind(COMMANDS_SYNC)[0].body["commands"]
    first = {c["name"]: int(c["id"]) for c in initial}
    synced = await running.bot.tree.sync()
    assert {c.name: c.id for c in synced} == first
    assert set(first) == {"ping", "slow", "note", "club"}
    fetched = await running.bot.tree.fetch_commands()
    assert {c.name: c.id for c in fetched} == first
    assert len(fake_discord.recorder.of_kind(COMMANDS_SYNC)) == 2


async def test_slash_command_reaches_callback_and_reply_is_recorded(
    running: RunningBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    reply = await fake_discord.slash(film_club.guild, film_club.member, "ping", text="Dune")
    assert running.seen.values("ping") == ["Dune"]
    assert reply.response_type == CHANNEL_MESSAGE
    assert reply.content == "pong Dune"
    assert not reply.ephemeral
    assert set(reply.custom_ids) == {"ping:again", "ping:film", "ping:channel"}


async def test_deferred_slash_command_is_answered_by_followup(
    running: RunningBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    reply = await fake_discord.slash(film_club.guild, film_club.member, "slow")
    assert reply.response_type == DEFERRED_CHANNEL_MESSAGE
    assert reply.deferred and reply.ephemeral
    assert reply.content == "slow pong"


async def test_autocomplete_returns_the_bots_choices(
    running: RunningBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    choices = await fake_discord.autocomplete(
        film_club.guild, film_club.member, "ping", "text", "Dun"
    )
    assert choices == [{"name": "Dun 1", "value": "Dun1"}, {"name": "Dun 2", "value": "Dun2"}]
    record = fake_discord.recorder.of_kind("interaction_response")[-1]
    assert record.response_type == AUTOCOMPLETE_RESULT


async def test_button_click_reaches_view_and_updates_the_message(
    running: RunningBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    reply = await fake_discord.slash(film_club.guild, film_club.member, "ping", text="x")
    clicked = await fake_discord.click(film_club.guild, film_club.admin, reply, "ping:again")
    assert running.seen.values("button") == [film_club.admin.id]
    assert clicked.response_type == UPDATE_MESSAGE
    assert clicked.content == "clicked"
    assert clicked.message is not None and clicked.message["id"] == reply.message["id"]  # type: ignore[index]


async def test_string_and_channel_selects_reach_view_callbacks(
    running: RunningBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    reply = await fake_discord.slash(film_club.guild, film_club.member, "ping", text="x")
    picked = await fake_discord.select(
        film_club.guild, film_club.member, reply, "ping:film", ["heat"]
    )
    assert running.seen.values("film") == [["heat"]]
    assert picked.content == "picked heat" and picked.ephemeral
    chosen = await fake_discord.select(
        film_club.guild, film_club.member, reply, "ping:channel", [film_club.announcements]
    )
    assert running.seen.values("channel") == [[film_club.announcements.id]]
    assert chosen.deferred and chosen.content == "channel announcements"


async def test_modal_submit_with_row_and_label_inputs_reaches_on_submit(
    running: RunningBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    opened = await fake_discord.slash(film_club.guild, film_club.member, "note")
    assert opened.response_type == MODAL and opened.modal is not None
    reply = await fake_discord.submit_modal(
        film_club.guild, film_club.member, opened, {"note:text": "great", "note:mood": "happy"}
    )
    assert running.seen.values("modal") == [("great", "happy")]
    assert reply.content == "noted great (happy)"


async def test_subcommand_permission_check_refuses_plain_member_and_allows_manager(
    running: RunningBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    club, target = film_club.guild, film_club.announcements
    refused = await fake_discord.slash(
        club, film_club.member, "club rename", name="Reels", channel=target
    )
    allowed = await fake_discord.slash(
        club, film_club.manager, "club rename", name="Reels", channel=target
    )
    by_admin = await fake_discord.slash(
        club, film_club.admin, "club rename", name="Reels", channel=target
    )
    assert refused.ephemeral and refused.content == "You need Manage Server."
    assert allowed.content == "renamed to Reels in announcements"
    assert by_admin.content == "renamed to Reels in announcements"


async def test_guild_command_sync_is_stored_per_guild_and_invocable(
    running: RunningBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    guild = discord.Object(film_club.guild.id)
    running.bot.tree.copy_global_to(guild=guild)
    synced = await running.bot.tree.sync(guild=guild)
    stored = fake_discord.guild_commands[film_club.guild.id]
    assert {c.id for c in synced} == {int(c["id"]) for c in stored}
    assert fake_discord.command_named("ping", film_club.guild.id) in stored
    reply = await fake_discord.slash(film_club.guild, film_club.member, "ping", text="guild")
    assert reply.interaction.payload["data"]["guild_id"] == str(film_club.guild.id)
    assert reply.content == "pong guild"


async def test_channel_send_records_allowed_mentions(
    running: RunningBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    channel = running.bot.get_channel(film_club.announcements.id)
    assert isinstance(channel, discord.TextChannel)
    mentions = discord.AllowedMentions(
        everyone=False, users=False, roles=[discord.Object(film_club.movie_fans.id)]
    )
    sent = await channel.send(
        f"{film_club.movie_fans.mention} Dune is out", allowed_mentions=mentions
    )
    record = fake_discord.recorder.of_kind(CHANNEL_POST)[-1]
    assert record.message is not None and int(record.message["id"]) == sent.id
    assert record.allowed_mentions == {
        "parse": [],
        "roles": [film_club.movie_fans.id],
        "replied_user": True,
    }
    assert sent.role_mentions[0].id == film_club.movie_fans.id


async def test_rate_limited_channel_send_is_retried_and_delivered_once(
    running: RunningBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    fault = fake_discord.rate_limit_channel_posts(times=1, retry_after=0.2)
    channel = running.bot.get_channel(film_club.announcements.id)
    assert isinstance(channel, discord.TextChannel)
    since = fake_discord.recorder.mark()
    sending = asyncio.create_task(channel.send("after the limit"))
    record = await fake_discord.next_channel_message(film_club.announcements, since=since)
    sent = await sending
    assert record.content == "after the limit" and int(record.message["id"]) == sent.id  # type: ignore[index]
    assert fault.hits == 1
    posts = [
        e
        for e in fake_discord.recorder.requests
        if e.method == "POST" and e.path.endswith("/messages")
    ]
    assert [e.status for e in posts] == [429, 200]
    delivered = [
        r for r in fake_discord.recorder.of_kind(CHANNEL_POST) if r.content == "after the limit"
    ]
    assert len(delivered) == 1


async def test_enforced_nonce_returns_the_earlier_message_instead_of_a_second_one(
    running: RunningBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    channel = running.bot.get_channel(film_club.announcements.id)
    assert isinstance(channel, discord.TextChannel)
    first = await channel.send("Dune is out", nonce="fb-123")
    again = await channel.send("Dune is out (resent)", nonce="fb-123")
    other = await channel.send("Dune is out", nonce="fb-124")
    assert again.id == first.id and again.content == "Dune is out"
    assert other.id != first.id
    posts = [r for r in fake_discord.recorder.of_kind(CHANNEL_POST) if r.body.get("nonce")]
    assert [r.body["nonce"] for r in posts] == ["fb-123", "fb-124"]
    assert all(r.body["enforce_nonce"] is True for r in posts)
    fake_discord.messages.nonce_window = 0.0
    later = await channel.send("Dune is out", nonce="fb-123")
    assert later.id != first.id


async def test_a_nonce_longer_than_25_characters_is_an_invalid_form_body(
    running: RunningBot, film_club: FilmClub
) -> None:
    channel = running.bot.get_channel(film_club.announcements.id)
    assert isinstance(channel, discord.TextChannel)
    with pytest.raises(discord.HTTPException) as refused:
        await channel.send("too long", nonce="n" * 26)
    assert refused.value.status == 400 and refused.value.code == 50035


async def test_file_upload_edit_and_delete_are_recorded(
    running: RunningBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    channel = running.bot.get_channel(film_club.announcements.id)
    assert isinstance(channel, discord.TextChannel)
    poster = discord.File(io.BytesIO(b"not really a png"), filename="poster.png")
    sent = await channel.send("poster", file=poster)
    assert [(a.filename, a.size) for a in sent.attachments] == [("poster.png", 16)]
    edited = await sent.edit(content="poster (edited)")
    assert edited.content == "poster (edited)" and edited.edited_at is not None
    await edited.delete()
    kinds = [
        r.kind
        for r in fake_discord.recorder.records
        if r.message and r.message["id"] == str(sent.id)
    ]
    assert kinds == ["channel_message", "message_edit", "message_delete"]
    with pytest.raises(discord.NotFound):
        await channel.fetch_message(sent.id)


async def test_unknown_channel_raises_not_found_and_locked_channel_forbidden(
    running: RunningBot, film_club: FilmClub
) -> None:
    with pytest.raises(discord.NotFound) as missing:
        await running.bot.get_partial_messageable(123456789).send("hello?")
    assert missing.value.code == 10003
    locked = running.bot.get_channel(film_club.locked.id)
    assert isinstance(locked, discord.TextChannel)
    with pytest.raises(discord.Forbidden) as forbidden:
        await locked.send("let me in")
    assert forbidden.value.code == 50013


async def test_direct_message_reaches_dm_channel(
    running: RunningBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    user = await running.bot.fetch_user(film_club.member.id)
    await user.send("your film is out")
    record = fake_discord.recorder.of_kind(CHANNEL_POST)[-1]
    assert record.channel_id in fake_discord.dm_channels and record.content == "your film is out"


async def test_direct_message_to_user_with_closed_dms_is_forbidden(
    running: RunningBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    fake_discord.close_dms(film_club.member)
    user = await running.bot.fetch_user(film_club.member.id)
    with pytest.raises(discord.Forbidden) as refused:
        await user.send("your film is out")
    assert refused.value.code == 50007


async def test_guild_join_and_removal_reach_the_bot(
    running: RunningBot, fake_discord: FakeDiscord
) -> None:
    new_guild = fake_discord.add_guild("Cinema Society")
    new_guild.add_channel("general")
    assert await fake_discord.join_guild(new_guild) == 1
    assert await running.seen.wait("join") == new_guild.id
    assert running.bot.get_guild(new_guild.id) is not None
    await fake_discord.remove_guild(new_guild.id)
    assert await running.seen.wait("remove") == new_guild.id
    assert running.bot.get_guild(new_guild.id) is None


async def test_reconnect_request_leads_to_resume(
    running: RunningBot, fake_discord: FakeDiscord
) -> None:
    assert await fake_discord.gateway.request_reconnect() == 1
    assert await running.seen.wait("resumed") == 0
    assert [s.resumes for s in fake_discord.gateway.sessions.values()] == [1]


async def test_wrong_token_fails_login(fake_discord: FakeDiscord) -> None:
    bot = make_bot(Seen())
    with pytest.raises(discord.LoginFailure):
        await bot.start("not-the-token")
    await bot.close()
    assert not fake_discord.gateway.sessions


async def test_two_shards_each_receive_only_their_guilds(
    fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    fake_discord.shard_count = 2
    home_shard = (film_club.guild.id >> 22) % 2
    other_id = guild_id_for_shard(1 - home_shard, 2)
    fake_discord.add_guild("Cinema Society", guild_id=other_id).add_channel("general")
    running = await start_bot(fake_discord)
    try:
        assert running.bot.shard_count == 2
        sessions = {s.shard_id: s for s in fake_discord.gateway.sessions.values()}
        assert sorted(sessions) == [0, 1]
        assert running.bot.get_guild(film_club.guild.id).shard_id == home_shard  # type: ignore[union-attr]
        assert running.bot.get_guild(other_id).shard_id == 1 - home_shard  # type: ignore[union-attr]
        assert sessions[home_shard].guilds_created() == [film_club.guild.id]
        assert sessions[1 - home_shard].guilds_created() == [other_id]
    finally:
        await stop_bot(running)


async def test_bot_closes_cleanly(fake_discord: FakeDiscord) -> None:
    running = await start_bot(fake_discord)
    await stop_bot(running)
    assert running.bot.is_closed()
    assert running.task.exception() is None
    await asyncio.sleep(0)
    assert not any(s.open for s in fake_discord.gateway.sessions.values())
