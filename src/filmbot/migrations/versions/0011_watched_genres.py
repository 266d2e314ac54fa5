"""titles' TMDB genres and genre names per language, for the most-watched genres chart

Revision ID: 0011_watched_genres
Revises: 0005_personal_follows
Create Date: 2026-12-03 13:20:00.000000

`title_genres` holds each title's TMDB genre ids (genre id 0: TMDB lists none), shared by
every server; the bot fills it when titles are added, watched, rated or imported and
backfills titles it lacks. `genre_names` holds the names of TMDB's genre lists in each
language servers use, fetched by the bot, so the dashboard needs no TMDB client.

It also indexes subscriptions by (guild_id, subscribed_at, id), the order the dashboard's
overview pages through them in, so a page reads 50 rows instead of sorting them all.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_watched_genres"
down_revision: str | None = "0010_person_follows"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_MEDIA = sa.Enum("movie", "tv", name="media_type", native_enum=False, length=8)


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "title_genres",
        sa.Column("media_type", _MEDIA, nullable=False),
        sa.Column("tmdb_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("genre_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.PrimaryKeyConstraint("media_type", "tmdb_id", "genre_id", name=op.f("pk_title_genres")),
    )
    op.create_table(
        "genre_names",
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("genre_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("language", "genre_id", name=op.f("pk_genre_names")),
    )
    with op.batch_alter_table("subscriptions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_subscriptions_guild_id_subscribed_at_id"),
            ["guild_id", "subscribed_at", "id"],
            unique=False,
        )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("subscriptions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_subscriptions_guild_id_subscribed_at_id"))
    op.drop_table("genre_names")
    op.drop_table("title_genres")
