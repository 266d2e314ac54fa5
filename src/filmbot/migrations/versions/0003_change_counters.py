"""change counters instead of per-subscription check stamps

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 10:00:00.000000

`subscriptions.last_checked` was rewritten on every subscription row each update cycle
(100,000 row versions per cycle at 100,000 subscriptions) and nothing read it; when a title
was last checked is already in its snapshot's `fetched_at`. The update engine instead keeps
its plan between cycles and asks `change_counters` whether the subscriptions changed.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import filmbot.db.types

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    counters = op.create_table(
        "change_counters",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_change_counters")),
    )
    op.bulk_insert(counters, [{"name": "subscriptions", "value": 0}])
    with op.batch_alter_table("subscriptions", schema=None) as batch_op:
        batch_op.drop_column("last_checked")


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("subscriptions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("last_checked", filmbot.db.types.UTCDateTime(timezone=True), nullable=True)
        )
    op.drop_table("change_counters")
