"""An iCalendar (RFC 5545) file of upcoming releases and episodes, made with `icalendar`."""

from __future__ import annotations

from datetime import timedelta

from icalendar import Calendar, Event

from filmbot import __version__
from filmbot.domain.clock import utcnow
from filmbot.domain.titles import tmdb_url
from filmbot.domain.upcoming import UpcomingEvent, event_uid

PRODUCT_ID = f"-//FilmBot//FilmBot {__version__}//EN"


def calendar_file(owner: int | str, name: str, events: list[UpcomingEvent]) -> bytes:
    """One all-day VEVENT per event, each with a UID that stays the same across exports.

    `owner` is what the UIDs are made of: a server id, or `member_calendar` of a member.
    """
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"{name} · FilmBot upcoming" if name else "FilmBot upcoming")
    stamp = utcnow().replace(microsecond=0)
    for event in events:
        calendar.add_component(_vevent(owner, event, stamp))
    data: bytes = calendar.to_ical()
    return data


def _vevent(owner: int | str, event: UpcomingEvent, stamp: object) -> Event:
    link = tmdb_url(event.ref)
    vevent = Event()
    vevent.add("uid", event_uid(owner, event))
    vevent.add("dtstamp", stamp)
    # A date (not a datetime) makes icalendar write DTSTART;VALUE=DATE: an all-day event.
    vevent.add("dtstart", event.day)
    vevent.add("dtend", event.day + timedelta(days=1))
    vevent.add("summary", event.summary)
    vevent.add("url", link)
    vevent.add("description", f"{event.summary}\n{link}")
    vevent.add("transp", "TRANSPARENT")
    return vevent
