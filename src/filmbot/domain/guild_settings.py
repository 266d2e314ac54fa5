"""Validation of the guild settings an admin can change with /config and /setup."""

from __future__ import annotations

import enum
import functools
import importlib.resources
import re
import zoneinfo

from filmbot.domain.errors import InvalidInputError
from filmbot.domain.models import SubscribePermission

_LANGUAGE = re.compile(r"^([a-zA-Z]{2})(?:[-_]([a-zA-Z]{2}))?$")
# ISO 639-1 language codes (TMDB's `language` parameter takes these).
_ISO_639_1 = (
    "aa ab ae af ak am an ar as av ay az ba be bg bi bm bn bo br bs ca ce ch co cr cs cu cv cy "
    "da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht "
    "hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky "
    "la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny "
    "oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss "
    "st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo "
    "za zh zu"
)
ISO_LANGUAGES = frozenset(_ISO_639_1.split())
_TRUE = {"on", "true", "yes", "enable", "enabled", "1"}
_FALSE = {"off", "false", "no", "disable", "disabled", "0"}


class Setting(str, enum.Enum):
    """The settings /config knows, by their public names."""

    NOTIFICATION_CHANNEL = "notification_channel"
    NOTIFICATION_ROLE = "notification_role"
    AUTO_UPDATE = "auto_update"
    LANGUAGE = "language"
    REGION = "region"
    TIMEZONE = "timezone"
    SUBSCRIBE_PERMISSION = "subscribe_permission"
    MOVIE_CHANNEL = "movie_channel"
    TV_CHANNEL = "tv_channel"

    @property
    def label(self) -> str:
        """The setting's name as a heading, e.g. `Notification channel`."""
        return (
            "TV channel"
            if self is Setting.TV_CHANNEL
            else self.value.replace("_", " ").capitalize()
        )


CHANNEL_SETTINGS = frozenset(
    {Setting.NOTIFICATION_CHANNEL, Setting.MOVIE_CHANNEL, Setting.TV_CHANNEL}
)


@functools.cache
def iso_regions() -> frozenset[str]:
    """ISO 3166-1 alpha-2 country codes (from the tz database's table)."""
    table = importlib.resources.files("tzdata").joinpath("zoneinfo/iso3166.tab").read_text("utf-8")
    return frozenset(
        line.split("\t", 1)[0] for line in table.splitlines() if line and not line.startswith("#")
    )


@functools.cache
def timezones() -> frozenset[str]:
    """Every IANA timezone name."""
    return frozenset(zoneinfo.available_timezones())


def parse_language(text: str) -> str:
    """Normalise a language tag like `de-DE` (or `de`)."""
    match = _LANGUAGE.match(text.strip())
    if not match:
        raise InvalidInputError("A language looks like `en-US`, `de-DE` or `fr`.")
    language, country = match.group(1).lower(), match.group(2)
    if language not in ISO_LANGUAGES:
        raise InvalidInputError(f"`{language}` is not an ISO 639-1 language code.")
    if country is None:
        return language
    country = country.upper()
    if country not in iso_regions():
        raise InvalidInputError(f"`{country}` is not an ISO country code.")
    return f"{language}-{country}"


def parse_region(text: str) -> str:
    """Normalise an ISO 3166-1 region like `US`."""
    region = text.strip().upper()
    if region not in iso_regions():
        raise InvalidInputError(
            "A region is a two-letter ISO country code such as `US`, `DE` or `NZ`."
        )
    return region


def parse_timezone(text: str) -> str:
    """Return the IANA timezone name the text names (case-insensitive)."""
    wanted = text.strip().replace(" ", "_")
    if wanted in timezones():
        return wanted
    by_fold = {name.casefold(): name for name in timezones()}
    if wanted.casefold() in by_fold:
        return by_fold[wanted.casefold()]
    raise InvalidInputError(
        "A timezone is an IANA name such as `Europe/Berlin` or `America/Los_Angeles`."
    )


def parse_switch(text: str) -> bool:
    """Parse on/off."""
    word = text.strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise InvalidInputError("Use `on` or `off`.")


def parse_subscribe_permission(text: str) -> SubscribePermission:
    """Parse `everyone` or `manage_server`."""
    word = text.strip().lower().replace(" ", "_").replace("-", "_")
    try:
        return SubscribePermission(word)
    except ValueError:
        raise InvalidInputError("Use `everyone` or `manage_server`.") from None


def suggest_timezones(text: str, limit: int = 25) -> list[str]:
    """Timezone names containing the text, for autocomplete."""
    needle = text.strip().casefold().replace(" ", "_")
    names = sorted(name for name in timezones() if needle in name.casefold())
    return names[:limit]
