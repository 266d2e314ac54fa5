"""A small world with known numbers for the dashboard's tests.

Film Club (Europe/Berlin, UTC+1 in January): the admin (Manage Server) and the member share it
with the bot. The member rated three titles 8, 8 and 9 (one with a review) on Monday
2026-01-05 10:30 UTC; the admin rated two 3 and 8 on Wednesday 2026-01-07 22:15 UTC; every
rated title was marked watched at the same time. Other Club is the outsider's; the bot has
never seen No Bot Club.

Genres (WATCHED_GENRES): Film 0 is Drama and Comedy, Film 1 Drama, Film 2 Science Fiction
and Mystery, Film 3 Drama, Film 4 has none on TMDB; the member's unwatched Film 5 and Other
Club's watched title are Drama too but do not count. The bot stored German names except
Mystery's, which only has its English one.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from filmbot.db.models import (
    GenreNameRow,
    GuildRow,
    RatingRow,
    SubscriptionRow,
    TitleGenreRow,
    TitleSnapshotRow,
    UpdateDeliveryRow,
    WatchlistRow,
)
from filmbot.domain.models import MediaType, TitleRef
from filmbot.domain.updates.snapshot import (
    EpisodeInfo,
    RegionalRelease,
    ReleaseType,
    TitleSnapshot,
)
from filmbot.services.updates.shards import ALL_GUILDS
from tests.fakes.discord_oauth import FakeDiscordOAuth, OAuthGuild

FILM_CLUB = 1_100_000_000_000_000_001
OTHER_CLUB = 1_100_000_000_000_000_002
NO_BOT_CLUB = 1_100_000_000_000_000_003
ADMIN, MEMBER, OUTSIDER = (
    1_300_000_000_000_000_501,
    1_300_000_000_000_000_502,
    1_300_000_000_000_000_503,
)
MANAGE_GUILD = 1 << 5
SEND_MESSAGES = 1 << 11
PROBLEM = "FilmBot may not post in #announcements"

MEMBER_AT = datetime(2026, 1, 5, 10, 30, tzinfo=UTC)  # Monday 11:30 in Berlin
ADMIN_AT = datetime(2026, 1, 7, 22, 15, tzinfo=UTC)  # Wednesday 23:15 in Berlin
SUBSCRIBED = (
    ("Dune: Part Two", datetime(2026, 1, 5, 9, tzinfo=UTC)),
    ("Severance", datetime(2026, 1, 6, 9, tzinfo=UTC)),
    ("The Bear", datetime(2026, 1, 20, 9, tzinfo=UTC)),
)
SECRET_TITLE = "Other Club's Secret Title"
DRAMA, COMEDY, SCI_FI, MYSTERY = 18, 35, 878, 9648
TITLE_GENRES = {200: (DRAMA, COMEDY), 201: (DRAMA,), 202: (SCI_FI, MYSTERY), 203: (DRAMA,)}
NAMES = {
    "de-DE": {DRAMA: "Drama", COMEDY: "Komödie", SCI_FI: "Science Fiction"},
    "en-US": {DRAMA: "Drama", COMEDY: "Comedy", SCI_FI: "Science Fiction", MYSTERY: "Mystery"},
}
WATCHED_GENRES = [("Drama", 3), ("Komödie", 1), ("Mystery", 1), ("Science Fiction", 1)]


def today() -> date:
    """Today in Film Club's timezone."""
    return datetime.now(ZoneInfo("Europe/Berlin")).date()


def _snapshot(ref: TitleRef, title: str) -> TitleSnapshotRow:
    """Dune opens in US cinemas in 3 days, Severance airs tomorrow, The Bear in 30 days."""
    now, day = datetime.now(UTC), today()
    if ref.media_type is MediaType.TV:
        episode = EpisodeInfo(2, 5, day + timedelta(days=1), "Trojan's Horse")
        snapshot = TitleSnapshot(ref, title, now, next_episode_to_air=episode)
    else:
        offset = 3 if title.startswith("Dune") else 30
        release = RegionalRelease(ReleaseType.THEATRICAL, day + timedelta(days=offset))
        snapshot = TitleSnapshot(ref, title, now, release_dates={"US": (release,)})
    return TitleSnapshotRow(
        scope=ALL_GUILDS,
        media_type=ref.media_type,
        tmdb_id=ref.tmdb_id,
        data=snapshot.to_dict(),
        fetched_at=now,
    )


def add_users(fake: FakeDiscordOAuth) -> None:
    """The three people who can log in, with their servers and permissions."""
    fake.add_user(
        ADMIN,
        "admin",
        OAuthGuild(FILM_CLUB, "Film Club", MANAGE_GUILD | SEND_MESSAGES),
        OAuthGuild(NO_BOT_CLUB, "No Bot Club", MANAGE_GUILD, owner=True),
    )
    fake.add_user(
        MEMBER,
        "member",
        OAuthGuild(FILM_CLUB, "Film Club", SEND_MESSAGES),
        OAuthGuild(NO_BOT_CLUB, "No Bot Club", SEND_MESSAGES),
    )
    fake.add_user(OUTSIDER, "outsider", OAuthGuild(OTHER_CLUB, "Other Club", MANAGE_GUILD))


async def seed(sessions: async_sessionmaker[AsyncSession]) -> None:
    """Store the world."""
    async with sessions.begin() as session:
        session.add_all(
            [
                GuildRow(
                    id=FILM_CLUB,
                    name="Film Club",
                    timezone="Europe/Berlin",
                    delivery_problem=PROBLEM,
                    language="de-DE",
                ),
                GuildRow(id=OTHER_CLUB, name="Other Club"),
            ]
        )
        await session.flush()
        for i, (title, when) in enumerate(SUBSCRIBED):
            media = MediaType.TV if title == "Severance" else MediaType.MOVIE
            session.add(
                SubscriptionRow(
                    guild_id=FILM_CLUB,
                    tmdb_id=100 + i,
                    media_type=media,
                    title=title,
                    subscribed_at=when,
                )
            )
            session.add(_snapshot(TitleRef(media, 100 + i), title))
        session.add(
            SubscriptionRow(
                guild_id=OTHER_CLUB, tmdb_id=999, media_type=MediaType.TV, title=SECRET_TITLE
            )
        )
        rated = [
            (MEMBER, 8, MEMBER_AT, "Loved it"),
            (MEMBER, 8, MEMBER_AT, None),
            (MEMBER, 9, MEMBER_AT, None),
            (ADMIN, 3, ADMIN_AT, None),
            (ADMIN, 8, ADMIN_AT, None),
        ]
        for i, (user, score, when, review) in enumerate(rated):
            item = WatchlistRow(
                guild_id=FILM_CLUB,
                user_id=user,
                tmdb_id=200 + i,
                media_type=MediaType.MOVIE,
                title=f"Film {i}",
                watched=True,
                watched_at=when,
                added_at=when,
            )
            session.add(item)
            await session.flush()
            session.add(
                RatingRow(
                    watchlist_id=item.id,
                    user_id=user,
                    tmdb_id=200 + i,
                    media_type=MediaType.MOVIE,
                    score=score,
                    review=review,
                    created_at=when,
                    updated_at=when,
                )
            )
        _seed_genres(session)
        for i, status in enumerate(["delivered", "delivered", "pending", "missed"]):
            session.add(
                UpdateDeliveryRow(
                    guild_id=FILM_CLUB,
                    media_type=MediaType.MOVIE,
                    tmdb_id=100,
                    kind="release",
                    event_key=f"k{i}",
                    status=status,
                    payload={"title": "Dune: Part Two", "headline": "Out now"},
                    expires_at=MEMBER_AT + timedelta(days=3),
                    created_at=MEMBER_AT + timedelta(hours=i),
                )
            )


def _seed_genres(session: AsyncSession) -> None:
    """Titles' genres, the genre names, and items whose genres must not be counted."""
    for tmdb_id, genres in {**TITLE_GENRES, 204: (0,), 205: (DRAMA,), 999: (DRAMA,)}.items():
        media = MediaType.TV if tmdb_id == 999 else MediaType.MOVIE
        session.add_all(
            TitleGenreRow(media_type=media, tmdb_id=tmdb_id, genre_id=g) for g in genres
        )
    for language, names in NAMES.items():
        session.add_all(
            GenreNameRow(language=language, genre_id=g, name=n) for g, n in names.items()
        )
    session.add(
        WatchlistRow(
            guild_id=FILM_CLUB,
            user_id=MEMBER,
            tmdb_id=205,
            media_type=MediaType.MOVIE,
            title="Film 5",
        )
    )
    when = MEMBER_AT - timedelta(days=30)
    session.add(
        WatchlistRow(
            guild_id=OTHER_CLUB,
            user_id=OUTSIDER,
            tmdb_id=999,
            media_type=MediaType.TV,
            title=SECRET_TITLE,
            watched=True,
            watched_at=when,
            added_at=when,
        )
    )
