"""person follows: servers and members follow people; the credits already known

Revision ID: 0010_person_follows
Revises: 0006_server_watchlist
Create Date: 2026-12-03 13:15:00.000000

`person_follows` holds a server's (`guild_id`) or a member's (`user_id`) follow of a TMDB
person; `person_snapshots` keeps, per engine scope, the credits of each followed person the
update engine has already seen, so that only credits new after the follow are announced.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import filmbot.db.types

revision: str = "0010_person_follows"
down_revision: str | None = "0009_rating_updated_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_WHEN = filmbot.db.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "person_follows",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=True),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("profile_path", sa.String(length=255), nullable=True),
        sa.Column("followed_at", _WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["guild_id"],
            ["guilds.id"],
            name=op.f("fk_person_follows_guild_id_guilds"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_follows")),
        sa.UniqueConstraint(
            "guild_id", "person_id", name=op.f("uq_person_follows_guild_id_person_id")
        ),
        sa.UniqueConstraint(
            "user_id", "person_id", name=op.f("uq_person_follows_user_id_person_id")
        ),
    )
    with op.batch_alter_table("person_follows", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_person_follows_guild_id"), ["guild_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_person_follows_user_id"), ["user_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_person_follows_person_id"), ["person_id"], unique=False
        )
    op.create_table(
        "person_snapshots",
        sa.Column("scope", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("known", sa.JSON(), nullable=False),
        sa.Column("fetched_at", _WHEN, nullable=False),
        sa.PrimaryKeyConstraint("scope", "person_id", name=op.f("pk_person_snapshots")),
    )


def downgrade() -> None:
    """Revert this revision (dropping a table drops its indexes and foreign key)."""
    op.drop_table("person_snapshots")
    op.drop_table("person_follows")
