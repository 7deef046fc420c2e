"""More voices, and accepting the result (DESIGN §10): feedback requests to reviewers, and result conversations."""

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, IdMixin, TimestampMixin
from app.models.types import ExactDecimal, UtcDateTime


class FeedbackRequest(IdMixin, TimestampMixin, Base):
    """A request for peer, upward or cross-functional feedback on one evaluation, answered by one reviewer."""

    __tablename__ = "feedback_requests"
    __table_args__ = (
        # One live request per reviewer and evaluation, enforced by the database so that racing nominations cannot
        # both win (a declined or cancelled request may be asked again).
        Index(
            "uq_feedback_requests_live",
            "evaluation_id",
            "reviewer_id",
            unique=True,
            postgresql_where=text("status IN ('requested', 'submitted')"),
            sqlite_where=text("status IN ('requested', 'submitted')"),
        ),
        # A reviewer's requests (their task list and GET /feedback-requests?reviewer_id=), in list order.
        Index("ix_feedback_requests_reviewer", "organization_id", "reviewer_id", "status", "created_at", "id"),
        Index("ix_feedback_requests_evaluation", "evaluation_id", "status"),
        Index("ix_feedback_requests_org_created", "organization_id", "created_at", "id"),
    )

    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    evaluation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("evaluations.id", ondelete="CASCADE"))
    reviewer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("employees.id"))
    # Who asked: the subject of the caller (an admin need not be an employee).
    nominated_by: Mapped[str] = mapped_column(String(255))
    relationship: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="requested")
    due_date: Mapped[date | None] = mapped_column(Date)
    message: Mapped[str | None] = mapped_column(Text)
    score: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    comment: Mapped[str | None] = mapped_column(Text)
    items: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    submitted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Conversation(IdMixin, TimestampMixin, Base):
    """A recorded result conversation (绩效面谈) between the employee and a manager or HR."""

    __tablename__ = "conversations"
    __table_args__ = (Index("ix_conversations_evaluation_held", "evaluation_id", "held_at", "id"),)

    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    evaluation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("evaluations.id", ondelete="CASCADE"))
    # The author's employee record; null for an admin (HR) who has none.
    author_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("employees.id"))
    # The author's subject, which decides who may edit (an admin without an employee record included).
    author_subject: Mapped[str] = mapped_column(String(255))
    held_at: Mapped[datetime] = mapped_column(UtcDateTime)
    notes: Mapped[str] = mapped_column(Text)
    agreed_actions: Mapped[list[str]] = mapped_column(JSON, default=list)
    employee_comment: Mapped[str | None] = mapped_column(Text)
