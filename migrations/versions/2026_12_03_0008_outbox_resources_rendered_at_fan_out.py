"""outbox resources rendered at fan-out: bulk changes record their events set-based

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 15:40:00

Closing a cycle finalizes every evaluation in SQL and records one evaluation.transitioned event each in the same
statement; the resource each event carries is named by (resource_type, resource_id) and rendered at fan-out.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("resource_type", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("resource_id", sa.Uuid(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox_events", schema=None) as batch_op:
        batch_op.drop_column("resource_id")
        batch_op.drop_column("resource_type")
