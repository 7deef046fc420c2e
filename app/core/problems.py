"""The registry of error codes: every ``code`` a problem+json body can carry, its HTTP status and what it means.

``ProblemCode`` is the only type an error's code can have (``AppError.code``, ``problem_response``), so a code that is
not registered here cannot be raised. Each code's texts live in the message catalogue: its title under the bare code,
what it means under ``problem.meaning.<CODE>`` and what the client should do under ``problem.remedy.<CODE>``. A
problem's ``type`` is the link ``<base>/problems/<slug>`` that the service itself answers (``app/ops``), and
``docs/errors.md`` is generated from here (``kpr errors``).
"""

from dataclasses import dataclass
from enum import StrEnum
from http import HTTPStatus
from types import MappingProxyType
from typing import Final

from app.core.i18n import translate
from app.core.messages import Locale

PROBLEMS_PATH = "/problems"


class ProblemCode(StrEnum):
    """Every error code the service emits, stable UPPER_SNAKE_CASE (grouped by status)."""

    BAD_REQUEST = "BAD_REQUEST"
    INVALID_CURSOR = "INVALID_CURSOR"
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    NOT_FOUND = "NOT_FOUND"
    METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"
    CONFLICT = "CONFLICT"
    INVALID_TRANSITION = "INVALID_TRANSITION"
    DUPLICATE = "DUPLICATE"
    WOULD_CREATE_LOOP = "WOULD_CREATE_LOOP"
    DEPARTMENT_NOT_EMPTY = "DEPARTMENT_NOT_EMPTY"
    GOAL_IN_USE = "GOAL_IN_USE"
    CYCLE_NOT_OPEN = "CYCLE_NOT_OPEN"
    CYCLE_CLOSED = "CYCLE_CLOSED"
    CYCLE_BLOCKED = "CYCLE_BLOCKED"
    CYCLE_NOT_CLOSED = "CYCLE_NOT_CLOSED"
    FEEDBACK_ALREADY_REQUESTED = "FEEDBACK_ALREADY_REQUESTED"
    APPEAL_WINDOW_CLOSED = "APPEAL_WINDOW_CLOSED"
    PLAN_LOCKED = "PLAN_LOCKED"
    DEFINITION_LOCKED = "DEFINITION_LOCKED"
    REVISION_NOT_NEEDED = "REVISION_NOT_NEEDED"
    EVALUATION_LOCKED = "EVALUATION_LOCKED"
    INVALID_STATE = "INVALID_STATE"
    CYCLE_NOT_IN_CALIBRATION = "CYCLE_NOT_IN_CALIBRATION"
    REVIEW_INCOMPLETE = "REVIEW_INCOMPLETE"
    IDEMPOTENCY_NOT_REPLAYABLE = "IDEMPOTENCY_NOT_REPLAYABLE"
    IDEMPOTENCY_IN_PROGRESS = "IDEMPOTENCY_IN_PROGRESS"
    PRECONDITION_FAILED = "PRECONDITION_FAILED"
    PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"
    VALIDATION_FAILED = "VALIDATION_FAILED"
    WEIGHTS_MUST_TOTAL_100 = "WEIGHTS_MUST_TOTAL_100"
    SMART_CHECK_FAILED = "SMART_CHECK_FAILED"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"
    MENTION_NOT_ALLOWED = "MENTION_NOT_ALLOWED"
    RATE_LIMITED = "RATE_LIMITED"
    INTERNAL_ERROR = "INTERNAL_ERROR"
    SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"
    IMPORT_INVALID = "IMPORT_INVALID"
    UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE"


_C = ProblemCode
# The status each code is answered with (a test holds every raise and every problem_response call to it).
STATUS: Final = MappingProxyType(
    {
        _C.BAD_REQUEST: HTTPStatus.BAD_REQUEST,
        _C.INVALID_CURSOR: HTTPStatus.BAD_REQUEST,
        _C.UNAUTHENTICATED: HTTPStatus.UNAUTHORIZED,
        _C.FORBIDDEN: HTTPStatus.FORBIDDEN,
        _C.NOT_FOUND: HTTPStatus.NOT_FOUND,
        _C.METHOD_NOT_ALLOWED: HTTPStatus.METHOD_NOT_ALLOWED,
        _C.CONFLICT: HTTPStatus.CONFLICT,
        _C.INVALID_TRANSITION: HTTPStatus.CONFLICT,
        _C.DUPLICATE: HTTPStatus.CONFLICT,
        _C.WOULD_CREATE_LOOP: HTTPStatus.CONFLICT,
        _C.DEPARTMENT_NOT_EMPTY: HTTPStatus.CONFLICT,
        _C.GOAL_IN_USE: HTTPStatus.CONFLICT,
        _C.CYCLE_NOT_OPEN: HTTPStatus.CONFLICT,
        _C.CYCLE_CLOSED: HTTPStatus.CONFLICT,
        _C.CYCLE_BLOCKED: HTTPStatus.CONFLICT,
        _C.CYCLE_NOT_CLOSED: HTTPStatus.CONFLICT,
        _C.FEEDBACK_ALREADY_REQUESTED: HTTPStatus.CONFLICT,
        _C.APPEAL_WINDOW_CLOSED: HTTPStatus.CONFLICT,
        _C.PLAN_LOCKED: HTTPStatus.CONFLICT,
        _C.DEFINITION_LOCKED: HTTPStatus.CONFLICT,
        _C.REVISION_NOT_NEEDED: HTTPStatus.CONFLICT,
        _C.EVALUATION_LOCKED: HTTPStatus.CONFLICT,
        _C.INVALID_STATE: HTTPStatus.CONFLICT,
        _C.CYCLE_NOT_IN_CALIBRATION: HTTPStatus.CONFLICT,
        _C.REVIEW_INCOMPLETE: HTTPStatus.CONFLICT,
        _C.IDEMPOTENCY_NOT_REPLAYABLE: HTTPStatus.CONFLICT,
        _C.IDEMPOTENCY_IN_PROGRESS: HTTPStatus.CONFLICT,
        _C.PRECONDITION_FAILED: HTTPStatus.PRECONDITION_FAILED,
        _C.PAYLOAD_TOO_LARGE: HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
        _C.VALIDATION_FAILED: HTTPStatus.UNPROCESSABLE_ENTITY,
        _C.WEIGHTS_MUST_TOTAL_100: HTTPStatus.UNPROCESSABLE_ENTITY,
        _C.SMART_CHECK_FAILED: HTTPStatus.UNPROCESSABLE_ENTITY,
        _C.IDEMPOTENCY_KEY_REUSED: HTTPStatus.UNPROCESSABLE_ENTITY,
        _C.MENTION_NOT_ALLOWED: HTTPStatus.UNPROCESSABLE_ENTITY,
        _C.RATE_LIMITED: HTTPStatus.TOO_MANY_REQUESTS,
        _C.INTERNAL_ERROR: HTTPStatus.INTERNAL_SERVER_ERROR,
        _C.SERVICE_UNAVAILABLE: HTTPStatus.SERVICE_UNAVAILABLE,
        _C.IMPORT_INVALID: HTTPStatus.UNPROCESSABLE_ENTITY,
        _C.UNSUPPORTED_MEDIA_TYPE: HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
    }
)


def slug(code: ProblemCode) -> str:
    """The code as it appears in its type URL: ``NOT_FOUND`` → ``not-found``."""
    return code.lower().replace("_", "-")


_BY_SLUG: Final = MappingProxyType({slug(code): code for code in ProblemCode})


def lookup(text: str) -> ProblemCode | None:
    """The code a path segment names, as a slug (``not-found``) or as the code itself (``NOT_FOUND``)."""
    return _BY_SLUG.get(text.lower().replace("_", "-"))


def type_url(base_url: str, code: ProblemCode) -> str:
    """The problem ``type``: the page describing ``code`` on the service at ``base_url`` (empty: a relative link)."""
    return f"{base_url.rstrip('/')}{PROBLEMS_PATH}/{slug(code)}"


@dataclass(frozen=True)
class ProblemType:
    """One code described in one language."""

    code: ProblemCode
    status: int
    title: str
    meaning: str
    remedy: str

    @property
    def slug(self) -> str:
        return slug(self.code)


def describe(code: ProblemCode, locale: Locale | None = None) -> ProblemType:
    """``code`` described in ``locale`` (default: the request's language)."""
    return ProblemType(
        code=code,
        status=int(STATUS[code]),
        title=translate(code, locale),
        meaning=translate(f"problem.meaning.{code}", locale),
        remedy=translate(f"problem.remedy.{code}", locale),
    )


def catalogue(locale: Locale | None = None) -> list[ProblemType]:
    """Every code, described in ``locale``, by status and then as registered."""
    order = {code: position for position, code in enumerate(ProblemCode)}
    return [describe(code, locale) for code in sorted(ProblemCode, key=lambda c: (STATUS[c], order[c]))]
