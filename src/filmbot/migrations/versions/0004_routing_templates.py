"""channels per kind and per subscription, notification templates

Revision ID: 0004_routing_templates
Revises: 0003
Create Date: 2026-12-03 12:30:00.000000

A server can send film and TV notifications to their own channels (`guilds.movie_channel_id`,
`guilds.tv_channel_id`) and give one subscription its own channel
(`subscriptions.channel_id`); each falls back to the notification channel. The text written
above each kind of notification is kept per server in `guilds.notification_templates`. A
ledger row remembers the channel its claim sends it to (`update_deliveries.channel_id`), so
that a message a crashed run had in flight is resent to the same channel with the same nonce
even when the routing changed meanwhile.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_routing_templates"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("guilds", schema=None) as batch_op:
        batch_op.add_column(sa.Column("movie_channel_id", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("tv_channel_id", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("notification_templates", sa.JSON(), nullable=True))
    with op.batch_alter_table("subscriptions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("channel_id", sa.BigInteger(), nullable=True))
    with op.batch_alter_table("update_deliveries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("channel_id", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    """Revert this revision.

    Columns are dropped in place (SQLite 3.35 and later can): rebuilding `guilds` the way a
    batch operation does on SQLite would cascade-delete every row that references it.
    """
    for table, column in (
        ("update_deliveries", "channel_id"),
        ("subscriptions", "channel_id"),
        ("guilds", "notification_templates"),
        ("guilds", "tv_channel_id"),
        ("guilds", "movie_channel_id"),
    ):
        if op.get_bind().dialect.name == "sqlite":
            op.execute(sa.text(f"ALTER TABLE {table} DROP COLUMN {column}"))
        else:
            op.drop_column(table, column)
