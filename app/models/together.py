"""Working together (DESIGN §12): comments with mentions, the stored tasks (mentions), and the reminders sent."""

import uuid
from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, IdMixin, TimestampMixin, utcnow
from app.models.types import UtcDateTime


class Comment(IdMixin, TimestampMixin, Base):
    __tablename__ = "comments"
    __table_args__ = (Index("ix_comments_thread", "organization_id", "entity_type", "entity_id", "created_at", "id"),)

    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    entity_type: Mapped[str] = mapped_column(String(16))
    entity_id: Mapped[uuid.UUID] = mapped_column()
    # The author's employee record (null for an admin who has none) and subject (who may edit).
    author_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("employees.id"))
    author_subject: Mapped[str] = mapped_column(String(255))
    # Null once deleted: the comment stays in the thread, its text gone.
    body: Mapped[str | None] = mapped_column(Text)
    mention_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    edited_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Task(IdMixin, TimestampMixin, Base):
    """A task kept as a row: a mention, closed by its owner. Every other kind is derived from the state it is about
    (doing the work closes it), so there is no second copy of that truth to drift."""

    __tablename__ = "tasks"
    __table_args__ = (Index("ix_tasks_employee_status", "employee_id", "status", "created_at", "id"),)

    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    employee_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("employees.id"))
    kind: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(300))
    entity_type: Mapped[str] = mapped_column(String(16))
    entity_id: Mapped[uuid.UUID] = mapped_column()
    comment_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16), default="open")
    due_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Reminder(IdMixin, Base):
    """A reminder or escalation sent for one task on one day (the organization's day): at most one of each, however
    often reminding runs."""

    __tablename__ = "reminders"
    __table_args__ = (UniqueConstraint("task_id", "day", "kind"),)

    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    # A derived task's id is stable (made from its kind, subject and person), so it can key the reminder.
    task_id: Mapped[uuid.UUID] = mapped_column()
    day: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(16))
    sent_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    note: Mapped[str | None] = mapped_column(Text)
