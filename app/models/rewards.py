"""From results to rewards (DESIGN §11): a reward run turns a closed cycle's final ratings into amounts."""

import uuid
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, IdMixin, TimestampMixin
from app.models.types import ExactDecimal, FigureDecimal


class RewardRun(IdMixin, TimestampMixin, Base):
    __tablename__ = "reward_runs"
    __table_args__ = (Index("ix_reward_runs_cycle_created", "cycle_id", "created_at", "id"),)

    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    cycle_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cycles.id"))
    status: Mapped[str] = mapped_column(String(16), default="draft")
    currency: Mapped[str] = mapped_column(String(3))
    budget: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    # budget / Σ base·coefficient to 40 significant digits, as the arithmetic made it (app/scoring/rewards.py): a
    # figure column, so it is kept exactly on SQLite too (a NUMERIC there goes through float) and is not capped in size.
    scale: Mapped[Decimal] = mapped_column(FigureDecimal)
    total: Mapped[Decimal] = mapped_column(ExactDecimal)
    note: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(255))
    item_count: Mapped[int] = mapped_column(Integer, default=0)
    skipped_count: Mapped[int] = mapped_column(Integer, default=0)


class RewardItem(IdMixin, Base):
    """One employee's line of a run: an amount, or the reason they were skipped (then the figures are null)."""

    __tablename__ = "reward_items"
    __table_args__ = (Index("ix_reward_items_run_employee", "run_id", "employee_id", unique=True),)

    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    run_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("reward_runs.id", ondelete="CASCADE"))
    employee_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("employees.id"))
    base: Mapped[Decimal] = mapped_column(ExactDecimal)
    final_rating: Mapped[str | None] = mapped_column(String(16))
    coefficient: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    amount: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    skipped_reason: Mapped[str | None] = mapped_column(String(32))
