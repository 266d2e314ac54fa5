"""server watchlist and movie-night polls

Revision ID: 0006_server_watchlist
Revises: 0003
Create Date: 2026-12-03 12:30:00.000000

`server_watchlist` holds the titles a server plans to watch together (who added each, when it
was last picked); `movie_nights` keeps each open poll until its winner is announced, so a poll
open across a restart still finishes, exactly once.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import filmbot.db.types

revision: str = "0006_server_watchlist"
down_revision: str | None = "0007_social_feed"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_MEDIA_TYPE = sa.Enum("movie", "tv", name="media_type", native_enum=False, length=8)
_UTC = filmbot.db.types.UTCDateTime


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "server_watchlist",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("tmdb_id", sa.Integer(), nullable=False),
        sa.Column("media_type", _MEDIA_TYPE, nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("poster_path", sa.String(length=255), nullable=True),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.Column("added_by", sa.BigInteger(), nullable=True),
        sa.Column("added_at", _UTC(timezone=True), nullable=False),
        sa.Column("picked_at", _UTC(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["guild_id"],
            ["guilds.id"],
            name=op.f("fk_server_watchlist_guild_id_guilds"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_server_watchlist")),
        sa.UniqueConstraint(
            "guild_id",
            "tmdb_id",
            "media_type",
            name=op.f("uq_server_watchlist_guild_id_tmdb_id_media_type"),
        ),
    )
    with op.batch_alter_table("server_watchlist", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_server_watchlist_added_by"), ["added_by"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_server_watchlist_guild_id"), ["guild_id"], unique=False
        )
    op.create_table(
        "movie_nights",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("channel_id", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.Column("candidates", sa.JSON(), nullable=False),
        sa.Column("expires_at", _UTC(timezone=True), nullable=False),
        sa.Column("starts_at", _UTC(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("claimed_until", _UTC(timezone=True), nullable=True),
        sa.Column("winner_title", sa.String(length=255), nullable=True),
        sa.Column("finished_at", _UTC(timezone=True), nullable=True),
        sa.Column("created_at", _UTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["guild_id"],
            ["guilds.id"],
            name=op.f("fk_movie_nights_guild_id_guilds"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_movie_nights")),
        sa.UniqueConstraint("message_id", name=op.f("uq_movie_nights_message_id")),
    )
    with op.batch_alter_table("movie_nights", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_movie_nights_guild_id"), ["guild_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_movie_nights_status_expires_at"), ["status", "expires_at"], unique=False
        )


def downgrade() -> None:
    """Revert this revision (dropping a table drops its indexes; MariaDB refuses to drop an
    index a foreign key needs first)."""
    op.drop_table("movie_nights")
    op.drop_table("server_watchlist")
