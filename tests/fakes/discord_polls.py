"""Polls on the fake Discord, as Discord documents them.

Creation (POST a message with a ``poll`` object) is validated with Discord's limits: question
text 1-300 characters, 1-10 answers of 1-55 characters, ``duration`` 1-768 hours,
``allow_multiselect`` a boolean; bad input is 400 Invalid Form Body (50035) naming the field,
and a bot without Send Polls in the channel gets 403 Missing Permissions (50013). Members vote
through :meth:`PollEndpoints.vote` (MESSAGE_POLL_VOTE_ADD goes to sessions with the Guild
Message Polls intent). A poll ends at its expiry, through POST
/channels/{id}/polls/{message_id}/expire, or through :meth:`PollEndpoints.end` (a test standing
in for time passing): its ``results.is_finalized`` becomes true with the final
``answer_counts``, and MESSAGE_UPDATE goes to sessions with the Guild Messages intent.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from aiohttp import web

from tests.fakes import discord_http as h
from tests.fakes.discord_state import FakeChannel, FakeGuild, FakeUser

if TYPE_CHECKING:
    from tests.fakes.discord_server import FakeDiscord

SEND_POLLS = 1 << 49
GUILD_MESSAGES_INTENT = 1 << 9
GUILD_MESSAGE_POLLS_INTENT = 1 << 24
QUESTION_MAX, ANSWER_TEXT_MAX, ANSWERS_MAX, DURATION_MAX_HOURS = 300, 55, 10, 768
POLL_EXPIRED = (400, "Poll expired", 520001)
NOT_A_POLL = (400, "Cannot expire a non-poll message", 520006)
NOT_YOURS = (403, "Cannot expire a poll of another user", 50013)


def form_error(path: list[str], code: str, message: str) -> web.Response:
    """400 Invalid Form Body with Discord's nested error tree at ``path``."""
    tree: dict[str, Any] = {"_errors": [{"code": code, "message": message}]}
    for key in reversed(path):
        tree = {key: tree}
    return h.json_response(
        {"message": "Invalid Form Body", "code": 50035, "errors": tree}, status=400
    )


def _length_error(path: list[str], low: int, high: int) -> web.Response:
    return form_error(path, "BASE_TYPE_BAD_LENGTH", f"Must be between {low} and {high} in length.")


def validate(poll: Any) -> web.Response | None:
    """Discord's checks of a poll create request; None when it is valid."""
    if not isinstance(poll, dict):
        return form_error(["poll"], "MODEL_TYPE_CONVERT", "Only dictionaries may be used.")
    question = (poll.get("question") or {}).get("text")
    if not isinstance(question, str) or not 1 <= len(question) <= QUESTION_MAX:
        return _length_error(["poll", "question", "text"], 1, QUESTION_MAX)
    answers = poll.get("answers")
    if not isinstance(answers, list) or not 1 <= len(answers) <= ANSWERS_MAX:
        return _length_error(["poll", "answers"], 1, ANSWERS_MAX)
    for index, answer in enumerate(answers):
        text = ((answer or {}).get("poll_media") or {}).get("text")
        if not isinstance(text, str) or not 1 <= len(text) <= ANSWER_TEXT_MAX:
            return _length_error(["poll", "answers", str(index), "poll_media", "text"], 1, 55)
    duration = poll.get("duration", 24)
    if not isinstance(duration, int | float) or not 1 <= duration <= DURATION_MAX_HOURS:
        return form_error(
            ["poll", "duration"],
            "NUMBER_TYPE_MAX" if isinstance(duration, int | float) else "NUMBER_TYPE_COERCE",
            f"int value should be between 1 and {DURATION_MAX_HOURS}.",
        )
    if not isinstance(poll.get("allow_multiselect", False), bool):
        return form_error(["poll", "allow_multiselect"], "BOOLEAN_TYPE_CONVERT", "Must be bool.")
    return None


@dataclass
class FakePoll:
    """One poll: its answers, votes and whether Discord finalised it."""

    message: dict[str, Any]
    question: str
    answers: list[str]
    expiry: datetime
    allow_multiselect: bool
    votes: dict[int, set[int]] = field(default_factory=dict)
    finalized: bool = False

    def counts(self) -> list[dict[str, Any]]:
        """The results' answer_counts (answers nobody voted for are left out, as on Discord)."""
        return [
            {"id": answer_id, "count": len(voters), "me_voted": False}
            for answer_id, voters in sorted(self.votes.items())
            if voters
        ]

    def payload(self) -> dict[str, Any]:
        """The message's ``poll`` object."""
        return {
            "question": {"text": self.question},
            "answers": [
                {"answer_id": n, "poll_media": {"text": text}}
                for n, text in enumerate(self.answers, start=1)
            ],
            "expiry": self.expiry.isoformat(),
            "allow_multiselect": self.allow_multiselect,
            "layout_type": 1,
            "results": {"is_finalized": self.finalized, "answer_counts": self.counts()},
        }

    def refresh(self) -> None:
        """Put the current state on the stored message."""
        self.message["poll"] = self.payload()


class PollEndpoints:
    """Create, vote on and end polls."""

    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake
        self.polls: dict[int, FakePoll] = {}
        self._timers: dict[int, asyncio.TimerHandle] = {}

    def add_routes(self, app: web.Application, p: str) -> None:
        """Register POST /channels/{channel_id}/polls/{message_id}/expire."""
        app.router.add_post(p + "/channels/{channel_id}/polls/{message_id}/expire", self._expire)

    def refuse(
        self, channel: FakeChannel, guild: FakeGuild | None, body: dict[str, Any]
    ) -> web.Response | None:
        """The error a message post with a poll gets, or None when Discord takes it."""
        if "poll" not in body:
            return None
        if guild is not None:
            bot = guild.members[self.fake.bot_user.id]
            if not guild.permissions_of(bot, channel) & SEND_POLLS:
                return h.error(*h.MISSING_PERMISSIONS)
        return validate(body["poll"])

    def attach(self, message: dict[str, Any], body: dict[str, Any]) -> None:
        """Give a just-built message the poll its post asked for, and arm its expiry."""
        spec = body.get("poll")
        if not isinstance(spec, dict):
            return
        hours = float(spec.get("duration", 24))
        poll = FakePoll(
            message,
            spec["question"]["text"],
            [a["poll_media"]["text"] for a in spec["answers"]],
            datetime.now(UTC) + timedelta(hours=hours),
            bool(spec.get("allow_multiselect", False)),
        )
        message_id = int(message["id"])
        self.polls[message_id] = poll
        poll.refresh()
        loop = asyncio.get_running_loop()
        self._timers[message_id] = loop.call_later(
            hours * 3600, lambda: asyncio.ensure_future(self.end(message_id))
        )

    async def vote(self, message_id: int, user: FakeUser, answer_id: int) -> None:
        """``user`` votes for an answer (a single-choice poll replaces their earlier vote)."""
        poll = self.polls[message_id]
        if poll.finalized:
            raise AssertionError("the poll has ended")
        if not 1 <= answer_id <= len(poll.answers):
            raise AssertionError(f"the poll has no answer {answer_id}")
        if not poll.allow_multiselect:
            for voters in poll.votes.values():
                voters.discard(user.id)
        poll.votes.setdefault(answer_id, set()).add(user.id)
        poll.refresh()
        event = {
            "user_id": str(user.id),
            "channel_id": poll.message["channel_id"],
            "message_id": str(message_id),
            "answer_id": answer_id,
        }
        if guild_id := poll.message.get("guild_id"):
            event["guild_id"] = guild_id
        await self._dispatch("MESSAGE_POLL_VOTE_ADD", event, GUILD_MESSAGE_POLLS_INTENT)

    async def end(self, message_id: int) -> dict[str, Any]:
        """End the poll now: finalise its results and tell the bots that may hear it."""
        poll = self.polls[message_id]
        if timer := self._timers.pop(message_id, None):
            timer.cancel()
        if poll.finalized:
            return poll.message
        poll.finalized = True
        poll.expiry = min(poll.expiry, datetime.now(UTC))
        poll.refresh()
        await self._dispatch("MESSAGE_UPDATE", dict(poll.message), GUILD_MESSAGES_INTENT)
        return poll.message

    def close(self) -> None:
        """Cancel the expiry timers."""
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()

    async def _dispatch(self, event: str, data: dict[str, Any], intent: int) -> None:
        from tests.fakes.discord_gateway import send_dispatch

        guild_id = data.get("guild_id")
        sessions = self.fake.gateway.sessions_for(int(guild_id) if guild_id else None)
        for session in sessions:
            if session.intents & intent:
                with contextlib.suppress(ConnectionError):
                    await send_dispatch(session, event, data)

    async def _expire(self, request: web.Request) -> web.Response:
        message = self.fake.messages.store.get(int(request.match_info["message_id"]))
        if message is None or message["channel_id"] != request.match_info["channel_id"]:
            return h.unknown("Message", 10008)
        poll = self.polls.get(int(message["id"]))
        if poll is None:
            return h.error(*NOT_A_POLL)
        if message["author"]["id"] != str(self.fake.bot_user.id):
            return h.error(*NOT_YOURS)
        if poll.finalized:
            return h.error(*POLL_EXPIRED)
        return h.json_response(await self.end(int(message["id"])))
