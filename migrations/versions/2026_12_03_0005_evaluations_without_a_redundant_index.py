"""evaluations without a redundant index: organization_id alone leads two other indexes

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 13:00:00

``ix_evaluations_org_created`` and ``ix_evaluations_org_cycle_created`` both lead with organization_id and serve every
lookup the single-column index served; entering review inserts a whole cycle's evaluations at once, and each index
is one more entry to write per evaluation.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("evaluations", schema=None) as batch_op:
        batch_op.drop_index("ix_evaluations_organization_id")


def downgrade() -> None:
    with op.batch_alter_table("evaluations", schema=None) as batch_op:
        batch_op.create_index("ix_evaluations_organization_id", ["organization_id"], unique=False)
