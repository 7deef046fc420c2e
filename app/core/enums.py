"""Every state, direction and kind of the domain, defined once (DESIGN §3 names them; they are the public contract).

They are ``StrEnum``s, so a member equals its text: rows store the text, comparisons read as names, and the engine
(pure) and the schemas (the contract) share one definition. In the OpenAPI document each stays an inline ``enum``
of strings, exactly as the contract has always spelled it (see ``app.core.schemas.Choice``).
"""

from enum import StrEnum


class Direction(StrEnum):
    INCREASE = "increase"
    DECREASE = "decrease"
    MAINTAIN = "maintain"


class Curve(StrEnum):
    LINEAR = "linear"
    THRESHOLD = "threshold"


class Cadence(StrEnum):
    ANNUAL = "annual"
    SEMIANNUAL = "semiannual"
    QUARTERLY = "quarterly"
    MONTHLY = "monthly"
    CUSTOM = "custom"


class CycleStatus(StrEnum):
    PLANNING = "planning"
    ACTIVE = "active"
    REVIEW = "review"
    CALIBRATION = "calibration"
    CLOSED = "closed"


class GoalLevel(StrEnum):
    COMPANY = "company"
    DEPARTMENT = "department"
    TEAM = "team"


class PlanStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"


class KprStatus(StrEnum):
    ACTIVE = "active"
    CANCELLED = "cancelled"


class Frequency(StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"


class RevisionStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class EvaluationStatus(StrEnum):
    SELF_REVIEW = "self_review"
    MANAGER_REVIEW = "manager_review"
    CALIBRATION = "calibration"
    FINALIZED = "finalized"
    ACKNOWLEDGED = "acknowledged"
    APPEALED = "appealed"


# Finalized, and the states after it: the figures, inputs and policy are frozen in the snapshot, and every write is
# refused until an admin reopens it (an appeal upheld reopens it too).
FROZEN_EVALUATION_STATES = frozenset(
    {EvaluationStatus.FINALIZED, EvaluationStatus.ACKNOWLEDGED, EvaluationStatus.APPEALED}
)


class RolloverBaseline(StrEnum):
    """Where a rolled-over KPR starts (DESIGN §12): the source's latest actual, or its own baseline."""

    LAST_ACTUAL = "last_actual"
    BASELINE = "baseline"


class RolloverSkip(StrEnum):
    ALREADY_COPIED = "ALREADY_COPIED"
    PLAN_LOCKED = "PLAN_LOCKED"


class FeedbackStatus(StrEnum):
    REQUESTED = "requested"
    SUBMITTED = "submitted"
    DECLINED = "declined"
    CANCELLED = "cancelled"


class FeedbackRelationship(StrEnum):
    PEER = "peer"
    UPWARD = "upward"
    CROSS_FUNCTIONAL = "cross_functional"


class RewardRunStatus(StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"
    CANCELLED = "cancelled"


class RewardSkipReason(StrEnum):
    """Why a base was not turned into an amount (DESIGN §11)."""

    NO_FINAL_RATING = "NO_FINAL_RATING"
    # The evaluation's frozen policy has no coefficient for its rating (a policy stored before coefficients existed).
    NO_COEFFICIENT = "NO_COEFFICIENT"


class SmartStatus(StrEnum):
    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"


class ExportFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


class OrganizationLocale(StrEnum):
    """The language an organization works in: one of the two the message catalogue speaks (``app.core.i18n``)."""

    ZH_CN = "zh-CN"
    EN = "en"


class EventType(StrEnum):
    """What the outbox publishes (DESIGN §13; fixed names)."""

    EMPLOYEE_CREATED = "employee.created"
    EMPLOYEE_UPDATED = "employee.updated"
    EMPLOYEE_DEACTIVATED = "employee.deactivated"
    CYCLE_TRANSITIONED = "cycle.transitioned"
    GOAL_CREATED = "goal.created"
    GOAL_UPDATED = "goal.updated"
    GOAL_DELETED = "goal.deleted"
    PLAN_TRANSITIONED = "plan.transitioned"
    KPR_CREATED = "kpr.created"
    KPR_UPDATED = "kpr.updated"
    KPR_DELETED = "kpr.deleted"
    CHECKIN_CREATED = "checkin.created"
    REVISION_TRANSITIONED = "revision.transitioned"
    EVALUATION_TRANSITIONED = "evaluation.transitioned"
    FEEDBACK_REQUEST_TRANSITIONED = "feedback_request.transitioned"
    REWARD_RUN_TRANSITIONED = "reward_run.transitioned"
    COMMENT_CREATED = "comment.created"
    TASK_REMINDER = "task.reminder"
    TASK_ESCALATED = "task.escalated"
    WEBHOOK_TEST = "webhook.test"


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


class CommentEntityType(StrEnum):
    """What a comment thread hangs on (DESIGN §12)."""

    GOAL = "goal"
    KPR = "kpr"
    EVALUATION = "evaluation"


class TaskKind(StrEnum):
    """What a task asks of its person (DESIGN §12; fixed names). Every kind but ``mention`` is derived from the state
    it is about; a mention is a stored row its person closes."""

    SUBMIT_PLAN = "submit_plan"
    APPROVE_PLAN = "approve_plan"
    DECIDE_REVISION = "decide_revision"
    CHECK_IN = "check_in"
    SELF_REVIEW = "self_review"
    MANAGER_REVIEW = "manager_review"
    FEEDBACK = "feedback"
    ACKNOWLEDGE = "acknowledge"
    MENTION = "mention"


class TaskStatus(StrEnum):
    OPEN = "open"
    DONE = "done"


class TaskEntityType(StrEnum):
    """What a task is about: the row its work changes (or, for a mention, the entity the comment hangs on)."""

    PLAN = "plan"
    KPR = "kpr"
    REVISION = "revision"
    EVALUATION = "evaluation"
    FEEDBACK_REQUEST = "feedback_request"
    GOAL = "goal"


class ReminderKind(StrEnum):
    """What was sent about a task on a day: a reminder to its person, or an escalation to their managers."""

    REMINDER = "reminder"
    ESCALATION = "escalation"
