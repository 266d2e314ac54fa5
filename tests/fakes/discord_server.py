"""A fake Discord (REST + gateway on 127.0.0.1) that the real discord.py client can log into."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from tests.fakes import discord_http as h
from tests.fakes.discord_dms import dm_channel
from tests.fakes.discord_driver import InteractionDriver
from tests.fakes.discord_events import EventEndpoints
from tests.fakes.discord_gateway import Gateway
from tests.fakes.discord_interactions import InteractionEndpoints
from tests.fakes.discord_messages import MessageEndpoints
from tests.fakes.discord_polls import PollEndpoints
from tests.fakes.discord_records import COMMANDS_SYNC, DM_OPEN, Record, Recorder, RequestLogEntry
from tests.fakes.discord_state import (
    BOT_ROLE_DEFAULT,
    FakeChannel,
    FakeGuild,
    FakeUser,
    SnowflakeFactory,
)

log = logging.getLogger(__name__)

API_PREFIX = "/api/v10"
DEFAULT_TOKEN = "fake-bot-token.FilmBot.e2e"
DEFAULT_APPLICATION_ID = 1_200_000_000_000_000_001
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
_UNAUTHENTICATED = re.compile(r"/(interactions|webhooks|attachments)/.*|/gateway")


class FakeDiscord(InteractionDriver):
    """Discord's REST API and gateway, served on 127.0.0.1 for end-to-end tests."""

    def __init__(
        self,
        *,
        token: str = DEFAULT_TOKEN,
        shard_count: int = 1,
        application_id: int = DEFAULT_APPLICATION_ID,
        bot_name: str = "FilmBot",
    ) -> None:
        self.snowflake = SnowflakeFactory()
        self.token = token
        self.shard_count = shard_count
        self.application_id = application_id
        self.bot_user = FakeUser(application_id, bot_name, bot=True)
        self.users: dict[int, FakeUser] = {self.bot_user.id: self.bot_user}
        self.guilds: dict[int, FakeGuild] = {}
        self.dm_channels: dict[int, FakeChannel] = {}
        self.global_commands: list[dict[str, Any]] = []
        self.guild_commands: dict[int, list[dict[str, Any]]] = {}
        self.recorder = Recorder()
        self.faults: list[h.Fault] = []
        self.delays: list[h.Delay] = []
        self.gateway = Gateway(self)
        self.messages = MessageEndpoints(self)
        self.interactions = InteractionEndpoints(self)
        self.polls = PollEndpoints(self)
        self.scheduled_events = EventEndpoints(self)
        self.port = 0
        self._runner: web.AppRunner | None = None

    # ----- lifecycle -------------------------------------------------------------------

    async def start(self) -> None:
        """Listen on a free port of 127.0.0.1."""
        app = web.Application(middlewares=[self._middleware])
        self._add_routes(app)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def close(self) -> None:
        """Disconnect every client and stop listening."""
        self.polls.close()
        await self.gateway.close_all()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def api_base_url(self) -> str:
        """Return the REST base URL to put in ``discord.http.Route.BASE``."""
        return f"http://127.0.0.1:{self.port}{API_PREFIX}"

    @property
    def gateway_url(self) -> str:
        """Return the gateway URL to put in ``DiscordWebSocket.DEFAULT_GATEWAY``."""
        return f"ws://127.0.0.1:{self.port}/gateway"

    def settings_env(self) -> dict[str, str]:
        """Return the FilmBot settings (environment variables) that point a bot at this fake."""
        return {
            "DISCORD_TOKEN": self.token,
            "DISCORD_API_BASE_URL": self.api_base_url,
            "DISCORD_GATEWAY_URL": self.gateway_url,
        }

    # ----- world set-up ----------------------------------------------------------------

    def add_user(self, username: str, *, bot: bool = False) -> FakeUser:
        """Create a user account."""
        user = FakeUser(self.snowflake(), username, bot=bot, global_name=username.title())
        self.users[user.id] = user
        return user

    def add_guild(
        self, name: str, *, guild_id: int | None = None, owner: FakeUser | None = None
    ) -> FakeGuild:
        """Create a guild the bot is a member of (with its managed bot role)."""
        owner = owner or self.add_user(f"{name.lower().replace(' ', '')}-owner")
        guild = FakeGuild(guild_id or self.snowflake(), name, owner.id, self.snowflake)
        guild.add_member(owner)
        bot_role = guild.add_role(self.bot_user.username, BOT_ROLE_DEFAULT, managed=True)
        guild.add_member(self.bot_user, [bot_role])
        self.guilds[guild.id] = guild
        return guild

    async def join_guild(self, guild: FakeGuild) -> int:
        """Add the bot to ``guild`` at run time (GUILD_CREATE); return how many shards got it."""
        self.guilds[guild.id] = guild
        payload = guild.create_payload(joined=True)
        return await self.gateway.dispatch("GUILD_CREATE", payload, guild.id)

    async def remove_guild(self, guild_id: int) -> int:
        """Remove the bot from a guild (GUILD_DELETE); return how many shards got it."""
        self.guilds.pop(guild_id, None)
        return await self.gateway.dispatch("GUILD_DELETE", {"id": str(guild_id)}, guild_id)

    async def dispatch(self, event: str, data: dict[str, Any], guild_id: int | None = None) -> int:
        """Send any gateway event to the shards owning ``guild_id`` (all when None)."""
        return await self.gateway.dispatch(event, data, guild_id)

    async def wait_ready(self, shards: int = 1, timeout: float = 10.0) -> None:
        """Wait until ``shards`` gateway sessions got READY and their guilds."""
        await self.gateway.wait_ready(shards, timeout)

    def close_dms(self, user: FakeUser) -> None:
        """Make DMs to ``user`` fail with 403 "Cannot send messages to this user"."""
        self.messages.closed_dms.add(user.id)

    def find_channel(self, channel_id: int) -> tuple[FakeChannel | None, FakeGuild | None]:
        """Return a channel and its guild (None for DMs) by id."""
        for guild in self.guilds.values():
            if channel_id in guild.channels:
                return guild.channels[channel_id], guild
        return self.dm_channels.get(channel_id), None

    # ----- fault injection ---------------------------------------------------------------

    def rate_limit_channel_posts(
        self, times: int = 1, *, retry_after: float = 0.2, is_global: bool = False
    ) -> h.Fault:
        """Answer the next ``times`` channel-message POSTs with 429."""
        fault = h.rate_limit_fault(
            "POST",
            r"/channels/\d+/messages",
            times=times,
            retry_after=retry_after,
            is_global=is_global,
        )
        self.faults.append(fault)
        return fault

    def inject_error(
        self,
        method: str,
        path_pattern: str,
        status: int,
        message: str,
        code: int = 0,
        times: int = 1,
    ) -> h.Fault:
        """Answer the next ``times`` requests matching the regex ``path_pattern`` with an error."""
        fault = h.Fault(
            method, path_pattern, status, {"message": message, "code": code}, times=times
        )
        self.faults.append(fault)
        return fault

    def delay(self, method: str, path_pattern: str, seconds: float, times: int = 1) -> h.Delay:
        """Answer the next ``times`` requests matching ``path_pattern`` ``seconds`` late (the
        request is carried out either way, as on a slow network)."""
        delay = h.Delay(method, path_pattern, seconds, times=times)
        self.delays.append(delay)
        return delay

    # ----- HTTP -------------------------------------------------------------------------

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        path = request.path.removeprefix(API_PREFIX)
        response = await self._answer(request, handler, path)
        self.recorder.requests.append(RequestLogEntry(request.method, path, response.status))
        return response

    async def _answer(
        self, request: web.Request, handler: Handler, path: str
    ) -> web.StreamResponse:
        authorized = request.headers.get("Authorization") == f"Bot {self.token}"
        if not authorized and not _UNAUTHENTICATED.fullmatch(path):
            return h.error(*h.UNAUTHORIZED)
        for fault in self.faults:
            if fault.matches(request.method, path):
                return fault.respond()
        late = sum(delay.take(request.method, path) for delay in self.delays)
        try:
            response = await handler(request)
        except web.HTTPNotFound:
            log.warning("fake discord has no route for %s %s", request.method, path)
            return h.error(404, "404: Not Found", 0)
        except web.HTTPMethodNotAllowed:
            return h.error(405, "405: Method Not Allowed", 0)
        if late:
            await asyncio.sleep(late)
        return response

    def _add_routes(self, app: web.Application) -> None:
        p = API_PREFIX
        app.router.add_get("/gateway", self.gateway.handle)
        app.router.add_get(p + "/gateway", self._get_gateway)
        app.router.add_get(p + "/gateway/bot", self._get_gateway_bot)
        app.router.add_get(p + "/users/@me", self._get_me)
        app.router.add_get(p + "/oauth2/applications/@me", self._get_application)
        app.router.add_post(p + "/users/@me/channels", self._open_dm)
        app.router.add_delete(p + "/users/@me/guilds/{guild_id}", self._leave_guild)
        app.router.add_get(p + "/users/{user_id}", self._get_user)
        app.router.add_get(p + "/applications/{app_id}/commands", self._get_commands)
        app.router.add_put(p + "/applications/{app_id}/commands", self._put_commands)
        cmds = p + "/applications/{app_id}/guilds/{guild_id}/commands"
        app.router.add_get(cmds, self._get_commands)
        app.router.add_put(cmds, self._put_commands)
        self.messages.add_routes(app, p)
        self.interactions.add_routes(app, p)
        self.polls.add_routes(app, p)
        self.scheduled_events.add_routes(app, p)

    async def _get_gateway(self, request: web.Request) -> web.Response:
        return h.json_response({"url": self.gateway_url})

    async def _get_gateway_bot(self, request: web.Request) -> web.Response:
        limit = {"total": 1000, "remaining": 999, "reset_after": 14_400_000, "max_concurrency": 1}
        return h.json_response(
            {"url": self.gateway_url, "shards": self.shard_count, "session_start_limit": limit}
        )

    async def _get_me(self, request: web.Request) -> web.Response:
        data = self.bot_user.payload() | {"verified": True, "mfa_enabled": False, "locale": "en-US"}
        return h.json_response(data)

    async def _get_application(self, request: web.Request) -> web.Response:
        return h.json_response(self.application_payload())

    async def _get_user(self, request: web.Request) -> web.Response:
        user = self.users.get(int(request.match_info["user_id"]))
        return h.unknown("User", 10013) if user is None else h.json_response(user.payload())

    async def _open_dm(self, request: web.Request) -> web.Response:
        body, _ = await h.read_body(request)
        user = self.users.get(int(body.get("recipient_id", 0)))
        if user is None:
            return h.unknown("User", 10013)
        channel = dm_channel(self, user)
        self.recorder.add(Record(DM_OPEN, body=body, channel_id=channel.id))
        return h.json_response(channel.payload())

    async def _leave_guild(self, request: web.Request) -> web.Response:
        guild_id = int(request.match_info["guild_id"])
        if guild_id not in self.guilds:
            return h.unknown("Guild", 10004)
        await self.remove_guild(guild_id)
        return h.no_content()

    def _command_store(self, request: web.Request) -> list[dict[str, Any]] | None:
        if int(request.match_info["app_id"]) != self.application_id:
            return None
        if "guild_id" not in request.match_info:
            return self.global_commands
        return self.guild_commands.setdefault(int(request.match_info["guild_id"]), [])

    async def _get_commands(self, request: web.Request) -> web.Response:
        store = self._command_store(request)
        return h.unknown("Application", 10002) if store is None else h.json_response(store)

    async def _put_commands(self, request: web.Request) -> web.Response:
        store = self._command_store(request)
        if store is None:
            return h.unknown("Application", 10002)
        guild_id = request.match_info.get("guild_id")
        previous = {(c["name"], c.get("type", 1)): c["id"] for c in store}
        fresh = [self._stored_command(c, previous, guild_id) for c in await h.read_list(request)]
        store[:] = fresh
        self.recorder.add(Record(COMMANDS_SYNC, body={"commands": fresh, "guild_id": guild_id}))
        return h.json_response(fresh)

    def _stored_command(
        self, command: dict[str, Any], previous: dict[tuple[str, int], str], guild_id: str | None
    ) -> dict[str, Any]:
        kind = int(command.get("type", 1))
        stored = {
            "description": "",
            "options": [],
            "default_member_permissions": None,
            "dm_permission": True,
            "nsfw": False,
            "contexts": None,
            "integration_types": [0],
            **command,
            "id": previous.get((command["name"], kind)) or str(self.snowflake()),
            "application_id": str(self.application_id),
            "version": str(self.snowflake()),
            "type": kind,
        }
        if guild_id is not None:
            stored["guild_id"] = guild_id
        return stored

    def command_named(self, name: str, guild_id: int | None = None) -> dict[str, Any]:
        """Return the registered command ``name`` (guild commands first)."""
        candidates = self.guild_commands.get(guild_id or 0, []) + self.global_commands
        for command in candidates:
            if command["name"] == name and command.get("type", 1) == 1:
                return command
        known = [c["name"] for c in candidates]
        raise AssertionError(f"command {name!r} is not registered; registered: {known}")

    def application_payload(self) -> dict[str, Any]:
        """Return the application object of the bot."""
        return {
            "id": str(self.application_id),
            "name": self.bot_user.username,
            "icon": None,
            "description": "",
            "summary": "",
            "type": None,
            "rpc_origins": [],
            "bot_public": False,
            "bot_require_code_grant": False,
            "bot": self.bot_user.payload(),
            "owner": self.bot_user.payload() | {"id": "1", "username": "owner", "bot": False},
            "team": None,
            "verify_key": "0" * 64,
            "flags": 0,
            "tags": [],
            "redirect_uris": [],
            "interactions_endpoint_url": None,
            "role_connections_verification_url": None,
            "approximate_guild_count": len(self.guilds),
            "integration_types_config": {"0": {}},
        }

    def ready_payload(self, session: Any, guilds: list[FakeGuild]) -> dict[str, Any]:
        """Return the READY event body for one gateway session."""
        return {
            "v": 10,
            "user": self.bot_user.payload() | {"verified": True, "mfa_enabled": False},
            "guilds": [{"id": str(g.id), "unavailable": True} for g in guilds],
            "session_id": session.session_id,
            "session_type": "normal",
            "resume_gateway_url": self.gateway_url,
            "shard": [session.shard_id, session.shard_count],
            "application": {"id": str(self.application_id), "flags": 0},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": ["fake"],
            "_trace": ['["fake-discord",{"micros":0}]'],
        }
