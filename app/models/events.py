"""Events out (DESIGN §13): the transactional outbox, the webhooks that subscribe to it, and each delivery's state."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, IdMixin, TimestampMixin, utcnow
from app.models.types import UtcDateTime


class OutboxEvent(IdMixin, Base):
    """An event, written in the transaction of the change it reports: committed with it, or rolled back with it.

    The worker fans each one out to the organization's subscribed webhooks (``dispatched_at`` marks that done).
    """

    __tablename__ = "outbox_events"
    __table_args__ = (
        # The worker's queue: only events not yet fanned out, oldest first (a partial index stays small).
        Index(
            "ix_outbox_events_undispatched",
            "occurred_at",
            "id",
            postgresql_where=text("dispatched_at IS NULL"),
            sqlite_where=text("dispatched_at IS NULL"),
        ),
        Index("ix_outbox_events_org_occurred", "organization_id", "occurred_at"),
    )

    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(64))
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    # Set when fanned out. A webhook.test event is addressed to one webhook and made with its delivery, dispatched.
    dispatched_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # A bulk change (a cycle's evaluations finalized at close) records its events in SQL, where the API's shape of
    # each resource cannot be made: ``data.resource`` is then filled at fan-out from the resource named here, by the
    # domain's one presenter, and only when a webhook subscribes (app.webhooks.delivery).
    resource_type: Mapped[str | None] = mapped_column(String(32))
    resource_id: Mapped[uuid.UUID | None] = mapped_column()


class Webhook(IdMixin, TimestampMixin, Base):
    __tablename__ = "webhooks"
    __table_args__ = (Index("ix_webhooks_org_created", "organization_id", "created_at", "id"),)

    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    url: Mapped[str] = mapped_column(String(2048))
    description: Mapped[str | None] = mapped_column(String(500))
    # Empty: every type.
    event_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # The signing secret, encrypted at rest (app/webhooks/secrets.py): it must sign, so it cannot be hashed.
    secret_encrypted: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(255))


class WebhookDelivery(IdMixin, TimestampMixin, Base):
    """One event to one webhook: pending until a 2xx answer (delivered) or until its retries run out (failed).

    A worker claims a pending delivery by setting ``claimed_until`` (a lease) and ``claimed_by``; a worker that dies
    leaves a lease that runs out, and the delivery is claimed again.
    """

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
        Index("ix_webhook_deliveries_webhook_created", "webhook_id", "created_at", "id"),
        Index("ix_webhook_deliveries_event", "event_id"),
    )

    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    webhook_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("webhooks.id", ondelete="CASCADE"))
    event_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("outbox_events.id", ondelete="CASCADE"))
    event_type: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(String(500))
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # Retries stop here (24 h after the event, or after a manual retry).
    give_up_at: Mapped[datetime] = mapped_column(UtcDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    claimed_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(100))


class ScheduledJob(Base):
    """When each periodic job last ran: the worker that moves ``last_run_at`` runs it, so N workers run it once."""

    __tablename__ = "scheduled_jobs"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_run_at: Mapped[datetime] = mapped_column(UtcDateTime)
