"""stored figures: KPR figures and SMART report, goal progress, evaluation figures kept current on write

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 09:00:00

The new columns start empty (a KPR's ``smart`` NULL marks "never computed"); ``kpr migrate`` (and so ``kpr serve``)
fills them right after upgrading, through the one engine (``app.figures.backfill``), so no engine code is copied here.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.models.types

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("kprs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("current_value", app.models.types.ExactDecimal(), nullable=True))
        batch_op.add_column(sa.Column("achievement", app.models.types.FigureDecimal(), nullable=True))
        batch_op.add_column(sa.Column("progress", app.models.types.FigureDecimal(), nullable=True))
        batch_op.add_column(sa.Column("score", app.models.types.FigureDecimal(), nullable=True))
        batch_op.add_column(sa.Column("smart", sa.JSON(), nullable=True))

    with op.batch_alter_table("goals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("progress", app.models.types.FigureDecimal(), nullable=True))

    with op.batch_alter_table("evaluations", schema=None) as batch_op:
        batch_op.alter_column(
            "results_score",
            existing_type=app.models.types.ExactDecimal(),
            type_=app.models.types.FigureDecimal(),
            existing_nullable=True,
        )
        batch_op.alter_column(
            "final_score",
            existing_type=app.models.types.ExactDecimal(),
            type_=app.models.types.FigureDecimal(),
            existing_nullable=True,
        )


def downgrade() -> None:
    with op.batch_alter_table("evaluations", schema=None) as batch_op:
        batch_op.alter_column(
            "final_score",
            existing_type=app.models.types.FigureDecimal(),
            type_=app.models.types.ExactDecimal(),
            existing_nullable=True,
        )
        batch_op.alter_column(
            "results_score",
            existing_type=app.models.types.FigureDecimal(),
            type_=app.models.types.ExactDecimal(),
            existing_nullable=True,
        )

    with op.batch_alter_table("goals", schema=None) as batch_op:
        batch_op.drop_column("progress")

    with op.batch_alter_table("kprs", schema=None) as batch_op:
        batch_op.drop_column("smart")
        batch_op.drop_column("score")
        batch_op.drop_column("progress")
        batch_op.drop_column("achievement")
        batch_op.drop_column("current_value")
