"""The `new_title` kind: a followed person's credits gain a title they direct or star in.

A person follow announces a title when it newly appears in the person's combined credits as
director (crew job "Director") or as one of the top-billed cast (`order` below
`TOP_BILLED`). The engine keeps, per person, the qualifying credits it has already seen
(`known`): the first fetch after a follow only records them (the back catalogue is never
announced), later fetches announce only credits not seen before, and a credit that leaves
and comes back is not announced again.

The ledger stores a `new_title` event under the announced title (`ref`) with the event key
``person:<id>``: each (person, title) is announced once per recipient, and a title that two
followed people join is announced for each of them (the messages name different people).
Nothing here does I/O; the payload is TMDB's `/person/{id}` JSON with `combined_credits`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from filmbot.domain.models import MediaType, TitleRef
from filmbot.domain.updates.events import EventKind, GuildPrefs, UpdateEvent

TOP_BILLED = 10
DIRECTOR = "Director"
NEW_TITLE_GRACE_DAYS = 1


@dataclass(frozen=True, slots=True)
class Credit:
    """A title a person directs or stars in, as the notification shows it."""

    ref: TitleRef
    title: str
    directed: bool
    character: str = ""
    released: date | None = None
    poster_path: str | None = None

    @property
    def key(self) -> str:
        """The credit's entry in a person's known credits: `movie:123`."""
        return str(self.ref)


def person_key(person_id: int) -> str:
    """The ledger event key of a person's `new_title` events."""
    return f"person:{person_id}"


def qualifying_credits(payload: dict[str, Any]) -> dict[str, Credit]:
    """The person's director and top-billed cast credits by key (directing wins)."""
    credits = payload.get("combined_credits") or {}
    found: dict[str, Credit] = {}
    for entry in credits.get("cast") or []:
        order = entry.get("order")
        if isinstance(order, int) and 0 <= order < TOP_BILLED:
            credit = _credit(entry, directed=False)
            if credit is not None:
                found.setdefault(credit.key, credit)
    for entry in credits.get("crew") or []:
        if entry.get("job") == DIRECTOR:
            credit = _credit(entry, directed=True)
            if credit is not None:
                found[credit.key] = credit
    return found


def new_title_events(
    person_id: int, name: str, credits: list[Credit], prefs: GuildPrefs, now: datetime
) -> list[UpdateEvent]:
    """One event per newly credited title, due today and the next day in the prefs' zone."""
    today = prefs.today(now)
    return [_event(person_id, name, credit, today) for credit in credits]


def _event(person_id: int, name: str, credit: Credit, today: date) -> UpdateEvent:
    if credit.directed:
        headline = f"{name} directs {credit.title}"
        detail = f"A new title directed by {name}."
    else:
        headline = f"{name} stars in {credit.title}"
        playing = f" as {credit.character}" if credit.character else ""
        detail = f"A new title with {name}{playing}."
    if credit.released is not None:
        detail += f" Release: {credit.released.isoformat()}."
    facts = [("person", name)]
    if credit.released is not None:
        facts.append(("year", str(credit.released.year)))
    return UpdateEvent(
        kind=EventKind.NEW_TITLE,
        ref=credit.ref,
        title=credit.title,
        event_key=person_key(person_id),
        event_date=today,
        due_from=today,
        due_until=today + timedelta(days=NEW_TITLE_GRACE_DAYS),
        headline=headline,
        detail=detail,
        poster_path=credit.poster_path,
        facts=tuple(facts),
    )


def _credit(entry: dict[str, Any], *, directed: bool) -> Credit | None:
    try:
        ref = TitleRef(MediaType(str(entry.get("media_type", "movie"))), int(entry["id"]))
    except (KeyError, TypeError, ValueError):
        return None
    title = str(
        entry.get("title")
        or entry.get("name")
        or entry.get("original_title")
        or entry.get("original_name")
        or f"TMDB {ref}"
    )
    return Credit(
        ref=ref,
        title=title,
        directed=directed,
        character=str(entry.get("character") or ""),
        released=_date(entry.get("release_date") or entry.get("first_air_date")),
        poster_path=entry.get("poster_path") or None,
    )


def _date(value: object) -> date | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None
