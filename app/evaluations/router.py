"""Evaluations, and the cycle-level reads over them (summary, calibration, export) under /cycles/{id}/…."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response
from fastapi.responses import StreamingResponse

from app.core.auth import CurrentActor, Session
from app.core.errors import PROBLEM_JSON
from app.core.openapi import WRITE_RESPONSES
from app.core.pagination import Pagination
from app.core.responses import IfMatch, resource_response
from app.core.routing import ApiRoute
from app.core.schemas import Page, Problem, TransitionIn, UtcDatetime
from app.core.transitions import Transition
from app.cycles.schemas import CycleSummary
from app.evaluations import reports, service
from app.evaluations.export import XLSX_MEDIA_TYPE, ExportFormat
from app.evaluations.schemas import CalibrationIn, CycleCalibration, Evaluation, EvaluationStatus, ReviewIn

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
    status: Annotated[EvaluationStatus | None, Query()] = None,
) -> Page[Evaluation]:
    return await service.list_evaluations(
        session, actor, page, cycle_id=cycle_id, employee_id=employee_id, status=status
    )


@router.get(
    "/evaluations/{evaluation_id:uuid}", response_model=Evaluation, tags=["evaluations"], summary="Get an evaluation"
)
async def get_evaluation(session: Session, actor: CurrentActor, evaluation_id: uuid.UUID) -> Response:
    return resource_response(await service.get_evaluation(session, actor, evaluation_id))


@router.put(
    "/evaluations/{evaluation_id:uuid}/self-review",
    response_model=Evaluation,
    responses=LOCKED_RESPONSES,
    tags=["evaluations"],
    summary="Write the self-review (the employee, in self_review)",
)
async def put_self_review(
    session: Session, actor: CurrentActor, evaluation_id: uuid.UUID, body: ReviewIn, if_match: IfMatch = None
) -> Response:
    return resource_response(await service.put_self_review(session, actor, evaluation_id, body, if_match))


@router.put(
    "/evaluations/{evaluation_id:uuid}/manager-review",
    response_model=Evaluation,
    responses=LOCKED_RESPONSES,
    tags=["evaluations"],
    summary="Write the manager review (a manager in the chain, in manager_review)",
)
async def put_manager_review(
    session: Session, actor: CurrentActor, evaluation_id: uuid.UUID, body: ReviewIn, if_match: IfMatch = None
) -> Response:
    return resource_response(await service.put_manager_review(session, actor, evaluation_id, body, if_match))


@router.put(
    "/evaluations/{evaluation_id:uuid}/calibration",
    response_model=Evaluation,
    responses=LOCKED_RESPONSES,
    tags=["evaluations"],
    summary="Calibrate the rating (admin, while the cycle and the evaluation are in calibration)",
    description="`rating` must be a band of the cycle's policy (null clears it); `reason` is required and audited.",
)
async def put_calibration(
    session: Session, actor: CurrentActor, evaluation_id: uuid.UUID, body: CalibrationIn, if_match: IfMatch = None
) -> Response:
    return resource_response(await service.put_calibration(session, actor, evaluation_id, body, if_match))


@router.get(
    "/evaluations/{evaluation_id:uuid}/transitions",
    response_model=Page[Transition],
    tags=["evaluations"],
    summary="An evaluation's state history",
)
async def list_evaluation_transitions(
    session: Session, actor: CurrentActor, evaluation_id: uuid.UUID, page: Pagination
) -> Page[Transition]:
    return await service.list_transitions(session, actor, evaluation_id, page)


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
    session: Session, actor: CurrentActor, evaluation_id: uuid.UUID, body: TransitionIn
) -> Response:
    return resource_response(await service.transition_evaluation(session, actor, evaluation_id, body))


@router.get(
    "/cycles/{cycle_id:uuid}/summary",
    response_model=CycleSummary,
    tags=["cycles"],
    summary="A cycle's summary",
    description=(
        "Plans and evaluations by status, active KPRs, average progress (active KPRs of approved plans) and the "
        "distribution of final ratings. Admins and services see the whole cycle; managers their reports and "
        "themselves; employees themselves. `as_of` applies to measured figures; statuses are current."
    ),
)
async def get_cycle_summary(
    session: Session,
    actor: CurrentActor,
    cycle_id: uuid.UUID,
    as_of: Annotated[UtcDatetime | None, Query(description="RFC 3339; figures as they stood then.")] = None,
) -> Response:
    return resource_response(await reports.cycle_summary(session, actor, cycle_id, as_of))


@router.get(
    "/cycles/{cycle_id:uuid}/calibration",
    response_model=CycleCalibration,
    tags=["cycles"],
    summary="A cycle's rating distribution against the policy's guidelines (admin, service)",
    description="Final ratings per band, overall and per department, with every guideline that is violated named.",
)
async def get_cycle_calibration(session: Session, actor: CurrentActor, cycle_id: uuid.UUID) -> Response:
    return resource_response(await reports.cycle_calibration(session, actor, cycle_id))


@router.get(
    "/cycles/{cycle_id:uuid}/evaluations/export",
    response_class=StreamingResponse,
    tags=["cycles"],
    summary="Export a cycle's evaluations as CSV or XLSX (admin, service)",
    description=(
        "One row per evaluation: employee id, name, department, manager, status, results/self/manager/final scores, "
        "rating, calibrated and final rating. The header row follows Accept-Language (zh-CN / en). CSV is UTF-8 with "
        "a byte-order mark so that Excel shows Chinese correctly."
    ),
    responses={
        200: {
            "description": "The file, as an attachment.",
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                XLSX_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}},
            },
        }
    },
)
async def export_cycle_evaluations(
    session: Session,
    actor: CurrentActor,
    cycle_id: uuid.UUID,
    format: Annotated[ExportFormat, Query(description="csv (default) or xlsx")] = "csv",
) -> StreamingResponse:
    export = await reports.export_cycle_evaluations(session, actor, cycle_id, format)
    return StreamingResponse(
        export.chunks,
        media_type=export.media_type,
        headers={"Content-Disposition": export.content_disposition, "Cache-Control": "no-store"},
    )
