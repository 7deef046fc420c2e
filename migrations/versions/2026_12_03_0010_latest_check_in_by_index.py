"""the latest check-in of a KPR or KPI is one index probe

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 19:30:00

"Latest" is the newest by (recorded_at, id). With id in the index, finding it reads one entry, also when many
check-ins share a moment (a metric pushed at the same timestamp): before, every tie was read and sorted.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("check_ins", schema=None) as batch_op:
        batch_op.drop_index("ix_check_ins_kpr_recorded")
        batch_op.drop_index("ix_check_ins_kpi_recorded")
        batch_op.create_index("ix_check_ins_kpr_recorded", ["kpr_id", "recorded_at", "id"], unique=False)
        batch_op.create_index("ix_check_ins_kpi_recorded", ["kpi_id", "recorded_at", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("check_ins", schema=None) as batch_op:
        batch_op.drop_index("ix_check_ins_kpr_recorded")
        batch_op.drop_index("ix_check_ins_kpi_recorded")
        batch_op.create_index("ix_check_ins_kpr_recorded", ["kpr_id", "recorded_at"], unique=False)
        batch_op.create_index("ix_check_ins_kpi_recorded", ["kpi_id", "recorded_at"], unique=False)
