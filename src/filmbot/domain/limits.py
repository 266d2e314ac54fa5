"""How long each part of a Discord message may be, and the one rule that shortens text to fit."""

from __future__ import annotations

TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FIELD_COUNT_LIMIT = 25
FOOTER_LIMIT = 2048
MESSAGE_TOTAL_LIMIT = 6000
EMBEDS_PER_MESSAGE = 10
CONTENT_LIMIT = 2000
ELLIPSIS = "…"
_TRAILING = " ,;:."


def clip(text: str | None, limit: int) -> str:
    """Shorten text to `limit` characters, at a word boundary when one is near, with '…'."""
    text = (text or "").strip()
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    word_cut = cut.rsplit(None, 1)[0] if " " in cut else cut
    if len(word_cut) >= limit // 2:
        cut = word_cut
    return cut.rstrip(_TRAILING) + ELLIPSIS
