"""ORM models; importing this package registers every table on ``Base.metadata``."""

from app.models.base import Base
from app.models.evaluation import Evaluation
from app.models.events import OutboxEvent, ScheduledJob, Webhook, WebhookDelivery
from app.models.feedback import Conversation, FeedbackRequest
from app.models.org import ApiKey, Department, Employee, Organization
from app.models.planning import CheckIn, Cycle, Goal, Kpi, Kpr, Plan, Revision
from app.models.platform import AuditEvent, IdempotencyKey, StateTransition
from app.models.rewards import RewardItem, RewardRun
from app.models.together import Comment, Reminder, Task

__all__ = [
    "ApiKey",
    "AuditEvent",
    "Base",
    "CheckIn",
    "Comment",
    "Conversation",
    "Cycle",
    "Department",
    "Employee",
    "Evaluation",
    "FeedbackRequest",
    "Goal",
    "IdempotencyKey",
    "Kpi",
    "Kpr",
    "Organization",
    "OutboxEvent",
    "Plan",
    "Reminder",
    "Revision",
    "RewardItem",
    "RewardRun",
    "ScheduledJob",
    "StateTransition",
    "Task",
    "Webhook",
    "WebhookDelivery",
]
