"""Cycles, the goal cascade, plans, KPRs, KPIs, check-ins and revisions."""

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, IdMixin, TimestampMixin, utcnow
from app.models.types import ExactDecimal, FigureDecimal, UtcDateTime


class Cycle(IdMixin, TimestampMixin, Base):
    __tablename__ = "cycles"

    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    cadence: Mapped[str] = mapped_column(String(16))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="planning")
    policy: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Goal(IdMixin, TimestampMixin, Base):
    __tablename__ = "goals"
    __table_args__ = (Index("ix_goals_org_updated", "organization_id", "updated_at", "id"),)

    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    cycle_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("cycles.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    level: Mapped[str] = mapped_column(String(16))
    department_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("departments.id"), index=True)
    parent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("goals.id"), index=True)
    weight: Mapped[Decimal] = mapped_column(ExactDecimal, default=Decimal(1))
    # Derived (DESIGN §15): kept current by app.figures whenever a child goal or an aligned KPR changes.
    progress: Mapped[Decimal | None] = mapped_column(FigureDecimal)
    # The goal this one was rolled over from (DESIGN §12): a second rollover finds it and copies nothing twice.
    source_goal_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)


class Plan(IdMixin, TimestampMixin, Base):
    __tablename__ = "plans"
    __table_args__ = (
        # One plan per employee and cycle; led by the cycle, it also serves a cycle's plans.
        UniqueConstraint("cycle_id", "employee_id"),
        # What an evaluation's one composite foreign key refers to (app.models.evaluation): the plan with its scope.
        UniqueConstraint("id", "organization_id", "cycle_id", "employee_id"),
    )

    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    cycle_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cycles.id"))
    employee_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("employees.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="draft")


class Kpr(IdMixin, TimestampMixin, Base):
    __tablename__ = "kprs"
    __table_args__ = (
        Index("ix_kprs_cycle_owner", "cycle_id", "owner_id"),
        Index("ix_kprs_org_metric_key", "organization_id", "metric_key"),
        Index("ix_kprs_org_updated", "organization_id", "updated_at", "id"),
    )

    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    plan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("plans.id"), index=True)
    cycle_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cycles.id"))
    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("employees.id"), index=True)
    goal_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("goals.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    unit: Mapped[str | None] = mapped_column(String(32))
    direction: Mapped[str] = mapped_column(String(16))
    baseline: Mapped[Decimal] = mapped_column(ExactDecimal)
    target: Mapped[Decimal] = mapped_column(ExactDecimal)
    threshold: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    stretch: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    tolerance: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    weight: Mapped[Decimal] = mapped_column(ExactDecimal)
    goal_weight: Mapped[Decimal] = mapped_column(ExactDecimal, default=Decimal(1))
    due_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="active")
    template_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    # The KPR this one was rolled over from (DESIGN §12).
    source_kpr_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)
    # What a BI or ERP system pushes figures under (DESIGN §14): one key may track many KPRs and KPIs.
    metric_key: Mapped[str | None] = mapped_column(String(100))
    # Derived (DESIGN §15): kept current by app.figures in the transaction that changes an input (a check-in, the
    # definition, the cycle's policy or dates, the goal chain). ``smart`` keeps statuses and message codes with their
    # parameters, rendered in the reader's language; NULL only until the first refresh after an upgrade.
    current_value: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    achievement: Mapped[Decimal | None] = mapped_column(FigureDecimal)
    progress: Mapped[Decimal | None] = mapped_column(FigureDecimal)
    score: Mapped[Decimal | None] = mapped_column(FigureDecimal)
    smart: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))


class Kpi(IdMixin, TimestampMixin, Base):
    __tablename__ = "kpis"
    __table_args__ = (Index("ix_kpis_org_metric_key", "organization_id", "metric_key"),)

    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    kpr_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("kprs.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(300))
    unit: Mapped[str | None] = mapped_column(String(32))
    direction: Mapped[str] = mapped_column(String(16))
    baseline: Mapped[Decimal] = mapped_column(ExactDecimal)
    target: Mapped[Decimal] = mapped_column(ExactDecimal)
    frequency: Mapped[str] = mapped_column(String(16))
    source_kpi_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    metric_key: Mapped[str | None] = mapped_column(String(100))


class CheckIn(IdMixin, Base):
    """Append-only measurements of a KPR or of a KPI."""

    __tablename__ = "check_ins"
    __table_args__ = (
        CheckConstraint("(kpr_id IS NULL) <> (kpi_id IS NULL)", name="one_subject"),
        CheckConstraint("confidence IS NULL OR (confidence >= 0 AND confidence <= 10)", name="confidence_range"),
        Index("ix_check_ins_kpr_recorded", "kpr_id", "recorded_at", "id"),
        Index("ix_check_ins_kpi_recorded", "kpi_id", "recorded_at", "id"),
    )

    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    kpr_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("kprs.id", ondelete="CASCADE"))
    kpi_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("kpis.id", ondelete="CASCADE"))
    value: Mapped[Decimal] = mapped_column(ExactDecimal)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)
    note: Mapped[str | None] = mapped_column(Text)
    confidence: Mapped[int | None] = mapped_column(Integer)
    author_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("employees.id"))
    author: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # Where a pushed figure came from and its id there (POST /check-ins/bulk): the key of its idempotency.
    source: Mapped[str | None] = mapped_column(String(100))
    external_id: Mapped[str | None] = mapped_column(String(200))


# A pushed figure is stored once (DESIGN §14): a repeat of (source, external_id) on the same KPR or KPI is found by
# this index, even when concurrent retries race (the subject is whichever of kpr_id and kpi_id is set).
Index(
    "uq_check_ins_pushed",
    CheckIn.organization_id,
    CheckIn.source,
    CheckIn.external_id,
    func.coalesce(CheckIn.kpr_id, CheckIn.kpi_id),
    unique=True,
    postgresql_where=text("external_id IS NOT NULL"),
    sqlite_where=text("external_id IS NOT NULL"),
)


class Revision(IdMixin, TimestampMixin, Base):
    __tablename__ = "revisions"

    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    kpr_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("kprs.id", ondelete="CASCADE"), index=True)
    changes: Mapped[dict[str, Any]] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    requested_by: Mapped[str] = mapped_column(String(255))
    decided_by: Mapped[str | None] = mapped_column(String(255))
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
