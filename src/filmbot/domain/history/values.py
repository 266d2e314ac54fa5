"""Reading the cells of export files: years, dates, ratings, ids."""

from __future__ import annotations

import re
from datetime import UTC, datetime

IMDB_ID = re.compile(r"^tt\d{5,10}$")
MIN_YEAR, MAX_YEAR = 1870, 2100


def year_of(text: object) -> int | None:
    """A plausible release year, or None."""
    raw = str(text or "").strip()[:4]
    if not raw.isdigit():
        return None
    year = int(raw)
    return year if MIN_YEAR <= year <= MAX_YEAR else None


def moment_of(text: object) -> datetime | None:
    """A UTC datetime from '2021-05-03', '2021-05-03T20:11:00.000Z' or similar, else None."""
    raw = str(text or "").strip()
    if not raw:
        return None
    try:
        when = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def stars_to_score(text: str) -> int | None:
    """Letterboxd's 0.5-5 stars on FilmBot's 1-10 (half a star is 1); None when absent."""
    raw = text.strip()
    if not raw:
        return None
    stars = float(raw)
    if not 0.5 <= stars <= 5 or (stars * 2) % 1:
        raise ValueError(f"{raw} is not a rating from 0.5 to 5 in half stars")
    return int(stars * 2)


def ten_scale(value: object) -> int | None:
    """A 1-10 rating; None when absent; ValueError outside 1-10."""
    raw = str(value if value is not None else "").strip()
    if not raw:
        return None
    score = float(raw)
    if not 1 <= score <= 10 or score % 1:
        raise ValueError(f"{raw} is not a rating from 1 to 10")
    return int(score)


def imdb_id_of(text: object) -> str | None:
    """An IMDb title id ('tt0133093'), or None."""
    raw = str(text or "").strip()
    return raw if IMDB_ID.match(raw) else None


def positive_int(value: object) -> int | None:
    """A positive integer id, or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value > 0 else None
    raw = str(value or "").strip()
    return int(raw) if raw.isdigit() and int(raw) > 0 else None


def clean_text(text: str, limit: int) -> str | None:
    """Trimmed text cut to `limit` characters; None when blank."""
    cleaned = text.replace("\x00", "").strip()
    return cleaned[:limit] or None
