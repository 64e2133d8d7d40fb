"""customer plan key: the fingerprint of what the customer's current plan was made from

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02 11:50:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("customer", schema=None) as batch_op:
        batch_op.add_column(sa.Column("plan_key", sa.String(length=64), nullable=True))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("customer", schema=None) as batch_op:
        batch_op.drop_column("plan_key")
