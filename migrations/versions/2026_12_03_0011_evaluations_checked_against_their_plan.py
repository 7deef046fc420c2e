"""an evaluation's scope is checked against its plan by one composite foreign key

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 22:30:00

Entering review inserts a whole cycle's evaluations in one transaction, and every foreign key is one probe per row:
the organization, the cycle, the employee and the plan were four. An evaluation's organization, cycle and employee are
its plan's, so one key on (plan_id, organization_id, cycle_id, employee_id) → plans says more (they match the plan,
not merely exist) with one probe. A tenant's deletion reaches the evaluations through their plans (ON DELETE CASCADE).

The unique pair is led by the employee instead of the cycle, so it also serves an employee's evaluations and the index
on employee_id alone goes (a cycle's evaluations are served by ix_evaluations_cycle_status). On plans, the index on
cycle_id alone served nothing the unique (cycle_id, employee_id) does not, and goes too.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PLAN_SCOPE = ["id", "organization_id", "cycle_id", "employee_id"]


def upgrade() -> None:
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.drop_index("ix_plans_cycle_id")
        batch_op.create_unique_constraint(op.f("uq_plans_id_organization_id_cycle_id_employee_id"), PLAN_SCOPE)
    with op.batch_alter_table("evaluations", schema=None) as batch_op:
        batch_op.drop_constraint("fk_evaluations_organization_id_organizations", type_="foreignkey")
        batch_op.drop_constraint("fk_evaluations_cycle_id_cycles", type_="foreignkey")
        batch_op.drop_constraint("fk_evaluations_employee_id_employees", type_="foreignkey")
        batch_op.drop_constraint("fk_evaluations_plan_id_plans", type_="foreignkey")
        batch_op.create_foreign_key(
            op.f("fk_evaluations_plan_id_plans"),
            "plans",
            ["plan_id", "organization_id", "cycle_id", "employee_id"],
            PLAN_SCOPE,
            ondelete="CASCADE",
        )
        batch_op.drop_index("ix_evaluations_employee_id")
        batch_op.drop_constraint("uq_evaluations_cycle_id_employee_id", type_="unique")
        batch_op.create_unique_constraint(op.f("uq_evaluations_employee_id_cycle_id"), ["employee_id", "cycle_id"])


def downgrade() -> None:
    with op.batch_alter_table("evaluations", schema=None) as batch_op:
        batch_op.drop_constraint("uq_evaluations_employee_id_cycle_id", type_="unique")
        batch_op.create_unique_constraint(op.f("uq_evaluations_cycle_id_employee_id"), ["cycle_id", "employee_id"])
        batch_op.create_index("ix_evaluations_employee_id", ["employee_id"], unique=False)
        batch_op.drop_constraint("fk_evaluations_plan_id_plans", type_="foreignkey")
        batch_op.create_foreign_key(op.f("fk_evaluations_plan_id_plans"), "plans", ["plan_id"], ["id"])
        batch_op.create_foreign_key(op.f("fk_evaluations_employee_id_employees"), "employees", ["employee_id"], ["id"])
        batch_op.create_foreign_key(op.f("fk_evaluations_cycle_id_cycles"), "cycles", ["cycle_id"], ["id"])
        batch_op.create_foreign_key(
            op.f("fk_evaluations_organization_id_organizations"),
            "organizations",
            ["organization_id"],
            ["id"],
            ondelete="CASCADE",
        )
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.drop_constraint("uq_plans_id_organization_id_cycle_id_employee_id", type_="unique")
        batch_op.create_index("ix_plans_cycle_id", ["cycle_id"], unique=False)
