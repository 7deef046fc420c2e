"""ORM models; importing this package registers every table on ``Base.metadata``."""

from app.models.base import Base
from app.models.evaluation import Evaluation
from app.models.events import OutboxEvent, ScheduledJob, Webhook, WebhookDelivery
from app.models.org import ApiKey, Department, Employee, Organization
from app.models.planning import CheckIn, Cycle, Goal, Kpi, Kpr, Plan, Revision
from app.models.platform import AuditEvent, IdempotencyKey, StateTransition

__all__ = [
    "ApiKey",
    "AuditEvent",
    "Base",
    "CheckIn",
    "Cycle",
    "Department",
    "Employee",
    "Evaluation",
    "Goal",
    "IdempotencyKey",
    "Kpi",
    "Kpr",
    "Organization",
    "OutboxEvent",
    "Plan",
    "Revision",
    "ScheduledJob",
    "StateTransition",
    "Webhook",
    "WebhookDelivery",
]
