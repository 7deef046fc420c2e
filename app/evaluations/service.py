"""Evaluations: reviews, calibration and the evaluation state machine (DESIGN §3, §4, §6).

Reads answer 404 for what the caller may not see (another tenant's, a peer's); writes answer 403 for what they may see
but not do, and 409 when the evaluation's state forbids the change (frozen after finalization: EVALUATION_LOCKED).
Figures are live until finalization and come from the frozen snapshot afterwards.
"""

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Literal

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit import service as audit
from app.core.access import Actor, can_read_employee_data, is_manager_of, visible_employees_filter
from app.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.core.i18n import translate
from app.core.pagination import PageParams, paginate
from app.core.responses import check_if_match
from app.core.schemas import Page, TransitionIn
from app.core.transitions import Transition, history_statement, record_transition
from app.evaluations import figures as fig
from app.evaluations import schemas
from app.evaluations.workflow import EVALUATION_STATES, finalize_figures
from app.models import Cycle, Evaluation, Kpr, StateTransition
from app.scoring import engine
from app.scoring.policy import policy_from_json
from app.scoring.service import policies

LOCKED = "EVALUATION_LOCKED"
REVIEW_ACTIONS = {"self": "write this self-review", "manager": "write this manager review"}


# --- loading and presenting -----------------------------------------------------------------------------------------


async def _load(
    session: AsyncSession, actor: Actor, evaluation_id: uuid.UUID, *, for_update: bool = False
) -> Evaluation:
    """The evaluation, or 404 when it is another tenant's or the caller may not read its employee's data.

    Writes lock the row (``for_update``), so two concurrent changes of one evaluation run one after the other and the
    second sees the first's state (e.g. a second finalize gets INVALID_TRANSITION instead of finalizing twice).
    """
    statement = select(Evaluation).where(
        Evaluation.id == evaluation_id, Evaluation.organization_id == actor.organization_id
    )
    if for_update:
        statement = statement.with_for_update().execution_options(populate_existing=True)
    evaluation = (await session.execute(statement)).scalar_one_or_none()
    if evaluation is None or not await can_read_employee_data(session, actor, evaluation.employee_id):
        raise NotFound("evaluation", evaluation_id)
    return evaluation


async def _cycle(session: AsyncSession, evaluation: Evaluation) -> Cycle:
    cycle = await session.get(Cycle, evaluation.cycle_id)
    assert cycle is not None  # a foreign key
    return cycle


def _review_items(raw: list[dict[str, Any]] | None) -> list[schemas.ReviewItem]:
    return [schemas.ReviewItem(kpr_id=uuid.UUID(item["kpr_id"]), comment=item.get("comment")) for item in raw or []]


def _present(evaluation: Evaluation, figures: fig.Figures) -> schemas.Evaluation:
    return schemas.Evaluation(
        id=evaluation.id,
        cycle_id=evaluation.cycle_id,
        employee_id=evaluation.employee_id,
        plan_id=evaluation.plan_id,
        reviewer_id=evaluation.reviewer_id,
        status=evaluation.status,
        items=[
            schemas.EvaluationItem(
                kpr_id=item.kpr.id,
                title=item.kpr.title,
                weight=item.kpr.weight,
                actual=item.actual,
                achievement=item.achievement,
                progress=item.progress,
                score=item.score,
            )
            for item in figures.items
        ],
        results_score=figures.results_score,
        self_score=evaluation.self_score,
        manager_score=evaluation.manager_score,
        final_score=figures.final_score,
        rating=figures.rating,
        calibrated_rating=evaluation.calibrated_rating,
        final_rating=engine.final_rating(figures.rating, evaluation.calibrated_rating),
        self_comment=evaluation.self_comment,
        self_items=_review_items(evaluation.self_items),
        manager_comment=evaluation.manager_comment,
        manager_items=_review_items(evaluation.manager_items),
        calibration_reason=evaluation.calibration_reason,
        finalized_at=evaluation.finalized_at,
        acknowledged_at=evaluation.acknowledged_at,
        created_at=evaluation.created_at,
        updated_at=evaluation.updated_at,
    )


def _figures(evaluation: Evaluation, inputs: fig.LiveInputs, policy: engine.Policy) -> fig.Figures:
    if evaluation.status in fig.FROZEN_STATES:
        # The stored columns and the snapshot were written together at finalization; nothing live is consulted.
        items = fig.frozen_items(evaluation.snapshot or {}, evaluation.plan_id)
        return fig.Figures(items, evaluation.results_score, evaluation.final_score, evaluation.rating)
    return fig.live_figures(evaluation.plan_id, evaluation.manager_score, evaluation.self_score, inputs, policy)


async def _inputs_for(session: AsyncSession, evaluation: Evaluation) -> fig.LiveInputs:
    if evaluation.status in fig.FROZEN_STATES:
        return fig.LiveInputs({}, {})
    return await fig.load_live_inputs(session, Kpr.plan_id == evaluation.plan_id)


async def _views(session: AsyncSession, rows: Sequence[Evaluation]) -> list[schemas.Evaluation]:
    """Present many evaluations with a fixed number of statements: KPRs, latest values and policies, once each."""
    live = [row for row in rows if row.status not in fig.FROZEN_STATES]
    inputs = fig.LiveInputs({}, {})
    by_cycle: dict[uuid.UUID, engine.Policy] = {}
    if live:
        inputs = await fig.load_live_inputs(session, Kpr.plan_id.in_({row.plan_id for row in live}))
        by_cycle = await policies(session, (row.cycle_id for row in live))
    return [_present(row, _figures(row, inputs, by_cycle.get(row.cycle_id, engine.DEFAULT_POLICY))) for row in rows]


class _Context:
    """One evaluation with what presenting and changing it needs, loaded once per request."""

    def __init__(self, evaluation: Evaluation, cycle: Cycle, inputs: fig.LiveInputs) -> None:
        self.evaluation = evaluation
        self.cycle = cycle
        self.inputs = inputs
        self.policy = policy_from_json(cycle.policy)

    def view(self) -> schemas.Evaluation:
        return _present(self.evaluation, _figures(self.evaluation, self.inputs, self.policy))


async def _context(session: AsyncSession, evaluation: Evaluation) -> _Context:
    return _Context(evaluation, await _cycle(session, evaluation), await _inputs_for(session, evaluation))


# --- reads ----------------------------------------------------------------------------------------------------------


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


async def list_evaluations(
    session: AsyncSession,
    actor: Actor,
    page: PageParams,
    *,
    cycle_id: uuid.UUID | None = None,
    employee_id: uuid.UUID | None = None,
    status: str | None = None,
) -> Page[schemas.Evaluation]:
    statement = list_statement(actor, cycle_id, employee_id, status)
    rows, cursor = await paginate(session, statement, page, [Evaluation.created_at, Evaluation.id])
    return Page(items=await _views(session, rows), next_cursor=cursor)


async def get_evaluation(session: AsyncSession, actor: Actor, evaluation_id: uuid.UUID) -> schemas.Evaluation:
    evaluation = await _load(session, actor, evaluation_id)
    return (await _context(session, evaluation)).view()


async def list_transitions(
    session: AsyncSession, actor: Actor, evaluation_id: uuid.UUID, page: PageParams
) -> Page[Transition]:
    await _load(session, actor, evaluation_id)
    statement = history_statement(actor.organization_id, EVALUATION_STATES, evaluation_id)
    rows, cursor = await paginate(session, statement, page, [StateTransition.at, StateTransition.id])
    return Page(items=[Transition.model_validate(row) for row in rows], next_cursor=cursor)


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
            code="INVALID_STATE",
            extra={"evaluation_status": evaluation.status, "expected_status": expected},
        )


def _require_cycle_in_calibration(cycle: Cycle) -> None:
    if cycle.status != "calibration":
        raise Conflict(
            detail=translate("evaluation.cycle_not_in_calibration", status=cycle.status),
            code="CYCLE_NOT_IN_CALIBRATION",
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
    active = {kpr.id for kpr in context.inputs.kprs(context.evaluation.plan_id)}
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
    session: AsyncSession, actor: Actor, evaluation_id: uuid.UUID, body: schemas.ReviewIn, if_match: str | None
) -> schemas.Evaluation:
    return await _write_review(session, actor, evaluation_id, body, if_match, "self")


async def put_manager_review(
    session: AsyncSession, actor: Actor, evaluation_id: uuid.UUID, body: schemas.ReviewIn, if_match: str | None
) -> schemas.Evaluation:
    return await _write_review(session, actor, evaluation_id, body, if_match, "manager")


async def _write_review(
    session: AsyncSession,
    actor: Actor,
    evaluation_id: uuid.UUID,
    body: schemas.ReviewIn,
    if_match: str | None,
    side: Literal["self", "manager"],
) -> schemas.Evaluation:
    """Self-review (the employee, in self_review) or manager review (a manager in the chain, in manager_review)."""
    evaluation = await _load(session, actor, evaluation_id, for_update=True)
    if side == "self":
        allowed = _is_employee(actor, evaluation)
    else:
        allowed = await _may_review_as_manager(session, actor, evaluation)
    if not allowed:
        raise Forbidden(action=REVIEW_ACTIONS[side])
    _require_status(evaluation, f"{side}_review")
    context = await _context(session, evaluation)
    await check_if_match(if_match, context.view)
    score, comment, items = _review_values(context, body)
    fields = (f"{side}_score", f"{side}_comment", f"{side}_items")
    before = {name: getattr(evaluation, name) for name in fields[:2]}
    for name, value in zip(fields, (score, comment, items), strict=True):
        setattr(evaluation, name, value)
    if side == "manager" and evaluation.reviewer_id is None:
        # Nobody was assigned (the employee had no manager when reviews opened): whoever reviews becomes the reviewer.
        evaluation.reviewer_id = actor.employee_id
    await session.flush()
    after = dict(zip(fields, (score, comment, items), strict=True))
    audit.record(session, actor, f"{side}_review", "evaluation", evaluation.id, before=before, after=after)
    return context.view()


async def put_calibration(
    session: AsyncSession, actor: Actor, evaluation_id: uuid.UUID, body: schemas.CalibrationIn, if_match: str | None
) -> schemas.Evaluation:
    evaluation = await _load(session, actor, evaluation_id, for_update=True)
    if not actor.is_admin or _is_employee(actor, evaluation):
        raise Forbidden(action="calibrate evaluations")
    _require_status(evaluation, "calibration")
    context = await _context(session, evaluation)
    _require_cycle_in_calibration(context.cycle)
    await check_if_match(if_match, context.view)
    ratings = [band.rating for band in context.policy.bands]
    if body.rating is not None and body.rating not in ratings:
        msg = translate("evaluation.unknown_rating", rating=body.rating, ratings=", ".join(ratings))
        raise ValidationFailed(errors=[{"loc": ["body", "rating"], "msg": msg, "type": "value_error"}])
    before = {"calibrated_rating": evaluation.calibrated_rating, "calibration_reason": evaluation.calibration_reason}
    evaluation.calibrated_rating, evaluation.calibration_reason = body.rating, body.reason
    await session.flush()
    after = {"calibrated_rating": body.rating, "calibration_reason": body.reason}
    audit.record(session, actor, "calibrate", "evaluation", evaluation.id, before=before, after=after)
    return context.view()


# --- the state machine ----------------------------------------------------------------------------------------------


def _component_missing(policy: engine.Policy, component: str, score: Decimal | None) -> None:
    weight = policy.components.get(component, Decimal(0))
    if score is None and weight > 0:
        raise Conflict(
            detail=translate(
                "evaluation.review_incomplete",
                component=translate(f"evaluation.component.{component}"),
                weight=format(weight.normalize(), "f"),
            ),
            code="REVIEW_INCOMPLETE",
            extra={"component": component},
        )


async def transition_evaluation(
    session: AsyncSession, actor: Actor, evaluation_id: uuid.UUID, body: TransitionIn
) -> schemas.Evaluation:
    evaluation = await _load(session, actor, evaluation_id, for_update=True)
    current, target = evaluation.status, body.to
    EVALUATION_STATES.check(current, target)
    refused = Forbidden(action="move this evaluation to '{target}'", target=target)
    context = await _context(session, evaluation)
    now = datetime.now(UTC)
    audit_before: dict[str, Any] = {"status": current}
    if (current, target) == ("self_review", "manager_review"):
        if not (_is_employee(actor, evaluation) or actor.is_admin):
            raise refused
        if not actor.is_admin:
            # An admin may move a silent employee on; the final score then stays empty if self-review is weighted.
            _component_missing(context.policy, "self", evaluation.self_score)
    elif (current, target) == ("manager_review", "calibration"):
        if not await _may_review_as_manager(session, actor, evaluation):
            raise refused
        _component_missing(context.policy, "manager", evaluation.manager_score)
    elif (current, target) == ("calibration", "finalized"):
        if not actor.is_admin:
            raise refused
        _require_cycle_in_calibration(context.cycle)
        frozen = finalize_figures(
            evaluation.plan_id,
            evaluation.manager_score,
            evaluation.self_score,
            context.inputs,
            context.cycle.policy,
            now,
        )
        evaluation.results_score, evaluation.final_score = frozen.results_score, frozen.final_score
        evaluation.rating, evaluation.snapshot, evaluation.finalized_at = frozen.rating, frozen.snapshot, now
    elif (current, target) == ("finalized", "acknowledged"):
        if not _is_employee(actor, evaluation):
            raise refused
        evaluation.acknowledged_at = now
    elif (current, target) == ("finalized", "calibration"):
        if not actor.is_admin:
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
        context.inputs = await fig.load_live_inputs(session, Kpr.plan_id == evaluation.plan_id)
    evaluation.status = target
    await session.flush()
    record_transition(session, actor, EVALUATION_STATES, evaluation.id, current, target, body.comment, at=now)
    after = {"status": target, "comment": body.comment}
    audit.record(session, actor, "transition", "evaluation", evaluation.id, before=audit_before, after=after)
    return context.view()
