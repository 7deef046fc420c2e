"""indexes for cycle-wide steps: a cycle's evaluations by state and id, and in list order

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 14:00:00

Closing a cycle pages through its evaluations in calibration by id; the blockers and the summary count its evaluations
by state. The new index leads with cycle_id, so it replaces the index on cycle_id alone (one index fewer to maintain
when a cycle's evaluations are inserted at once). A page of one cycle's evaluations reads the (organization, cycle,
created_at, id) index in list order, so its cost does not grow with the cycle.
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
        batch_op.drop_index("ix_evaluations_cycle_id")
        batch_op.create_index(
            "ix_evaluations_org_cycle_created", ["organization_id", "cycle_id", "created_at", "id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("evaluations", schema=None) as batch_op:
        batch_op.drop_index("ix_evaluations_org_cycle_created")
        batch_op.create_index("ix_evaluations_cycle_id", ["cycle_id"], unique=False)
        batch_op.drop_index("ix_evaluations_cycle_status")
