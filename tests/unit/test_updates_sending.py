"""A message's Discord nonce is derived from its ledger rows: the same rows, the same nonce."""

from __future__ import annotations

from filmbot.domain.models import MediaType, TitleRef
from filmbot.domain.updates import ClaimedDelivery
from filmbot.services.updates.sending import message_nonce

GUILD = 1_100_000_000_000_000_001


def rows(*ids: int) -> list[ClaimedDelivery]:
    return [
        ClaimedDelivery(i, TitleRef(MediaType.MOVIE, 9_000_000 + i), "release", f"release:{i}", {})
        for i in ids
    ]


def test_nonce_fits_discords_25_characters_and_ignores_row_order() -> None:
    nonce = message_nonce(GUILD, rows(1, 2, 3))
    assert len(nonce) <= 25
    assert message_nonce(GUILD, rows(3, 1, 2)) == nonce


def test_other_rows_or_another_guild_give_another_nonce() -> None:
    nonce = message_nonce(GUILD, rows(1, 2, 3))
    assert message_nonce(GUILD, rows(1, 2)) != nonce
    assert message_nonce(GUILD, rows(1, 2, 3, 4)) != nonce
    assert message_nonce(GUILD + 1, rows(1, 2, 3)) != nonce
