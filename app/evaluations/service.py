"""Evaluations: reviews, calibration and the evaluation state machine (DESIGN §3, §4, §6).

Reads answer 404 for what the caller may not see (another tenant's, a peer's); writes answer 403 for what they may see
but not do, and 409 when the evaluation's state forbids the change (frozen after finalization: EVALUATION_LOCKED).
Figures are stored and kept current until finalization (app.figures) and come from the frozen snapshot afterwards.
"""

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, Literal

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit import service as audit
from app.core import outbox
from app.core.access import Actor, can_read_employee_data, is_manager_of, visible_employees_filter
from app.core.enums import FROZEN_EVALUATION_STATES, CycleStatus, EvaluationStatus, EventType
from app.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.core.i18n import translate
from app.core.problems import ProblemCode
from app.core.repository import fetch
from app.core.schemas import TransitionIn
from app.core.transitions import record_transition
from app.evaluations import figures as fig
from app.evaluations import schemas
from app.evaluations.presenter import present
from app.evaluations.workflow import EVALUATION_STATES, frozen_snapshot
from app.figures import service as figures
from app.models import Cycle, Evaluation
from app.scoring import engine
from app.scoring.policy import policy_from_json

LOCKED = ProblemCode.EVALUATION_LOCKED
REVIEW_ACTIONS = {"self": "write this self-review", "manager": "write this manager review"}


# --- loading ----------------------------------------------------------------------------------------------------


async def get(session: AsyncSession, actor: Actor, evaluation_id: uuid.UUID, *, lock: bool = False) -> Evaluation:
    """The evaluation, or 404 when it is another tenant's or the caller may not read its employee's data.

    Writers lock the row (``lock``), so two concurrent changes of one evaluation run one after the other and the
    second sees the first's state (e.g. a second finalize gets INVALID_TRANSITION instead of finalizing twice).
    """
    evaluation = await fetch(session, Evaluation, evaluation_id, lock=lock)
    if (
        evaluation is None
        or evaluation.organization_id != actor.organization_id
        or not await can_read_employee_data(session, actor, evaluation.employee_id)
    ):
        raise NotFound("evaluation", evaluation_id)
    return evaluation


class _Context:
    """One evaluation with what its rules need (cycle, policy, its plan's active KPRs with their stored figures),
    loaded once per write."""

    def __init__(self, evaluation: Evaluation, cycle: Cycle, items: list[fig.Item]) -> None:
        self.evaluation = evaluation
        self.cycle = cycle
        self.items = items
        self.policy = policy_from_json(cycle.policy)


async def _context(session: AsyncSession, evaluation: Evaluation) -> _Context:
    cycle = await session.get(Cycle, evaluation.cycle_id)
    assert cycle is not None  # a foreign key
    items: list[fig.Item] = []
    if evaluation.status not in fig.FROZEN_STATES:
        items = (await fig.stored_items(session, [evaluation.plan_id])).get(evaluation.plan_id, [])
    return _Context(evaluation, cycle, items)


def list_statement(
    actor: Actor, cycle_id: uuid.UUID | None, employee_id: uuid.UUID | None, status: str | None
) -> Select[Evaluation]:
    statement = select(Evaluation).where(Evaluation.organization_id == actor.organization_id)
    visible = visible_employees_filter(actor, Evaluation.employee_id)
    if visible is not None:
        statement = statement.where(visible)
    if cycle_id is not None:
        statement = statement.where(Evaluation.cycle_id == cycle_id)
    if employee_id is not None:
        statement = statement.where(Evaluation.employee_id == employee_id)
    if status is not None:
        statement = statement.where(Evaluation.status == status)
    return statement


# --- rules shared by the writes -------------------------------------------------------------------------------------


def _require_writable(evaluation: Evaluation) -> None:
    if evaluation.status in fig.FROZEN_STATES:
        raise Conflict(
            detail=translate("evaluation.locked", id=evaluation.id, status=evaluation.status),
            code=LOCKED,
            extra={"evaluation_status": evaluation.status},
        )


def _require_status(evaluation: Evaluation, expected: str) -> None:
    _require_writable(evaluation)
    if evaluation.status != expected:
        raise Conflict(
            detail=translate("evaluation.wrong_status", expected=expected, status=evaluation.status),
            code=ProblemCode.INVALID_STATE,
            extra={"evaluation_status": evaluation.status, "expected_status": expected},
        )


def _require_cycle_in_calibration(cycle: Cycle) -> None:
    if cycle.status != CycleStatus.CALIBRATION:
        raise Conflict(
            detail=translate("evaluation.cycle_not_in_calibration", status=cycle.status),
            code=ProblemCode.CYCLE_NOT_IN_CALIBRATION,
            extra={"cycle_status": cycle.status},
        )


async def _may_review_as_manager(session: AsyncSession, actor: Actor, evaluation: Evaluation) -> bool:
    """A manager in the employee's chain, or an admin; never on one's own evaluation."""
    if actor.employee_id is not None and actor.employee_id == evaluation.employee_id:
        return False
    return actor.is_admin or await is_manager_of(session, actor, evaluation.employee_id)


def _is_employee(actor: Actor, evaluation: Evaluation) -> bool:
    return actor.employee_id is not None and actor.employee_id == evaluation.employee_id


def _review_values(
    context: _Context, body: schemas.ReviewIn
) -> tuple[Decimal | None, str | None, list[dict[str, Any]]]:
    cap = context.policy.cap
    if body.score is not None and body.score > cap:
        raise ValidationFailed.field("score", translate("evaluation.score_above_cap", cap=cap))
    active = {item.kpr.id for item in context.items}
    errors = [
        {
            "loc": ["body", "items", index, "kpr_id"],
            "msg": translate("evaluation.kpr_not_in_plan", kpr_id=item.kpr_id),
            "type": "value_error",
        }
        for index, item in enumerate(body.items)
        if item.kpr_id not in active
    ]
    if errors:
        raise ValidationFailed(errors=errors)
    items = [{"kpr_id": str(item.kpr_id), "comment": item.comment} for item in body.items]
    return body.score, body.comment, items


# --- reviews and calibration ----------------------------------------------------------------------------------------


async def put_self_review(
    session: AsyncSession, actor: Actor, evaluation: Evaluation, body: schemas.ReviewIn
) -> Evaluation:
    return await _write_review(session, actor, evaluation, body, "self")


async def put_manager_review(
    session: AsyncSession, actor: Actor, evaluation: Evaluation, body: schemas.ReviewIn
) -> Evaluation:
    return await _write_review(session, actor, evaluation, body, "manager")


async def _write_review(
    session: AsyncSession,
    actor: Actor,
    evaluation: Evaluation,
    body: schemas.ReviewIn,
    side: Literal["self", "manager"],
) -> Evaluation:
    """Self-review (the employee, in self_review) or manager review (a manager in the chain, in manager_review)."""
    if side == "self":
        allowed = _is_employee(actor, evaluation)
    else:
        allowed = await _may_review_as_manager(session, actor, evaluation)
    if not allowed:
        raise Forbidden(action=REVIEW_ACTIONS[side])
    _require_status(evaluation, EvaluationStatus(f"{side}_review"))
    context = await _context(session, evaluation)
    score, comment, items = _review_values(context, body)
    fields = (f"{side}_score", f"{side}_comment", f"{side}_items")
    before = {name: getattr(evaluation, name) for name in fields[:2]}
    for name, value in zip(fields, (score, comment, items), strict=True):
        setattr(evaluation, name, value)
    if side == "manager" and evaluation.reviewer_id is None:
        # Nobody was assigned (the employee had no manager when reviews opened): whoever reviews becomes the reviewer.
        evaluation.reviewer_id = actor.employee_id
    await session.flush()
    await figures.evaluations_changed(session, Evaluation.id == evaluation.id)
    after = dict(zip(fields, (score, comment, items), strict=True))
    audit.record(session, actor, f"{side}_review", "evaluation", evaluation.id, before=before, after=after)
    return evaluation


async def put_calibration(
    session: AsyncSession, actor: Actor, evaluation: Evaluation, body: schemas.CalibrationIn
) -> Evaluation:
    if not actor.is_admin or _is_employee(actor, evaluation):
        raise Forbidden(action="calibrate evaluations")
    _require_status(evaluation, EvaluationStatus.CALIBRATION)
    context = await _context(session, evaluation)
    _require_cycle_in_calibration(context.cycle)
    ratings = [band.rating for band in context.policy.bands]
    if body.rating is not None and body.rating not in ratings:
        msg = translate("evaluation.unknown_rating", rating=body.rating, ratings=", ".join(ratings))
        raise ValidationFailed(errors=[{"loc": ["body", "rating"], "msg": msg, "type": "value_error"}])
    before = {"calibrated_rating": evaluation.calibrated_rating, "calibration_reason": evaluation.calibration_reason}
    evaluation.calibrated_rating, evaluation.calibration_reason = body.rating, body.reason
    await session.flush()
    after = {"calibrated_rating": body.rating, "calibration_reason": body.reason}
    audit.record(session, actor, "calibrate", "evaluation", evaluation.id, before=before, after=after)
    return evaluation


# --- the state machine ----------------------------------------------------------------------------------------------


def _require_comment(body: TransitionIn) -> None:
    if not (body.comment or "").strip():
        raise ValidationFailed.field("comment", translate("evaluation.comment_required", to=body.to))


def _require_appeal_window(evaluation: Evaluation, now: datetime) -> None:
    """Within the frozen policy's ``appeal_days`` of finalization (DESIGN §3)."""
    frozen = (evaluation.snapshot or {}).get("policy")
    days = policy_from_json(frozen).appeal_days
    assert evaluation.finalized_at is not None  # set with the snapshot
    closes = evaluation.finalized_at + timedelta(days=days)
    if now > closes:
        raise Conflict(
            detail=translate("evaluation.appeal_window_closed", days=days, closed_at=closes.date().isoformat()),
            code=ProblemCode.APPEAL_WINDOW_CLOSED,
            extra={"appeal_days": days, "finalized_at": evaluation.finalized_at.isoformat().replace("+00:00", "Z")},
        )


def _component_missing(policy: engine.Policy, component: str, score: Decimal | None) -> None:
    weight = policy.components.get(component, Decimal(0))
    if score is None and weight > 0:
        raise Conflict(
            detail=translate(
                "evaluation.review_incomplete",
                component=translate(f"evaluation.component.{component}"),
                weight=format(weight.normalize(), "f"),
            ),
            code=ProblemCode.REVIEW_INCOMPLETE,
            extra={"component": component},
        )


async def transition(session: AsyncSession, actor: Actor, evaluation: Evaluation, body: TransitionIn) -> Evaluation:
    current, target = evaluation.status, body.to
    EVALUATION_STATES.check(current, target)
    refused = Forbidden(action="move this evaluation to '{target}'", target=target)
    context = await _context(session, evaluation)
    now = datetime.now(UTC)
    audit_before: dict[str, Any] = {"status": current}
    if (current, target) == (EvaluationStatus.SELF_REVIEW, EvaluationStatus.MANAGER_REVIEW):
        if not (_is_employee(actor, evaluation) or actor.is_admin):
            raise refused
        if not actor.is_admin:
            # An admin may move a silent employee on; the final score then stays empty if self-review is weighted.
            _component_missing(context.policy, "self", evaluation.self_score)
    elif (current, target) == (EvaluationStatus.MANAGER_REVIEW, EvaluationStatus.CALIBRATION):
        if not await _may_review_as_manager(session, actor, evaluation):
            raise refused
        _component_missing(context.policy, "manager", evaluation.manager_score)
    elif (current, target) == (EvaluationStatus.CALIBRATION, EvaluationStatus.FINALIZED):
        if not actor.is_admin:
            raise refused
        _require_cycle_in_calibration(context.cycle)
        # The stored figures stay as they are (kept current on write); the snapshot freezes them with their inputs.
        policy_json = fig.resolved_policy(context.cycle.policy)
        evaluation.snapshot = frozen_snapshot(evaluation, context.items, policy_json, now)
        evaluation.finalized_at = now
    elif (current, target) == (EvaluationStatus.FINALIZED, EvaluationStatus.ACKNOWLEDGED):
        if not _is_employee(actor, evaluation):
            raise refused
        evaluation.acknowledged_at = now
    elif (current, target) == (EvaluationStatus.FINALIZED, EvaluationStatus.APPEALED):
        if not _is_employee(actor, evaluation):
            raise refused
        _require_comment(body)
        _require_appeal_window(evaluation, now)
    elif (current, target) == (EvaluationStatus.APPEALED, EvaluationStatus.FINALIZED):
        # Rejected: final again as it was (the snapshot never changed); the reason is kept with the transition.
        if not actor.is_admin or _is_employee(actor, evaluation):
            raise refused
        _require_comment(body)
    elif current in (EvaluationStatus.FINALIZED, EvaluationStatus.APPEALED) and target == EvaluationStatus.CALIBRATION:
        # An admin's reopen, or an appeal upheld: the same reopening.
        if not actor.is_admin or _is_employee(actor, evaluation):
            raise refused
        _require_cycle_in_calibration(context.cycle)
        audit_before.update(
            results_score=evaluation.results_score,
            final_score=evaluation.final_score,
            rating=evaluation.rating,
            finalized_at=evaluation.finalized_at,
        )
        # Reopened figures are live again: new check-ins and the current policy count until it is finalized anew.
        evaluation.results_score = evaluation.final_score = None
        evaluation.rating = evaluation.snapshot = evaluation.finalized_at = None
    evaluation.status = target
    await session.flush()
    if target == EvaluationStatus.CALIBRATION and current in FROZEN_EVALUATION_STATES:
        await figures.evaluations_changed(session, Evaluation.id == evaluation.id)
    record_transition(session, actor, EVALUATION_STATES, evaluation.id, current, target, body.comment, at=now)
    after = {"status": target, "comment": body.comment}
    audit.record(session, actor, "transition", "evaluation", evaluation.id, before=audit_before, after=after)
    outbox.publish(
        session,
        actor.organization_id,
        EventType.EVALUATION_TRANSITIONED,
        outbox.transition(current, target, body.comment, await present(session, evaluation)),
    )
    return evaluation
