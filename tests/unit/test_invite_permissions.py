"""The README's one invite URL asks for exactly the permissions its table documents."""

from __future__ import annotations

import re
from pathlib import Path

import discord

README = Path(__file__).resolve().parents[2] / "README.md"
NAMES = {
    "View Channels": "view_channel",
    "Send Messages": "send_messages",
    "Embed Links": "embed_links",
    "Attach Files": "attach_files",
    "Read Message History": "read_message_history",
    "Create Events": "create_events",
    "Send Polls": "send_polls",
}


def _section(text: str, heading: str) -> str:
    start = text.index(f"## {heading}\n")
    return text[start : text.index("\n## ", start + 1)]


def test_the_invite_url_is_the_sum_of_the_documented_permissions() -> None:
    text = README.read_text(encoding="utf-8")
    invite = _section(text, "Inviting the bot")
    [value] = {int(v) for v in re.findall(r"permissions=(\d+)", text)}  # one URL, one value
    assert f"permissions={value}" in invite
    rows = re.findall(r"^\| ([A-Z][A-Za-z ]+) \| (\d+) \| ([\d,]+) \|", invite, re.MULTILINE)
    assert [name for name, _bit, _value in rows] == list(NAMES)
    expected = discord.Permissions(**dict.fromkeys(NAMES.values(), True))
    for name, bit, shown in rows:
        flag = getattr(discord.Permissions, NAMES[name]).flag
        assert (1 << int(bit), int(shown.replace(",", ""))) == (flag, flag)
    assert value == expected.value
    assert f"`{value}`" in invite
