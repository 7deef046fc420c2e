"""feedback, conversations and rewards: more voices on an evaluation, and results turned into pay

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 15:07:21

Feedback requests (DESIGN §10) with one live request per reviewer and evaluation held by a partial unique index; the
evaluation's peer score and response count; recorded result conversations; reward runs (§11) and their lines.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.models.types

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reward_runs",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("cycle_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("budget", app.models.types.ExactDecimal(precision=24, scale=8), nullable=True),
        sa.Column("scale", app.models.types.FigureDecimal(), nullable=False),
        sa.Column("total", app.models.types.ExactDecimal(precision=24, scale=8), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=255), nullable=False),
        sa.Column("item_count", sa.Integer(), nullable=False),
        sa.Column("skipped_count", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", app.models.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.models.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["cycle_id"], ["cycles.id"], name=op.f("fk_reward_runs_cycle_id_cycles")),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_reward_runs_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reward_runs")),
    )
    with op.batch_alter_table("reward_runs", schema=None) as batch_op:
        batch_op.create_index("ix_reward_runs_cycle_created", ["cycle_id", "created_at", "id"], unique=False)

    op.create_table(
        "reward_items",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("run_id", sa.Uuid(), nullable=False),
        sa.Column("employee_id", sa.Uuid(), nullable=False),
        sa.Column("base", app.models.types.ExactDecimal(precision=24, scale=8), nullable=False),
        sa.Column("final_rating", sa.String(length=16), nullable=True),
        sa.Column("coefficient", app.models.types.ExactDecimal(precision=24, scale=8), nullable=True),
        sa.Column("amount", app.models.types.ExactDecimal(precision=24, scale=8), nullable=True),
        sa.Column("skipped_reason", sa.String(length=32), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(["employee_id"], ["employees.id"], name=op.f("fk_reward_items_employee_id_employees")),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_reward_items_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["reward_runs.id"], name=op.f("fk_reward_items_run_id_reward_runs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reward_items")),
    )
    with op.batch_alter_table("reward_items", schema=None) as batch_op:
        batch_op.create_index("ix_reward_items_run_employee", ["run_id", "employee_id"], unique=True)

    op.create_table(
        "conversations",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("evaluation_id", sa.Uuid(), nullable=False),
        sa.Column("author_id", sa.Uuid(), nullable=True),
        sa.Column("author_subject", sa.String(length=255), nullable=False),
        sa.Column("held_at", app.models.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("agreed_actions", sa.JSON(), nullable=False),
        sa.Column("employee_comment", sa.Text(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", app.models.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.models.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["author_id"], ["employees.id"], name=op.f("fk_conversations_author_id_employees")),
        sa.ForeignKeyConstraint(
            ["evaluation_id"],
            ["evaluations.id"],
            name=op.f("fk_conversations_evaluation_id_evaluations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_conversations_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversations")),
    )
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.create_index("ix_conversations_evaluation_held", ["evaluation_id", "held_at", "id"], unique=False)

    op.create_table(
        "feedback_requests",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("evaluation_id", sa.Uuid(), nullable=False),
        sa.Column("reviewer_id", sa.Uuid(), nullable=False),
        sa.Column("nominated_by", sa.String(length=255), nullable=False),
        sa.Column("relationship", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("score", app.models.types.ExactDecimal(precision=24, scale=8), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("items", sa.JSON(), nullable=True),
        sa.Column("submitted_at", app.models.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", app.models.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.models.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["evaluation_id"],
            ["evaluations.id"],
            name=op.f("fk_feedback_requests_evaluation_id_evaluations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_feedback_requests_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"], ["employees.id"], name=op.f("fk_feedback_requests_reviewer_id_employees")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback_requests")),
    )
    with op.batch_alter_table("feedback_requests", schema=None) as batch_op:
        batch_op.create_index("ix_feedback_requests_evaluation", ["evaluation_id", "status"], unique=False)
        batch_op.create_index("ix_feedback_requests_org_created", ["organization_id", "created_at", "id"], unique=False)
        batch_op.create_index(
            "ix_feedback_requests_reviewer",
            ["organization_id", "reviewer_id", "status", "created_at", "id"],
            unique=False,
        )
        batch_op.create_index(
            "uq_feedback_requests_live",
            ["evaluation_id", "reviewer_id"],
            unique=True,
            postgresql_where=sa.text("status IN ('requested', 'submitted')"),
            sqlite_where=sa.text("status IN ('requested', 'submitted')"),
        )

    with op.batch_alter_table("evaluations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("peer_score", app.models.types.FigureDecimal(), nullable=True))
        batch_op.add_column(sa.Column("peer_responses", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("evaluations", schema=None) as batch_op:
        batch_op.drop_column("peer_responses")
        batch_op.drop_column("peer_score")

    with op.batch_alter_table("feedback_requests", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_feedback_requests_live",
            postgresql_where=sa.text("status IN ('requested', 'submitted')"),
            sqlite_where=sa.text("status IN ('requested', 'submitted')"),
        )
        batch_op.drop_index("ix_feedback_requests_reviewer")
        batch_op.drop_index("ix_feedback_requests_org_created")
        batch_op.drop_index("ix_feedback_requests_evaluation")

    op.drop_table("feedback_requests")
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.drop_index("ix_conversations_evaluation_held")

    op.drop_table("conversations")
    with op.batch_alter_table("reward_items", schema=None) as batch_op:
        batch_op.drop_index("ix_reward_items_run_employee")

    op.drop_table("reward_items")
    with op.batch_alter_table("reward_runs", schema=None) as batch_op:
        batch_op.drop_index("ix_reward_runs_cycle_created")

    op.drop_table("reward_runs")
