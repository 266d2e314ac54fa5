"""Gateway websocket of the fake Discord: HELLO, IDENTIFY/READY, RESUME, heartbeats, dispatch."""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import zlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

if TYPE_CHECKING:
    from tests.fakes.discord_server import FakeDiscord
    from tests.fakes.discord_state import FakeGuild

log = logging.getLogger(__name__)

OP_DISPATCH = 0
OP_HEARTBEAT = 1
OP_IDENTIFY = 2
OP_PRESENCE = 3
OP_VOICE_STATE = 4
OP_RESUME = 6
OP_RECONNECT = 7
OP_REQUEST_MEMBERS = 8
OP_INVALID_SESSION = 9
OP_HELLO = 10
OP_HEARTBEAT_ACK = 11

CLOSE_AUTHENTICATION_FAILED = 4004


@dataclass
class GatewaySession:
    """One identified gateway session (survives reconnects through RESUME)."""

    session_id: str
    shard_id: int
    shard_count: int
    intents: int
    ws: web.WebSocketResponse
    seq: int = 0
    compressor: Any = None
    resumes: int = 0
    sent: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    ready: asyncio.Event = field(default_factory=asyncio.Event)

    def owns(self, guild_id: int) -> bool:
        """Tell whether ``guild_id`` belongs to this session's shard."""
        return (guild_id >> 22) % self.shard_count == self.shard_id

    @property
    def open(self) -> bool:
        """Tell whether the websocket is still connected."""
        return not self.ws.closed

    def guilds_created(self) -> list[int]:
        """Return the ids of the guilds this session was sent GUILD_CREATE for."""
        return [int(data["id"]) for event, data in self.sent if event == "GUILD_CREATE"]

    @property
    def compressed(self) -> bool:
        """Tell whether frames go out zlib-stream compressed."""
        return self.compressor is not None


class Gateway:
    """Serve gateway connections and dispatch events to the right shard."""

    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake
        self.sessions: dict[str, GatewaySession] = {}
        self.identify_payloads: list[dict[str, Any]] = []
        self.heartbeat_interval_ms = 41_250
        self.heartbeats = 0
        self.use_zlib = True  # False: answer zlib-stream requests with plain text frames anyway
        self._sockets: set[web.WebSocketResponse] = set()

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        """Run one websocket connection until it closes."""
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self._sockets.add(ws)
        compress = self.use_zlib and request.query.get("compress") == "zlib-stream"
        conn = _Connection(self, ws, zlib.compressobj() if compress else None)
        try:
            await conn.send(OP_HELLO, {"heartbeat_interval": self.heartbeat_interval_ms})
            async for msg in ws:
                if msg.type is not WSMsgType.TEXT:
                    continue
                await conn.on_payload(json.loads(msg.data))
        finally:
            self._sockets.discard(ws)
        return ws

    def sessions_for(self, guild_id: int | None) -> list[GatewaySession]:
        """Return the open sessions that should receive events of ``guild_id``."""
        live = [session for session in self.sessions.values() if session.open]
        if guild_id is None:
            return live
        return [session for session in live if session.owns(guild_id)]

    async def dispatch(self, event: str, data: dict[str, Any], guild_id: int | None) -> int:
        """Send a DISPATCH to the sessions owning ``guild_id``; return how many got it."""
        sessions = self.sessions_for(guild_id)
        for session in sessions:
            await send_dispatch(session, event, data)
        return len(sessions)

    async def wait_ready(self, count: int = 1, timeout: float = 10.0) -> list[GatewaySession]:
        """Wait until ``count`` sessions have been sent READY and their guilds."""

        async def poll() -> list[GatewaySession]:
            while True:
                ready = [s for s in self.sessions.values() if s.ready.is_set() and s.open]
                if len(ready) >= count:
                    return ready
                await asyncio.sleep(0.02)

        return await asyncio.wait_for(poll(), timeout)

    async def request_reconnect(self, guild_id: int | None = None) -> int:
        """Send op 7 RECONNECT so clients reconnect and RESUME; return how many got it."""
        sessions = self.sessions_for(guild_id)
        for session in sessions:
            payload = {"op": OP_RECONNECT, "d": None, "s": None, "t": None}
            await send_frame(session.ws, session.compressor, payload)
        return len(sessions)

    async def close_all(self, code: int = 1001) -> None:
        """Close every connected websocket."""
        for ws in list(self._sockets):
            await ws.close(code=code, message=b"fake discord shutting down")


async def send_frame(ws: web.WebSocketResponse, compressor: Any, payload: dict[str, Any]) -> None:
    """Send one gateway payload, zlib-stream compressed when negotiated."""
    text = json.dumps(payload)
    if ws.closed:
        return
    if compressor is None:
        await ws.send_str(text)
        return
    data = compressor.compress(text.encode()) + compressor.flush(zlib.Z_SYNC_FLUSH)
    await ws.send_bytes(data)


async def send_dispatch(session: GatewaySession, event: str, data: dict[str, Any]) -> None:
    """Send a sequenced DISPATCH event to ``session``."""
    session.seq += 1
    session.sent.append((event, data))
    payload = {"op": OP_DISPATCH, "t": event, "s": session.seq, "d": data}
    await send_frame(session.ws, session.compressor, payload)


class _Connection:
    """State of one websocket before and after it is bound to a session."""

    def __init__(self, gateway: Gateway, ws: web.WebSocketResponse, compressor: Any) -> None:
        self.gateway = gateway
        self.ws = ws
        self.compressor = compressor
        self.session: GatewaySession | None = None

    async def send(self, op: int, data: Any) -> None:
        await send_frame(self.ws, self.compressor, {"op": op, "d": data, "s": None, "t": None})

    async def on_payload(self, payload: dict[str, Any]) -> None:
        op = payload.get("op")
        data: Any = payload.get("d")
        if op == OP_HEARTBEAT:
            self.gateway.heartbeats += 1
            await self.send(OP_HEARTBEAT_ACK, None)
        elif op == OP_IDENTIFY:
            await self.identify(data)
        elif op == OP_RESUME:
            await self.resume(data)
        elif op == OP_REQUEST_MEMBERS and self.session is not None:
            await self.member_chunk(data)
        elif op not in (OP_PRESENCE, OP_VOICE_STATE):
            log.debug("fake gateway ignored op %s", op)

    async def identify(self, data: dict[str, Any]) -> None:
        fake = self.gateway.fake
        self.gateway.identify_payloads.append(data)
        if data.get("token") != fake.token:
            await self.ws.close(code=CLOSE_AUTHENTICATION_FAILED, message=b"Authentication failed.")
            return
        shard_id, shard_count = data.get("shard") or [0, 1]
        session = GatewaySession(
            session_id=secrets.token_hex(16),
            shard_id=shard_id,
            shard_count=shard_count,
            intents=int(data.get("intents", 0)),
            ws=self.ws,
            compressor=self.compressor,
        )
        self.session = session
        self.gateway.sessions[session.session_id] = session
        guilds = [g for g in fake.guilds.values() if session.owns(g.id)]
        await send_dispatch(session, "READY", fake.ready_payload(session, guilds))
        for guild in guilds:
            await send_dispatch(session, "GUILD_CREATE", guild.create_payload())
        session.ready.set()

    async def resume(self, data: dict[str, Any]) -> None:
        fake = self.gateway.fake
        session = self.gateway.sessions.get(str(data.get("session_id")))
        if session is None or data.get("token") != fake.token:
            await self.send(OP_INVALID_SESSION, False)
            return
        session.ws = self.ws
        session.compressor = self.compressor
        session.resumes += 1
        self.session = session
        await send_dispatch(session, "RESUMED", {})

    async def member_chunk(self, data: dict[str, Any]) -> None:
        assert self.session is not None
        guild: FakeGuild | None = self.gateway.fake.guilds.get(int(data["guild_id"]))
        members = [] if guild is None else list(guild.members.values())
        if user_ids := data.get("user_ids"):
            wanted = {int(uid) for uid in user_ids}
            members = [m for m in members if m.id in wanted]
        chunk = {
            "guild_id": str(data["guild_id"]),
            "members": [member.payload() for member in members],
            "chunk_index": 0,
            "chunk_count": 1,
            "not_found": [],
        }
        if nonce := data.get("nonce"):
            chunk["nonce"] = nonce
        await send_dispatch(self.session, "GUILD_MEMBERS_CHUNK", chunk)
