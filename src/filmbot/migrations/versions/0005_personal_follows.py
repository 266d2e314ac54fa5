"""personal follows, members' notification settings and the direct-message ledger

Revision ID: 0005_personal_follows
Revises: 0003
Create Date: 2026-12-03 12:00:00.000000

A member follows titles personally and is told by direct message. `member_deliveries` is
the delivery ledger of those messages (the recipient is the member); its rows are claimed,
leased and marked exactly like `update_deliveries`. `member_notify_settings` holds quiet
hours, the digest choice, the cached DM channel and whether Discord refused DMs.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import filmbot.db.types

revision: str = "0005_personal_follows"
down_revision: str | None = "0004_routing_templates"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_MEDIA = sa.Enum("movie", "tv", name="media_type", native_enum=False, length=8)
_WHEN = filmbot.db.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "personal_follows",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("media_type", _MEDIA, nullable=False),
        sa.Column("tmdb_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("poster_path", sa.String(length=255), nullable=True),
        sa.Column("notify_release", sa.Boolean(), nullable=False),
        sa.Column("notify_update", sa.Boolean(), nullable=False),
        sa.Column("followed_at", _WHEN, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_personal_follows")),
        sa.UniqueConstraint(
            "user_id",
            "media_type",
            "tmdb_id",
            name=op.f("uq_personal_follows_user_id_media_type_tmdb_id"),
        ),
    )
    with op.batch_alter_table("personal_follows", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_personal_follows_media_type_tmdb_id"),
            ["media_type", "tmdb_id"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_personal_follows_user_id"), ["user_id"], unique=False)
    op.create_table(
        "member_notify_settings",
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("region", sa.String(length=2), nullable=False),
        sa.Column("quiet_start", sa.String(length=5), nullable=True),
        sa.Column("quiet_end", sa.String(length=5), nullable=True),
        sa.Column("digest", sa.String(length=10), nullable=False),
        sa.Column("dm_channel_id", sa.BigInteger(), nullable=True),
        sa.Column("dm_blocked_at", _WHEN, nullable=True),
        sa.Column("dm_block_told", sa.Boolean(), nullable=False),
        sa.Column("digest_day", sa.String(length=10), nullable=True),
        sa.Column("updated_at", _WHEN, nullable=False),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_member_notify_settings")),
    )
    op.create_table(
        "member_deliveries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("media_type", _MEDIA, nullable=False),
        sa.Column("tmdb_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("event_key", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("expires_at", _WHEN, nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("claimed_by", sa.String(length=40), nullable=True),
        sa.Column("claimed_until", _WHEN, nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=300), nullable=True),
        sa.Column("delivered_at", _WHEN, nullable=True),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("digest_day", sa.String(length=10), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_member_deliveries")),
        sa.UniqueConstraint(
            "user_id",
            "media_type",
            "tmdb_id",
            "kind",
            "event_key",
            name=op.f("uq_member_deliveries_user_id_media_type_tmdb_id_kind_event_key"),
        ),
    )
    with op.batch_alter_table("member_deliveries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_member_deliveries_expires_at"), ["expires_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_member_deliveries_user_id"), ["user_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_member_deliveries_status_user_id"), ["status", "user_id"], unique=False
        )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("member_deliveries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_member_deliveries_status_user_id"))
        batch_op.drop_index(batch_op.f("ix_member_deliveries_user_id"))
        batch_op.drop_index(batch_op.f("ix_member_deliveries_expires_at"))
    op.drop_table("member_deliveries")
    op.drop_table("member_notify_settings")
    with op.batch_alter_table("personal_follows", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_personal_follows_user_id"))
        batch_op.drop_index(batch_op.f("ix_personal_follows_media_type_tmdb_id"))
    op.drop_table("personal_follows")
