"""One employee's review for one cycle."""

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, ForeignKeyConstraint, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, IdMixin, TimestampMixin
from app.models.types import ExactDecimal, FigureDecimal, UtcDateTime


class Evaluation(IdMixin, TimestampMixin, Base):
    __tablename__ = "evaluations"
    __table_args__ = (
        # An evaluation's organization, cycle and employee are its plan's. One composite foreign key says so, and
        # checks it with one probe of the plan per row where four single-column keys took four probes (entering review
        # inserts a whole cycle's evaluations at once). A tenant's deletion reaches them through their plans.
        ForeignKeyConstraint(
            ["plan_id", "organization_id", "cycle_id", "employee_id"],
            ["plans.id", "plans.organization_id", "plans.cycle_id", "plans.employee_id"],
            ondelete="CASCADE",
        ),
        # One evaluation per employee and cycle; led by the employee, it also serves an employee's evaluations (a
        # cycle's are served by ix_evaluations_cycle_status).
        UniqueConstraint("employee_id", "cycle_id"),
        Index("ix_evaluations_org_created", "organization_id", "created_at", "id"),
        # A cycle's evaluations (it replaced the index on cycle_id alone, which it serves): cycle-wide steps page
        # through one state by id (closing finalizes those in calibration) and count the states (blockers, summary).
        Index("ix_evaluations_cycle_status", "cycle_id", "status", "id"),
        # A page of one cycle's evaluations (GET /evaluations?cycle_id=) in list order, whatever the cycle's size:
        # without it the planner gathers the whole cycle and sorts it (48 ms at 50,000, against 0.2 ms).
        Index("ix_evaluations_org_cycle_created", "organization_id", "cycle_id", "created_at", "id"),
        Index("ix_evaluations_org_updated", "organization_id", "updated_at", "id"),
        # The reviews waiting for one reviewer (GET /me/tasks: manager_review), without reading the organization's.
        Index("ix_evaluations_reviewer_status", "reviewer_id", "status"),
    )

    organization_id: Mapped[uuid.UUID] = mapped_column()
    cycle_id: Mapped[uuid.UUID] = mapped_column()
    employee_id: Mapped[uuid.UUID] = mapped_column()
    plan_id: Mapped[uuid.UUID] = mapped_column(index=True)
    reviewer_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("employees.id"))
    status: Mapped[str] = mapped_column(String(16), default="self_review")
    self_score: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    self_comment: Mapped[str | None] = mapped_column(Text)
    self_items: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    manager_score: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    manager_comment: Mapped[str | None] = mapped_column(Text)
    manager_items: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    calibrated_rating: Mapped[str | None] = mapped_column(String(16))
    calibration_reason: Mapped[str | None] = mapped_column(Text)
    # Derived (DESIGN §15): kept current by app.figures until finalization, then frozen with the snapshot.
    results_score: Mapped[Decimal | None] = mapped_column(FigureDecimal)
    final_score: Mapped[Decimal | None] = mapped_column(FigureDecimal)
    rating: Mapped[str | None] = mapped_column(String(16))
    # §10: the mean score of the submitted feedback responses (null below policy.peer_min_responses), and their count.
    peer_score: Mapped[Decimal | None] = mapped_column(FigureDecimal)
    peer_responses: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Frozen at finalization: the policy and KPR inputs that produced the figures, and the figures themselves.
    snapshot: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    finalized_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
