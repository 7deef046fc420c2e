"""comments, tasks and reminders; rollover sources; pushed figures and incremental reads

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 15:17:45

Working together (DESIGN §12): comments with mentions, the mention tasks, the reminders sent (one per task, day and
kind), evaluations indexed by reviewer (the reviews waiting for one); goals, KPRs and KPIs remember what they were
rolled over from. Sync in (§14): KPRs and KPIs carry a metric key, pushed check-ins their (source, external_id) held
unique per subject, and the five lists an (updated_at, id) index.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.models.types

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reminders",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("task_id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("sent_at", app.models.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_reminders_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminders")),
        sa.UniqueConstraint("task_id", "day", "kind", name=op.f("uq_reminders_task_id_day_kind")),
    )
    op.create_table(
        "comments",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("entity_type", sa.String(length=16), nullable=False),
        sa.Column("entity_id", sa.Uuid(), nullable=False),
        sa.Column("author_id", sa.Uuid(), nullable=True),
        sa.Column("author_subject", sa.String(length=255), nullable=False),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("mention_ids", sa.JSON(), nullable=False),
        sa.Column("edited_at", app.models.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("deleted_at", app.models.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", app.models.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.models.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["author_id"], ["employees.id"], name=op.f("fk_comments_author_id_employees")),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_comments_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comments")),
    )
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_comments_thread", ["organization_id", "entity_type", "entity_id", "created_at", "id"], unique=False
        )

    op.create_table(
        "tasks",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("employee_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("entity_type", sa.String(length=16), nullable=False),
        sa.Column("entity_id", sa.Uuid(), nullable=False),
        sa.Column("comment_id", sa.Uuid(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("due_at", app.models.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("done_at", app.models.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", app.models.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.models.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["comment_id"], ["comments.id"], name=op.f("fk_tasks_comment_id_comments"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["employee_id"], ["employees.id"], name=op.f("fk_tasks_employee_id_employees")),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_tasks_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tasks")),
    )
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.create_index("ix_tasks_employee_status", ["employee_id", "status", "created_at", "id"], unique=False)

    with op.batch_alter_table("check_ins", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("external_id", sa.String(length=200), nullable=True))
    op.create_index(
        "uq_check_ins_pushed",
        "check_ins",
        ["organization_id", "source", "external_id", sa.text("coalesce(kpr_id, kpi_id)")],
        unique=True,
        postgresql_where=sa.text("external_id IS NOT NULL"),
        sqlite_where=sa.text("external_id IS NOT NULL"),
    )

    with op.batch_alter_table("departments", schema=None) as batch_op:
        batch_op.create_index("ix_departments_org_updated", ["organization_id", "updated_at", "id"], unique=False)

    with op.batch_alter_table("employees", schema=None) as batch_op:
        batch_op.create_index("ix_employees_org_updated", ["organization_id", "updated_at", "id"], unique=False)

    with op.batch_alter_table("evaluations", schema=None) as batch_op:
        batch_op.create_index("ix_evaluations_org_updated", ["organization_id", "updated_at", "id"], unique=False)
        batch_op.create_index("ix_evaluations_reviewer_status", ["reviewer_id", "status"], unique=False)

    with op.batch_alter_table("goals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source_goal_id", sa.Uuid(), nullable=True))
        batch_op.create_index("ix_goals_org_updated", ["organization_id", "updated_at", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_goals_source_goal_id"), ["source_goal_id"], unique=False)

    with op.batch_alter_table("kpis", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source_kpi_id", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("metric_key", sa.String(length=100), nullable=True))
        batch_op.create_index("ix_kpis_org_metric_key", ["organization_id", "metric_key"], unique=False)

    with op.batch_alter_table("kprs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source_kpr_id", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("metric_key", sa.String(length=100), nullable=True))
        batch_op.create_index("ix_kprs_org_metric_key", ["organization_id", "metric_key"], unique=False)
        batch_op.create_index("ix_kprs_org_updated", ["organization_id", "updated_at", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_kprs_source_kpr_id"), ["source_kpr_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("kprs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_kprs_source_kpr_id"))
        batch_op.drop_index("ix_kprs_org_updated")
        batch_op.drop_index("ix_kprs_org_metric_key")
        batch_op.drop_column("metric_key")
        batch_op.drop_column("source_kpr_id")

    with op.batch_alter_table("kpis", schema=None) as batch_op:
        batch_op.drop_index("ix_kpis_org_metric_key")
        batch_op.drop_column("metric_key")
        batch_op.drop_column("source_kpi_id")

    with op.batch_alter_table("goals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_goals_source_goal_id"))
        batch_op.drop_index("ix_goals_org_updated")
        batch_op.drop_column("source_goal_id")

    with op.batch_alter_table("evaluations", schema=None) as batch_op:
        batch_op.drop_index("ix_evaluations_reviewer_status")
        batch_op.drop_index("ix_evaluations_org_updated")

    with op.batch_alter_table("employees", schema=None) as batch_op:
        batch_op.drop_index("ix_employees_org_updated")

    with op.batch_alter_table("departments", schema=None) as batch_op:
        batch_op.drop_index("ix_departments_org_updated")

    op.drop_index("uq_check_ins_pushed", table_name="check_ins")
    with op.batch_alter_table("check_ins", schema=None) as batch_op:
        batch_op.drop_column("external_id")
        batch_op.drop_column("source")

    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_index("ix_tasks_employee_status")

    op.drop_table("tasks")
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.drop_index("ix_comments_thread")

    op.drop_table("comments")
    op.drop_table("reminders")
