"""High-level test driver: send interactions to the bot and wait for what it answers."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

from tests.fakes.discord_interactions import (
    DEFERRED_CHANNEL_MESSAGE,
    DEFERRED_UPDATE_MESSAGE,
    FakeInteraction,
)
from tests.fakes.discord_records import (
    FOLLOWUP,
    INTERACTION_RESPONSE,
    MESSAGE_EDIT,
    ORIGINAL_EDIT,
    Record,
)
from tests.fakes.discord_replies import InteractionReply, as_message, find_component
from tests.fakes.discord_state import FakeChannel, FakeGuild, FakeMember, FakeUser

if TYPE_CHECKING:
    from tests.fakes.discord_server import FakeDiscord

# Interaction types.
APPLICATION_COMMAND = 2
MESSAGE_COMPONENT = 3
AUTOCOMPLETE = 4
MODAL_SUBMIT = 5

SUBCOMMAND, SUBCOMMAND_GROUP = 1, 2
USER_OPTION, CHANNEL_OPTION, ROLE_OPTION, MENTIONABLE_OPTION = 6, 7, 8, 9
USER_SELECT, ROLE_SELECT, MENTIONABLE_SELECT, CHANNEL_SELECT = 5, 6, 7, 8
INT_OPTION, BOOL_OPTION, NUMBER_OPTION, ATTACHMENT_OPTION = 4, 5, 10, 11
LABEL, TEXT_INPUT, ACTION_ROW = 18, 4, 1
RADIO_GROUP, CHECKBOX = 21, 23


class InteractionDriver:
    """Build interactions, dispatch them through the gateway and collect the bot's answers."""

    def _fake(self) -> FakeDiscord:
        """Return the fake this driver is mixed into."""
        return self  # type: ignore[return-value]

    # ----- public API -------------------------------------------------------------------

    async def slash(
        self,
        guild: FakeGuild,
        user: FakeUser | FakeMember,
        name: str,
        /,
        *,
        in_channel: FakeChannel | None = None,
        options: dict[str, Any] | None = None,
        timeout: float = 5.0,
        follow_deferred: bool = True,
        **kwargs: Any,
    ) -> InteractionReply:
        """Invoke ``/name`` (``"group sub"`` for subcommands) and return the bot's answer.

        Options go in as keywords (or ``options`` for names that clash with these parameters);
        ``in_channel`` is where the command is used (default: the guild's first channel).
        """
        data = self._command_data(guild, name, {**(options or {}), **kwargs}, focused=None)
        return await self._run(
            guild, user, APPLICATION_COMMAND, data, in_channel, None, timeout, follow_deferred
        )

    async def autocomplete(
        self,
        guild: FakeGuild,
        user: FakeUser | FakeMember,
        name: str,
        option: str,
        partial: str,
        /,
        *,
        in_channel: FakeChannel | None = None,
        timeout: float = 5.0,
        **other_options: Any,
    ) -> list[dict[str, Any]]:
        """Type ``partial`` into ``option`` of ``/name`` and return the offered choices."""
        values = {**other_options, option: partial}
        data = self._command_data(guild, name, values, focused=option)
        reply = await self._run(guild, user, AUTOCOMPLETE, data, in_channel, None, timeout, False)
        return reply.choices or []

    async def click(
        self,
        guild: FakeGuild,
        user: FakeUser | FakeMember,
        message: Any,
        custom_id: str,
        /,
        *,
        timeout: float = 5.0,
        follow_deferred: bool = True,
    ) -> InteractionReply:
        """Press the button ``custom_id`` on ``message``."""
        msg = as_message(message)
        component = find_component(msg.get("components") or [], custom_id)
        data = {"custom_id": custom_id, "component_type": component["type"]}
        return await self._run(
            guild, user, MESSAGE_COMPONENT, data, None, msg, timeout, follow_deferred
        )

    async def select(
        self,
        guild: FakeGuild,
        user: FakeUser | FakeMember,
        message: Any,
        custom_id: str,
        values: list[Any],
        /,
        *,
        timeout: float = 5.0,
        follow_deferred: bool = True,
    ) -> InteractionReply:
        """Pick ``values`` (strings, or channels/roles/users for entity selects) in a select."""
        msg = as_message(message)
        component = find_component(msg.get("components") or [], custom_id)
        kind = int(component["type"])
        resolved: dict[str, Any] = {}
        raw = [self._resolve(guild, kind, value, resolved) for value in values]
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": kind, "values": raw}
        if resolved:
            data["resolved"] = resolved
        return await self._run(
            guild, user, MESSAGE_COMPONENT, data, None, msg, timeout, follow_deferred
        )

    async def submit_modal(
        self,
        guild: FakeGuild,
        user: FakeUser | FakeMember,
        modal: Any,
        values: dict[str, Any],
        /,
        *,
        message: Any = None,
        timeout: float = 5.0,
        follow_deferred: bool = True,
    ) -> InteractionReply:
        """Fill the modal the bot opened with ``values`` (by custom_id) and submit it."""
        modal_data = modal.modal if isinstance(modal, InteractionReply) else modal
        if not modal_data:
            raise AssertionError(f"{modal!r} is not a modal the bot opened")
        resolved: dict[str, Any] = {}
        components = self._modal_components(guild, modal_data["components"], values, resolved)
        data: dict[str, Any] = {"custom_id": modal_data["custom_id"], "components": components}
        if resolved:
            data["resolved"] = resolved
        msg = None if message is None else as_message(message)
        return await self._run(guild, user, MODAL_SUBMIT, data, None, msg, timeout, follow_deferred)

    async def wait_for(self, predicate: Any, *, since: int = 0, timeout: float = 5.0) -> Record:
        """Wait for the first record from ``since`` on matching ``predicate``."""
        return await self._fake().recorder.wait_for(predicate, since=since, timeout=timeout)

    async def next_channel_message(
        self, channel: FakeChannel | int, *, since: int | None = None, timeout: float = 5.0
    ) -> Record:
        """Wait for the next message the bot posts in ``channel``."""
        channel_id = channel.id if isinstance(channel, FakeChannel) else channel
        recorder = self._fake().recorder
        return await recorder.wait_for(
            lambda r: r.kind == "channel_message" and r.channel_id == channel_id,
            since=recorder.mark() if since is None else since,
            timeout=timeout,
        )

    # ----- interaction plumbing -----------------------------------------------------------

    async def _run(
        self,
        guild: FakeGuild,
        user: FakeUser | FakeMember,
        kind: int,
        data: dict[str, Any],
        channel: FakeChannel | None,
        message: dict[str, Any] | None,
        timeout: float,
        follow_deferred: bool,
    ) -> InteractionReply:
        fake = self._fake()
        if channel is None and message is not None:
            channel, _ = fake.find_channel(int(message["channel_id"]))
        channel = channel or next(iter(guild.channels.values()))
        member = self._member(guild, user)
        it = self._interaction(guild, member, kind, data, channel, message)
        since = fake.recorder.mark()
        fake.interactions.register(it)
        if not await fake.gateway.dispatch("INTERACTION_CREATE", it.payload, guild.id):
            raise AssertionError("no gateway session owns this guild; is the bot connected?")
        response = await fake.recorder.wait_for(
            lambda r: r.kind == INTERACTION_RESPONSE and r.interaction_id == it.id,
            since=since,
            timeout=timeout,
        )
        final = response
        if follow_deferred and response.response_type in (
            DEFERRED_CHANNEL_MESSAGE,
            DEFERRED_UPDATE_MESSAGE,
        ):
            final = await fake.recorder.wait_for(
                lambda r: _answers_deferred(r, it), since=since, timeout=timeout
            )
        records = fake.recorder.find(lambda r: r.interaction_id == it.id, since)
        return InteractionReply(it, response, final, records)

    def _member(self, guild: FakeGuild, user: FakeUser | FakeMember) -> FakeMember:
        if isinstance(user, FakeMember):
            return user
        member = guild.members.get(user.id)
        if member is None:
            raise AssertionError(f"{user.username} is not a member of {guild.name}")
        return member

    def _interaction(
        self,
        guild: FakeGuild,
        member: FakeMember,
        kind: int,
        data: dict[str, Any],
        channel: FakeChannel,
        message: dict[str, Any] | None,
    ) -> FakeInteraction:
        fake = self._fake()
        interaction_id = fake.snowflake()
        token = "aW50ZXJhY3Rpb24" + secrets.token_urlsafe(48)
        bot_member = guild.members[fake.bot_user.id]
        payload: dict[str, Any] = {
            "id": str(interaction_id),
            "application_id": str(fake.application_id),
            "type": kind,
            "token": token,
            "version": 1,
            "data": data,
            "guild_id": str(guild.id),
            "guild": {"id": str(guild.id), "locale": guild.preferred_locale, "features": []},
            "channel_id": str(channel.id),
            "channel": guild.channel_payload(channel)
            | {"permissions": str(guild.permissions_of(member, channel))},
            "member": member.payload()
            | {"permissions": str(guild.permissions_of(member, channel))},
            "locale": "en-US",
            "guild_locale": guild.preferred_locale,
            "app_permissions": str(guild.permissions_of(bot_member, channel)),
            "entitlements": [],
            "entitlement_sku_ids": [],
            "authorizing_integration_owners": {"0": str(guild.id)},
            "context": 0,
            "attachment_size_limit": 10 * 1024 * 1024,
        }
        if message is not None:
            payload["message"] = message
        source_id = int(message["id"]) if message is not None else None
        name = str(data.get("name") or data.get("custom_id") or "")
        return FakeInteraction(
            interaction_id, token, kind, name, channel.id, member.user, payload, source_id
        )

    def _command_data(
        self, guild: FakeGuild, name: str, values: dict[str, Any], focused: str | None
    ) -> dict[str, Any]:
        words = name.split()
        command = self._fake().command_named(words[0], guild.id)
        resolved: dict[str, Any] = {}
        options = self._options(guild, command, words[1:], values, resolved, focused)
        data: dict[str, Any] = {
            "id": command["id"],
            "name": command["name"],
            "type": 1,
            "options": options,
        }
        if command.get("guild_id"):
            data["guild_id"] = command["guild_id"]
        if resolved:
            data["resolved"] = resolved
        return data

    def _options(
        self,
        guild: FakeGuild,
        definition: dict[str, Any],
        path: list[str],
        values: dict[str, Any],
        resolved: dict[str, Any],
        focused: str | None,
    ) -> list[dict[str, Any]]:
        defs = {opt["name"]: opt for opt in definition.get("options") or []}
        if path:
            sub = defs.get(path[0])
            if sub is None or sub["type"] not in (SUBCOMMAND, SUBCOMMAND_GROUP):
                raise AssertionError(f"{definition['name']!r} has no subcommand {path[0]!r}")
            nested = self._options(guild, sub, path[1:], values, resolved, focused)
            return [{"type": sub["type"], "name": path[0], "options": nested}]
        options = []
        for name, value in values.items():
            if name not in defs:
                raise AssertionError(f"{definition['name']!r} has no option {name!r}: {list(defs)}")
            kind = int(defs[name]["type"])
            option: dict[str, Any] = {"type": kind, "name": name}
            if name == focused:
                option.update(value=str(value), focused=True)
            else:
                option["value"] = self._option_value(guild, kind, value, resolved)
            options.append(option)
        return options

    def _option_value(
        self, guild: FakeGuild, kind: int, value: Any, resolved: dict[str, Any]
    ) -> Any:
        if kind == INT_OPTION:
            return int(value)
        if kind == NUMBER_OPTION:
            return float(value)
        if kind == BOOL_OPTION:
            return bool(value)
        if kind == ATTACHMENT_OPTION:
            return self._attach(value, resolved)
        select_kind = {
            USER_OPTION: USER_SELECT,
            CHANNEL_OPTION: CHANNEL_SELECT,
            ROLE_OPTION: ROLE_SELECT,
            MENTIONABLE_OPTION: MENTIONABLE_SELECT,
        }.get(kind)
        if select_kind is not None:
            return self._resolve(guild, select_kind, value, resolved)
        return str(value)

    def _attach(self, value: Any, resolved: dict[str, Any]) -> str:
        """Upload ``(filename, bytes)`` (or take an attachment dict) and resolve it by id."""
        if isinstance(value, dict):
            attachment = value
        else:
            filename, data, *content_type = value
            messages = self._fake().messages
            attachment = messages.upload(filename, data, *(content_type or [None]))
        resolved.setdefault("attachments", {})[attachment["id"]] = attachment
        return str(attachment["id"])

    def _resolve(self, guild: FakeGuild, kind: int, value: Any, resolved: dict[str, Any]) -> str:
        """Return the raw id of ``value`` and add its object to ``resolved`` for entity kinds."""
        if kind not in (USER_SELECT, ROLE_SELECT, MENTIONABLE_SELECT, CHANNEL_SELECT):
            return str(value)
        entity_id = value.id if hasattr(value, "id") else int(value)
        key = str(entity_id)
        if entity_id in guild.channels:
            channel = guild.channels[entity_id]
            bot = guild.members[self._fake().bot_user.id]
            perms = str(guild.permissions_of(bot, channel))
            resolved.setdefault("channels", {})[key] = guild.channel_payload(channel) | {
                "permissions": perms
            }
        elif entity_id in guild.roles:
            resolved.setdefault("roles", {})[key] = guild.roles[entity_id].payload()
        elif entity_id in guild.members:
            member = guild.members[entity_id]
            resolved.setdefault("users", {})[key] = member.user.payload()
            resolved.setdefault("members", {})[key] = member.payload(with_user=False) | {
                "permissions": str(guild.permissions_of(member))
            }
        else:
            raise AssertionError(f"{value!r} is not a channel, role or member of {guild.name}")
        return key

    def _modal_components(
        self,
        guild: FakeGuild,
        components: list[dict[str, Any]],
        values: dict[str, Any],
        resolved: dict[str, Any],
    ) -> list[dict[str, Any]]:
        """Mirror the modal's layout (action rows or labels) with the submitted values."""
        submitted: list[dict[str, Any]] = []
        for index, component in enumerate(components, start=1):
            kind = int(component["type"])
            if kind == ACTION_ROW:
                inner = self._modal_components(guild, component["components"], values, resolved)
                submitted.append({"type": ACTION_ROW, "id": index, "components": inner})
            elif kind == LABEL:
                inner = self._modal_components(guild, [component["component"]], values, resolved)
                submitted.append({"type": LABEL, "id": index, "component": inner[0]})
            elif "custom_id" in component:
                field = {"type": kind, "id": index, "custom_id": component["custom_id"]}
                field.update(self._modal_value(guild, component, values, resolved))
                submitted.append(field)
        return submitted

    def _modal_value(
        self,
        guild: FakeGuild,
        component: dict[str, Any],
        values: dict[str, Any],
        resolved: dict[str, Any],
    ) -> dict[str, Any]:
        """Return the submitted ``value``/``values`` of one modal input."""
        kind, custom_id = int(component["type"]), component["custom_id"]
        if kind == TEXT_INPUT:
            return {"value": str(values.get(custom_id, component.get("value") or ""))}
        if kind in (RADIO_GROUP, CHECKBOX):
            return {"value": values.get(custom_id, component.get("default"))}
        picked = values.get(custom_id, [])
        return {"values": [self._resolve(guild, kind, v, resolved) for v in picked]}


def _answers_deferred(record: Record, it: FakeInteraction) -> bool:
    """Tell whether ``record`` is the real answer that follows a deferral of ``it``."""
    if record.interaction_id == it.id and record.kind in (FOLLOWUP, ORIGINAL_EDIT):
        return True
    if record.kind != MESSAGE_EDIT or record.message is None or it.source_message_id is None:
        return False
    return int(record.message["id"]) == it.source_message_id
