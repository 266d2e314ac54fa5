"""social: member-to-member recommendations, member preferences, the activity channel

Revision ID: 0007_social_feed
Revises: 0003
Create Date: 2026-12-03 12:30:00.000000

`member_preferences` holds each member's opt-ins (recommendations from others, on by default;
activity feed posts, off by default). `member_recommendations` holds what members recommended to
each other, shown at the top of the recipient's next /recommend. `guilds.activity_channel_id` is
the channel the activity feed posts to (none: the feed is off).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import filmbot.db.types

revision: str = "0007_social_feed"
down_revision: str | None = "0005_personal_follows"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("guilds", schema=None) as batch_op:
        batch_op.add_column(sa.Column("activity_channel_id", sa.BigInteger(), nullable=True))
    op.create_table(
        "member_preferences",
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("recommendations", sa.Boolean(), nullable=False),
        sa.Column("activity", sa.Boolean(), nullable=False),
        sa.Column("updated_at", filmbot.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_member_preferences")),
    )
    op.create_table(
        "member_recommendations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("sender_id", sa.BigInteger(), nullable=False),
        sa.Column("sender_name", sa.String(length=100), nullable=False),
        sa.Column("recipient_id", sa.BigInteger(), nullable=False),
        sa.Column("tmdb_id", sa.Integer(), nullable=False),
        sa.Column(
            "media_type",
            sa.Enum("movie", "tv", name="media_type", native_enum=False, length=8),
            nullable=False,
        ),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.Column("created_at", filmbot.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("shown_at", filmbot.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["guild_id"],
            ["guilds.id"],
            name=op.f("fk_member_recommendations_guild_id_guilds"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_member_recommendations")),
    )
    with op.batch_alter_table("member_recommendations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_member_recommendations_sender_id_recipient_id_created_at"),
            ["sender_id", "recipient_id", "created_at"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_member_recommendations_guild_id_recipient_id_shown_at"),
            ["guild_id", "recipient_id", "shown_at"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_member_recommendations_recipient_id"), ["recipient_id"], unique=False
        )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("member_recommendations")
    op.drop_table("member_preferences")
    with op.batch_alter_table("guilds", schema=None) as batch_op:
        batch_op.drop_column("activity_channel_id")
