"""The base of every TMDB response model: tolerant of old, partial and odd payloads.

Every field has a default, `null` values fall back to that default, unknown fields
are ignored and blank or malformed dates read as `None`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, model_validator


def _lenient_date(value: object) -> object:
    """Read '' and unparseable strings as None; keep the first 10 chars of timestamps."""
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        try:
            return date.fromisoformat(text[:10])
        except ValueError:
            return None
    return value


def _lenient_datetime(value: object) -> object:
    """Read '' and unparseable strings as None."""
    if isinstance(value, str):
        text = value.strip().replace(" UTC", "+00:00")
        if not text:
            return None
        try:
            return datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None
    return value


LenientDate = Annotated[date | None, BeforeValidator(_lenient_date)]
LenientDateTime = Annotated[datetime | None, BeforeValidator(_lenient_datetime)]


class TMDBModel(BaseModel):
    """Base of every response model: ignore unknown fields, treat null as absent."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True, frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _drop_nulls(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {key: value for key, value in data.items() if value is not None}
        return data
