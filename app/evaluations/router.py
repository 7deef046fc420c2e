import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from app.core.auth import CurrentActor, Session
from app.core.enums import EvaluationStatus
from app.core.errors import PROBLEM_JSON
from app.core.openapi import WRITE_RESPONSES
from app.core.pagination import Pagination, paginate_changes
from app.core.params import UpdatedSince
from app.core.responses import IfMatch, ResourceResponse, check_if_match, resource_response
from app.core.routing import ApiRoute
from app.core.schemas import Choice, Page, Problem, TransitionIn
from app.core.transitions import Transition, history_page
from app.evaluations import service
from app.evaluations.dependencies import ReadableEvaluation, WritableEvaluation
from app.evaluations.presenter import present, present_many
from app.evaluations.schemas import CalibrationIn, Evaluation, ReviewIn
from app.evaluations.workflow import EVALUATION_STATES
from app.models import Evaluation as EvaluationRow

router = APIRouter(route_class=ApiRoute)

LOCKED_RESPONSES = {
    **WRITE_RESPONSES,
    409: {
        "model": Problem,
        "content": {PROBLEM_JSON: {}},
        "description": "The evaluation is frozen (EVALUATION_LOCKED), not in the state this needs (INVALID_STATE, "
        "CYCLE_NOT_IN_CALIBRATION), or the transition is not allowed (INVALID_TRANSITION, REVIEW_INCOMPLETE).",
    },
}


@router.get(
    "/evaluations",
    response_model=Page[Evaluation],
    tags=["evaluations"],
    summary="List evaluations",
    description="Admins and services see the organization's; managers their reports' (at any depth); employees their "
    "own. Figures are live until an evaluation is finalized, then frozen.",
)
async def list_evaluations(
    session: Session,
    actor: CurrentActor,
    page: Pagination,
    cycle_id: uuid.UUID | None = None,
    employee_id: uuid.UUID | None = None,
    status: Annotated[Choice[EvaluationStatus] | None, Query()] = None,
    updated_since: UpdatedSince = None,
) -> Page[Evaluation]:
    statement = service.list_statement(actor, cycle_id, employee_id, status)
    rows, cursor = await paginate_changes(session, statement, page, EvaluationRow, updated_since)
    return Page(items=await present_many(session, rows), next_cursor=cursor)


@router.get(
    "/evaluations/{evaluation_id:uuid}", response_model=Evaluation, tags=["evaluations"], summary="Get an evaluation"
)
async def get_evaluation(session: Session, evaluation: ReadableEvaluation) -> ResourceResponse:
    return resource_response(await present(session, evaluation))


@router.put(
    "/evaluations/{evaluation_id:uuid}/self-review",
    response_model=Evaluation,
    responses=LOCKED_RESPONSES,
    tags=["evaluations"],
    summary="Write the self-review (the employee, in self_review)",
)
async def put_self_review(
    session: Session, actor: CurrentActor, evaluation: WritableEvaluation, body: ReviewIn, if_match: IfMatch = None
) -> ResourceResponse:
    await check_if_match(if_match, lambda: present(session, evaluation))
    evaluation = await service.put_self_review(session, actor, evaluation, body)
    return resource_response(await present(session, evaluation))


@router.put(
    "/evaluations/{evaluation_id:uuid}/manager-review",
    response_model=Evaluation,
    responses=LOCKED_RESPONSES,
    tags=["evaluations"],
    summary="Write the manager review (a manager in the chain, in manager_review)",
)
async def put_manager_review(
    session: Session, actor: CurrentActor, evaluation: WritableEvaluation, body: ReviewIn, if_match: IfMatch = None
) -> ResourceResponse:
    await check_if_match(if_match, lambda: present(session, evaluation))
    evaluation = await service.put_manager_review(session, actor, evaluation, body)
    return resource_response(await present(session, evaluation))


@router.put(
    "/evaluations/{evaluation_id:uuid}/calibration",
    response_model=Evaluation,
    responses=LOCKED_RESPONSES,
    tags=["evaluations"],
    summary="Calibrate the rating (admin, while the cycle and the evaluation are in calibration)",
    description="`rating` must be a band of the cycle's policy (null clears it); `reason` is required and audited.",
)
async def put_calibration(
    session: Session, actor: CurrentActor, evaluation: WritableEvaluation, body: CalibrationIn, if_match: IfMatch = None
) -> ResourceResponse:
    await check_if_match(if_match, lambda: present(session, evaluation))
    evaluation = await service.put_calibration(session, actor, evaluation, body)
    return resource_response(await present(session, evaluation))


@router.get(
    "/evaluations/{evaluation_id:uuid}/transitions",
    response_model=Page[Transition],
    tags=["evaluations"],
    summary="An evaluation's state history",
)
async def list_evaluation_transitions(
    session: Session, actor: CurrentActor, evaluation: ReadableEvaluation, page: Pagination
) -> Page[Transition]:
    return await history_page(session, actor.organization_id, EVALUATION_STATES, evaluation.id, page)


@router.post(
    "/evaluations/{evaluation_id:uuid}/transitions",
    response_model=Evaluation,
    responses=LOCKED_RESPONSES,
    tags=["evaluations"],
    summary="Move an evaluation to its next state",
    description=(
        "self_review → manager_review (the employee, or an admin); manager_review → calibration (a manager in the "
        "chain, or an admin); calibration → finalized (admin, cycle in calibration: freezes the policy, each KPR's "
        "inputs and the figures); finalized → acknowledged (the employee); finalized → calibration (reopen: admin, "
        "cycle in calibration; the figures are live again)."
    ),
)
async def transition_evaluation(
    session: Session, actor: CurrentActor, evaluation: WritableEvaluation, body: TransitionIn
) -> ResourceResponse:
    evaluation = await service.transition(session, actor, evaluation, body)
    return resource_response(await present(session, evaluation))
