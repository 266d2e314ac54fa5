"""Logging: FilmBot hierarchy, rotating file, quiet discord.http, no secrets."""

from __future__ import annotations

import logging
import logging.handlers
import re
from pathlib import Path

from filmbot.config import load_settings
from filmbot.log import get_logger, setup_logging


def test_file_log_has_the_format_hierarchy_and_no_secrets(tmp_path: Path) -> None:
    settings = load_settings(
        None, log_dir=tmp_path / "logs", discord_token="MTIzNDU2Nzg5.tok-en", log_level="WARNING"
    )
    setup_logging(settings)
    logging.getLogger("filmbot.services.updates").debug(
        "cycle with token %s", "MTIzNDU2Nzg5.tok-en"
    )
    get_logger("Watchlist").info("added %s", "Dune")
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = (tmp_path / "logs" / "filmbot.log").read_text()
    assert re.search(
        r"^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\] \[DEBUG\] FilmBot\.services\.updates: cycle",
        text,
        re.M,
    )
    assert "[INFO] FilmBot.Watchlist: added Dune" in text
    assert "tok-en" not in text and "***" in text


def test_rotating_file_keeps_ten_megabytes_and_five_backups(tmp_path: Path) -> None:
    setup_logging(load_settings(None, log_dir=tmp_path))
    rotating = [
        h
        for h in logging.getLogger().handlers
        if isinstance(h, logging.handlers.RotatingFileHandler)
    ]
    assert len(rotating) == 1
    assert (rotating[0].maxBytes, rotating[0].backupCount) == (10 * 1024 * 1024, 5)
    assert logging.getLogger("discord.http").getEffectiveLevel() == logging.WARNING


def test_setup_twice_does_not_duplicate_handlers(tmp_path: Path) -> None:
    settings = load_settings(None, log_dir=tmp_path)
    setup_logging(settings)
    count = len(logging.getLogger().handlers)
    setup_logging(settings)
    assert len(logging.getLogger().handlers) == count
