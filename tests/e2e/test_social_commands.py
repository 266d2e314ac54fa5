"""/recommend-to, /privacy settings and the activity feed through the real bot."""

from __future__ import annotations

import json

from filmbot.bot import FilmBot
from tests.e2e.conftest import assert_pings_nobody
from tests.fakes.discord_records import CHANNEL_MESSAGE, DM_OPEN, Record
from tests.fakes.discord_server import FakeDiscord
from tests.fakes.plugin_discord import FilmClub
from tests.history_files import imdb_ratings


def _dms(fake: FakeDiscord, since: int) -> list[Record]:
    return fake.recorder.find(
        lambda r: r.kind == CHANNEL_MESSAGE and r.channel_id in fake.dm_channels, since=since
    )


def _posts_in(fake: FakeDiscord, channel_id: int, since: int) -> list[Record]:
    return fake.recorder.find(
        lambda r: r.kind == CHANNEL_MESSAGE and r.channel_id == channel_id, since=since
    )


async def _posts(fake: FakeDiscord, channel_id: int, since: int, count: int) -> list[Record]:
    """Wait until `count` posts reached the channel (the feed posts after the reply)."""
    await fake.recorder.wait_for(
        lambda _r: len(_posts_in(fake, channel_id, since)) >= count, since=since
    )
    return _posts_in(fake, channel_id, since)


async def test_a_recommendation_arrives_by_dm_and_tops_the_next_recommend(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    club, ada, mo = film_club.guild, film_club.admin, film_club.member
    since = fake_discord.recorder.mark()
    sent = await fake_discord.slash(
        club, ada, "recommend-to", member=mo, query="movie:329865", note="the linguistics!"
    )
    assert sent.ephemeral
    assert sent.content == (
        "💌 Sent **Arrival (2016) · Movie** to Mo by DM and at the top of their next /recommend."
    )
    assert len(fake_discord.recorder.find(lambda r: r.kind == DM_OPEN, since=since)) == 1
    [dm] = _dms(fake_discord, since)
    embed = dm.body["embeds"][0]
    assert embed["title"] == "Ada recommends Arrival"
    assert embed["url"] == "https://www.themoviedb.org/movie/329865"
    assert "“the linguistics!”" in embed["description"]
    assert "Film Club" in embed["description"]

    shown = await fake_discord.slash(club, mo, "recommend")
    first_line = shown.embeds[0]["description"].split("\n")[0]
    assert first_line.startswith("💌 [Ada recommends Arrival: 'the linguistics!']")
    again = await fake_discord.slash(club, mo, "recommend")
    assert "Ada recommends" not in again.embeds[0]["description"]


async def test_closed_dms_still_leave_the_recommendation_in_recommend(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    club, ada, mo = film_club.guild, film_club.admin, film_club.member
    fake_discord.close_dms(mo)
    since = fake_discord.recorder.mark()
    sent = await fake_discord.slash(club, ada, "recommend-to", member=mo, query="movie:603")
    assert "don't accept DMs from here, so only" in sent.content
    assert _dms(fake_discord, since) == []
    shown = await fake_discord.slash(club, mo, "recommend")
    assert "Ada recommends The Matrix" in shown.embeds[0]["description"]


async def test_bots_oneself_long_notes_and_floods_are_refused(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    club, ada, mo = film_club.guild, film_club.admin, film_club.member
    robot = fake_discord.add_user("robot", bot=True)
    club.add_member(robot)
    refused = await fake_discord.slash(club, ada, "recommend-to", member=robot, query="movie:603")
    assert refused.ephemeral and refused.content == "⚠️ Bots can't receive recommendations."
    itself = await fake_discord.slash(club, ada, "recommend-to", member=ada, query="movie:603")
    assert itself.ephemeral and "yourself" in itself.content
    long = await fake_discord.slash(
        club, ada, "recommend-to", member=mo, query="movie:603", note="x" * 201
    )
    assert long.ephemeral and long.content == "⚠️ A note can be up to 200 characters."
    for _ in range(5):
        ok = await fake_discord.slash(club, ada, "recommend-to", member=mo, query="movie:603")
        assert ok.content.startswith("💌 Sent")
    flood = await fake_discord.slash(club, ada, "recommend-to", member=mo, query="movie:19")
    assert flood.ephemeral and "5 recommendations in the last 24 hours" in flood.content
    other = await fake_discord.slash(
        club, film_club.manager, "recommend-to", member=mo, query="movie:19"
    )
    assert other.content.startswith("💌 Sent")


async def test_a_member_who_turned_recommendations_off_gets_none(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    club, ada, mo = film_club.guild, film_club.admin, film_club.member
    shown = await fake_discord.slash(club, mo, "privacy settings")
    assert shown.ephemeral and "**recommendations** (" in shown.content
    assert "): on\n" in shown.content and shown.content.endswith("): off")
    off = await fake_discord.slash(club, mo, "privacy settings", recommendations="off")
    assert off.content.startswith("✅ Saved.")
    since = fake_discord.recorder.mark()
    refused = await fake_discord.slash(club, ada, "recommend-to", member=mo, query="movie:603")
    assert refused.ephemeral and refused.content == "⚠️ That member has turned off recommendations."
    assert _dms(fake_discord, since) == []


async def test_privacy_show_and_delete_include_recommendations_and_settings(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    club, ada, mo = film_club.guild, film_club.admin, film_club.member
    await fake_discord.slash(club, ada, "recommend-to", member=mo, query="movie:603", note="hi")
    await fake_discord.slash(club, mo, "recommend-to", member=ada, query="movie:19")
    await fake_discord.slash(club, mo, "privacy settings", activity="on")
    shown = await fake_discord.slash(club, mo, "privacy show")
    assert "1 recommendations sent, 1 received." in shown.embeds[0]["description"]
    attachment = shown.message["attachments"][0]  # type: ignore[index]
    exported = json.loads(fake_discord.messages.attachment_bytes(attachment))
    assert {(r["title"], r["note"]) for r in exported["recommendations"]} == {
        ("The Matrix", "hi"),
        ("Metropolis", None),
    }
    assert exported["privacy_settings"] == {
        "stored": True,
        "recommendations": True,
        "activity": True,
    }
    prompt = await fake_discord.slash(club, mo, "privacy delete")
    done = await fake_discord.click(club, mo, prompt, "privacy:confirm")
    assert "the recommendations you sent or received, and your privacy settings" in done.content
    after = await fake_discord.slash(club, mo, "privacy show")
    data = json.loads(
        fake_discord.messages.attachment_bytes(after.message["attachments"][0])  # type: ignore[index]
    )
    assert data["recommendations"] == []
    assert data["privacy_settings"]["stored"] is False
    theirs = await fake_discord.slash(club, ada, "privacy show")
    assert "0 recommendations sent, 0 received." in theirs.embeds[0]["description"]


async def test_the_activity_channel_is_validated_like_the_notification_channel(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    club, meg = film_club.guild, film_club.manager
    shown = await fake_discord.slash(club, meg, "config", setting="activity_channel")
    assert "**activity_channel** is off" in shown.embeds[0]["description"]
    locked = await fake_discord.slash(
        club, meg, "config", setting="activity_channel", value="#staff-only"
    )
    assert locked.ephemeral and "I can't post in" in locked.content
    missing = await fake_discord.slash(
        club, meg, "config", setting="activity_channel", value="#nowhere"
    )
    assert missing.content == "⚠️ There is no such channel in this server."
    member = await fake_discord.slash(
        club, film_club.member, "config", setting="activity_channel", value="#announcements"
    )
    assert "Manage Server" in member.content
    done = await fake_discord.slash(
        club, meg, "config", setting="activity_channel", value="#announcements"
    )
    assert done.content == f"✅ **activity_channel** is now {film_club.announcements.mention}."
    off = await fake_discord.slash(club, meg, "config", setting="activity_channel", value="off")
    assert off.content == "✅ **activity_channel** is now off."


async def test_the_feed_posts_only_for_members_who_opted_in_and_pings_nobody(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    club, mo, channel = film_club.guild, film_club.member, film_club.announcements
    await fake_discord.slash(
        club, film_club.manager, "config", setting="activity_channel", value="#announcements"
    )
    since = fake_discord.recorder.mark()
    await fake_discord.slash(club, mo, "watchlist-rate", query="movie:19", score=3)
    await fake_discord.slash(club, mo, "privacy settings", activity="on")
    await fake_discord.slash(club, mo, "watchlist-rate", query="movie:693134", score=9)
    marked = await fake_discord.slash(club, mo, "watchlist-mark-watched", query="movie:603")
    await fake_discord.click(club, mo, marked, "rate:8")
    await fake_discord.slash(club, film_club.admin, "watchlist-rate", query="movie:335984", score=5)
    await fake_discord.slash(
        club,
        mo,
        "watchlist-rate",
        query="movie:27205",
        score=7,
        review="Spinning top @everyone\nand a second line",
    )
    posts = await _posts(fake_discord, channel.id, since, 4)
    assert sorted(p.body["content"] for p in posts) == sorted(
        [
            "Mo rated Dune: Part Two 9/10",
            "Mo watched The Matrix",
            "Mo rated The Matrix 8/10",
            "Mo reviewed Inception 7/10: “Spinning top @everyone…”",
        ]
    )
    assert posts[0].body["content"] == "Mo rated Dune: Part Two 9/10"
    assert_pings_nobody(posts)


async def test_a_spoiler_review_from_the_form_is_hidden_in_the_feed(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    club, mo, channel = film_club.guild, film_club.member, film_club.announcements
    await fake_discord.slash(
        club, film_club.manager, "config", setting="activity_channel", value="#announcements"
    )
    await fake_discord.slash(club, mo, "privacy settings", activity="on")
    before = fake_discord.recorder.mark()
    marked = await fake_discord.slash(club, mo, "watchlist-mark-watched", query="Arrival")
    [watched] = await _posts(fake_discord, channel.id, before, 1)
    assert watched.body["content"] == "Mo watched Arrival"
    form = await fake_discord.click(club, mo, marked, "rate:review")
    assert "review:spoilers" in json.dumps(form.modal)
    since = fake_discord.recorder.mark()
    await fake_discord.submit_modal(
        club,
        mo,
        form,
        {"review:score": "10", "review:text": "Time is not linear", "review:spoilers": True},
        message=marked.message,
    )
    [post] = await _posts(fake_discord, channel.id, since, 1)
    assert post.body["content"] == "Mo reviewed Arrival 10/10: “||Time is not linear||”"
    since = fake_discord.recorder.mark()
    await fake_discord.slash(
        club, mo, "watchlist-rate", query="movie:603", score=6, review="Neo", spoilers=True
    )
    [post] = await _posts(fake_discord, channel.id, since, 1)
    assert post.body["content"] == "Mo reviewed The Matrix 6/10: “||Neo||”"


async def test_a_bulk_import_posts_nothing_to_the_feed(
    filmbot: FilmBot, fake_discord: FakeDiscord, film_club: FilmClub
) -> None:
    club, mo, channel = film_club.guild, film_club.member, film_club.announcements
    await fake_discord.slash(
        club, film_club.manager, "config", setting="activity_channel", value="#announcements"
    )
    await fake_discord.slash(club, mo, "privacy settings", activity="on")
    since = fake_discord.recorder.mark()
    await fake_discord.slash(
        club, mo, "import", source="imdb", file=("r.csv", imdb_ratings()), follow_deferred=False
    )
    await fake_discord.wait_for(
        lambda r: "**Import from" in str(r.body.get("content") or ""), since=since, timeout=20
    )
    assert (await filmbot.services.watchlist.items(club.id, mo.id, include_watched=True)) != []
    await fake_discord.slash(club, mo, "watchlist-rate", query="movie:19", score=4)
    [post] = await _posts(fake_discord, channel.id, since, 1)
    assert post.body["content"] == "Mo rated Metropolis 4/10"
