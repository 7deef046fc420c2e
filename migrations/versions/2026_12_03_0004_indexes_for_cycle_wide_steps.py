"""indexes for cycle-wide steps: evaluations by cycle and state, KPRs of a cycle by id

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 14:00:00

Closing a cycle pages through its evaluations in calibration by id, and the blockers and the summary count its
evaluations by state; a policy change refreshes a cycle's KPRs in keyset chunks by id.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("evaluations", schema=None) as batch_op:
        batch_op.create_index("ix_evaluations_cycle_status", ["cycle_id", "status", "id"], unique=False)

    with op.batch_alter_table("kprs", schema=None) as batch_op:
        batch_op.create_index("ix_kprs_cycle_id", ["cycle_id", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("kprs", schema=None) as batch_op:
        batch_op.drop_index("ix_kprs_cycle_id")

    with op.batch_alter_table("evaluations", schema=None) as batch_op:
        batch_op.drop_index("ix_evaluations_cycle_status")
