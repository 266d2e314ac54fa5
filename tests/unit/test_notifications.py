"""Notification payloads stay within Discord's limits and ping only the configured role."""

from __future__ import annotations

from datetime import date

from filmbot.domain.limits import DESCRIPTION_LIMIT, MESSAGE_TOTAL_LIMIT, TITLE_LIMIT, clip
from filmbot.domain.models import MediaType, TitleRef
from filmbot.domain.titles import tmdb_url
from filmbot.domain.updates import EventKind, UpdateEvent
from filmbot.services.notifications import (
    GuildDisplay,
    build_embed,
    build_messages,
    embed_size,
    mention_parts,
)

FILM = TitleRef(MediaType.MOVIE, 603)
DAY = date(2026, 3, 12)


def event(headline: str = "The Matrix is out", detail: str = "", n: int = 0) -> UpdateEvent:
    return UpdateEvent(
        kind=EventKind.RELEASE,
        ref=TitleRef(MediaType.MOVIE, 603 + n),
        title="The Matrix",
        event_key=f"release:US:{n}",
        event_date=DAY,
        due_from=DAY,
        due_until=DAY,
        headline=headline,
        detail=detail,
        poster_path="/poster.jpg",
    )


def poster(path: str | None) -> str | None:
    return f"https://image.example/w500{path}" if path else None


def test_clip_cuts_at_a_word_boundary_and_marks_the_cut() -> None:
    assert clip("short", 10) == "short"
    clipped = clip("one two three four five", 12)
    assert clipped == "one two…"
    assert len(clip("x" * 50, 10)) == 10


def test_long_title_and_description_are_clipped_to_discord_limits() -> None:
    embed = build_embed(event("T " * 400, "word " * 2000), GuildDisplay(), poster)
    assert len(embed["title"]) <= TITLE_LIMIT
    assert len(embed["description"]) <= DESCRIPTION_LIMIT
    assert embed["title"].endswith("…") and embed["description"].endswith("…")


def test_embed_links_tmdb_shows_poster_date_in_guild_zone_and_attribution() -> None:
    embed = build_embed(event(), GuildDisplay(timezone="Europe/Berlin"), poster)
    assert embed["url"] == tmdb_url(FILM) == "https://www.themoviedb.org/movie/603"
    assert embed["thumbnail"] == {"url": "https://image.example/w500/poster.jpg"}
    assert embed["fields"][1]["value"] == "Thursday 12 March 2026 (Europe/Berlin)"
    assert "TMDB" in embed["footer"]["text"]


def test_mentions_allow_only_the_role() -> None:
    assert mention_parts(42) == ("<@&42>", {"parse": [], "roles": [42]})
    assert mention_parts(None) == ("", {"parse": []})


def test_messages_hold_at_most_ten_embeds() -> None:
    messages = build_messages([(n, event(n=n)) for n in range(23)], GuildDisplay(7), poster)
    assert [len(m.embeds) for m, _ in messages] == [10, 10, 3]
    assert [ids for _, ids in messages][2] == [20, 21, 22]
    assert all(m.content == "<@&7>" for m, _ in messages)


def test_messages_stay_under_six_thousand_characters_in_total() -> None:
    events = [(n, event(detail="word " * 500, n=n)) for n in range(6)]
    messages = build_messages(events, GuildDisplay(), poster)
    totals = [sum(embed_size(e) for e in m.embeds) for m, _ in messages]
    assert len(messages) > 1
    assert all(total <= MESSAGE_TOTAL_LIMIT for total in totals)
    assert sorted(i for _, ids in messages for i in ids) == list(range(6))
