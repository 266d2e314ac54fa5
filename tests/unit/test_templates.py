"""Notification templates: what a server may write, how it renders, how it becomes content."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from filmbot.domain import templates as templates_module
from filmbot.domain.errors import InvalidInputError
from filmbot.domain.limits import CONTENT_LIMIT
from filmbot.domain.models import MediaType, TitleRef
from filmbot.domain.templates import (
    DEFAULT_TEMPLATE,
    PLACEHOLDERS,
    SAMPLE_VALUES,
    TEMPLATE_LIMIT,
    TemplateKind,
    parse_kind,
    parse_template,
    render,
)
from filmbot.domain.updates import (
    EventKind,
    GuildPrefs,
    TitleSnapshot,
    UpdateEvent,
    detect_events,
    event_from_ledger,
    event_payload,
    snapshot_from_tmdb,
)
from filmbot.services.notifications import GuildDisplay, build_messages, render_content

ROLE = 1_400_000_000_000_000_001
DAY = date(2026, 3, 12)


def event(kind: EventKind = EventKind.RELEASE, n: int = 0, **facts: str) -> UpdateEvent:
    return UpdateEvent(
        kind=kind,
        ref=TitleRef(MediaType.MOVIE, 603 + n),
        title=f"The Matrix {n}",
        event_key=f"key:{n}",
        event_date=DAY,
        due_from=DAY,
        due_until=DAY,
        headline=f"The Matrix {n} is out",
        facts=tuple(sorted(facts.items())),
    )


def test_every_event_kind_has_exactly_one_template_kind() -> None:
    assert {kind.event_kind for kind in TemplateKind} == set(EventKind)
    assert TemplateKind.for_event(EventKind.STATUS_CHANGE) is TemplateKind.STATUS
    assert TemplateKind.for_event(EventKind.TITLE_REMOVED) is TemplateKind.REMOVED
    assert TemplateKind.for_event(EventKind.STREAMING) is TemplateKind.STREAMING
    assert [kind.value for kind in TemplateKind] == [
        "release",
        "upcoming",
        "new_episode",
        "episode_aired",
        "status",
        "removed",
        "streaming",
        "new_title",
    ]


def test_an_event_kind_without_a_template_kind_gets_the_default_template(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delitem(templates_module._TEMPLATE_KINDS, EventKind.STREAMING)
    display = GuildDisplay(role_id=ROLE, templates={"streaming": "{title} on {provider}"})
    assert TemplateKind.for_event(EventKind.STREAMING) is None
    assert render_content(event(EventKind.STREAMING), display) == f"<@&{ROLE}>"


def test_parse_kind_accepts_the_public_names_and_lists_them_otherwise() -> None:
    assert parse_kind("New-Episode") is TemplateKind.NEW_EPISODE
    with pytest.raises(InvalidInputError, match="`release`, `upcoming`"):
        parse_kind("premiere")


def test_a_template_with_every_placeholder_is_accepted_unchanged() -> None:
    text = " ".join(f"{{{name}}}" for name in PLACEHOLDERS) + " {{literal}} @everyone"
    assert parse_template(text) == text


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("{title.__class__}", "no `.` or `[]` access"),
        ("{title[0]}", "no `.` or `[]` access"),
        ("{title!r}", "no `!` conversions"),
        ("{title:>10}", "or `:` formats"),
        ("{title:{year}}", "or `:` formats"),
        ("{budget}", "`{budget}` is not a placeholder"),
        ("{}", "is not a placeholder"),
        ("{0}", "`{0}` is not a placeholder"),
        ("{title", "Braces must pair up"),
        ("title}", "Braces must pair up"),
        ("   ", "needs some text"),
    ],
)
def test_unsafe_or_unknown_templates_are_refused_with_a_clear_reason(text: str, says: str) -> None:
    with pytest.raises(InvalidInputError, match=says.replace("[", r"\[").replace("{", r"\{")):
        parse_template(text)


def test_an_unknown_placeholder_reply_lists_every_allowed_one() -> None:
    with pytest.raises(InvalidInputError) as refused:
        parse_template("{titel}")
    assert all(f"`{{{name}}}`" in refused.value.message for name in PLACEHOLDERS)


def test_templates_longer_than_500_characters_are_refused() -> None:
    assert parse_template("x" * TEMPLATE_LIMIT) == "x" * TEMPLATE_LIMIT
    with pytest.raises(InvalidInputError, match="at most 500 characters"):
        parse_template("x" * (TEMPLATE_LIMIT + 1))


def test_render_substitutes_values_and_never_formats_them() -> None:
    values = {"title": "{role} {0.__class__}", "year": "1999"}
    rendered = render("{title} ({year}) {{x}} {episode}", values)
    assert rendered == "{role} {0.__class__} (1999) {x} "


def test_every_kind_has_sample_data_for_its_preview() -> None:
    assert set(SAMPLE_VALUES) == set(TemplateKind)
    assert all(set(values) <= set(PLACEHOLDERS) for values in SAMPLE_VALUES.values())


def test_the_default_template_renders_as_the_bare_role_mention() -> None:
    display = GuildDisplay(role_id=ROLE)
    assert DEFAULT_TEMPLATE == "{role}"
    assert render_content(event(), display) == f"<@&{ROLE}>"
    assert render_content(event(), GuildDisplay()) == ""


def test_content_fills_title_date_url_role_and_the_events_facts() -> None:
    display = GuildDisplay(
        role_id=ROLE,
        templates={"new_episode": "{title} S{season}E{episode} {episode_title} {network} {url}"},
    )
    found = event(
        EventKind.NEW_EPISODE, season="2", episode="5", episode_title="Pilot", network="HBO"
    )
    assert render_content(found, display) == (
        "The Matrix 0 S2E5 Pilot HBO https://www.themoviedb.org/movie/603"
    )
    dated = GuildDisplay(templates={"release": "{date} {year}|{status}|"})
    assert render_content(event(year="1999"), dated) == "Thursday 12 March 2026 1999||"


def test_facts_survive_the_ledger_payload_round_trip() -> None:
    found = event(EventKind.EPISODE_AIRED, season="1", episode="2", network="AMC")
    back = event_from_ledger(found.ref, found.kind.value, found.event_key, event_payload(found))
    assert back == found
    old_row = {k: v for k, v in event_payload(found).items() if k != "facts"}
    assert event_from_ledger(found.ref, found.kind.value, found.event_key, old_row).facts == ()


def test_mentions_written_into_a_template_leave_allowed_mentions_at_the_role() -> None:
    display = GuildDisplay(
        role_id=ROLE, templates={"release": "@everyone @here <@42> <@&7> {role}"}
    )
    [(message, _)] = build_messages([(1, event())], display, lambda _: None)
    assert message.content == f"@everyone @here <@42> <@&7> <@&{ROLE}>"
    assert message.allowed_mentions == {"parse": [], "roles": [ROLE]}


def test_a_message_holds_each_distinct_line_once_in_event_order() -> None:
    display = GuildDisplay(role_id=ROLE, templates={"upcoming": "Soon: {title}"})
    events = [(1, event()), (2, event(EventKind.UPCOMING, 1)), (3, event(n=2))]
    [(message, ids)] = build_messages(events, display, lambda _: None)
    assert ids == [1, 2, 3]
    assert message.content == f"<@&{ROLE}>\nSoon: The Matrix 1"


def test_messages_split_before_their_content_would_pass_discords_limit() -> None:
    display = GuildDisplay(templates={"release": "{title} " + "x" * 480})
    events = [(n, event(n=n)) for n in range(8)]
    messages = build_messages(events, display, lambda _: None)
    assert [ids for _, ids in messages] == [[0, 1, 2, 3], [4, 5, 6, 7]]
    assert all(len(message.content) <= CONTENT_LIMIT for message, _ in messages)
    assert [len(message.embeds) for message, _ in messages] == [4, 4]


def test_detected_episode_events_carry_year_status_network_and_episode_facts() -> None:
    now = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
    payload = {
        "id": 1,
        "name": "The Show",
        "status": "Returning Series",
        "first_air_date": "2020-01-02",
        "networks": [{"id": 49, "name": "HBO"}],
        "next_episode_to_air": {
            "season_number": 2,
            "episode_number": 3,
            "air_date": "2026-03-11",
            "name": "The Return",
        },
    }
    snapshot = snapshot_from_tmdb(payload, "tv", now)
    [found] = detect_events(snapshot, None, GuildPrefs(), now, True, True)
    assert found.kind is EventKind.NEW_EPISODE
    assert dict(found.facts) == {
        "year": "2020",
        "status": "Returning Series",
        "network": "HBO",
        "season": "2",
        "episode": "3",
        "episode_title": "The Return",
    }
    assert TitleSnapshot.from_dict(snapshot.to_dict()).network == "HBO"
