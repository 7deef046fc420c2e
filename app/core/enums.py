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
