from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from app.core.auth import CurrentActor, Session
from app.core.enums import CycleStatus, ExportFormat
from app.core.openapi import WRITE_RESPONSES
from app.core.pagination import Pagination, paginate
from app.core.params import AsOf
from app.core.rate_limit import bulk
from app.core.repository import changed_fields
from app.core.responses import IfMatch, ResourceResponse, check_if_match, resource_response
from app.core.routing import ApiRoute
from app.core.schemas import Choice, Page, TransitionIn
from app.core.transitions import Transition, history_page
from app.cycles import reports, service
from app.cycles.dependencies import (
    CalibratedCycle,
    CycleAdmin,
    CycleMover,
    ExportedCycle,
    MovableCycle,
    ReadableCycle,
    WritableCycle,
)
from app.cycles.export import FILE_RESPONSES
from app.cycles.presenter import present, present_many
from app.cycles.rules import CYCLE_STATES
from app.cycles.schemas import Cycle, CycleCalibration, CycleCreate, CycleSummary, CycleUpdate
from app.models import Cycle as CycleRow

router = APIRouter(route_class=ApiRoute, prefix="/cycles", tags=["cycles"])


@router.get("", response_model=Page[Cycle], summary="List cycles")
async def list_cycles(
    session: Session,
    actor: CurrentActor,
    page: Pagination,
    status: Annotated[Choice[CycleStatus] | None, Query()] = None,
) -> Page[Cycle]:
    rows, cursor = await paginate(
        session, service.list_statement(actor, status), page, [CycleRow.created_at, CycleRow.id]
    )
    return Page(items=await present_many(session, rows), next_cursor=cursor)


@router.post("", status_code=201, response_model=Cycle, responses=WRITE_RESPONSES, summary="Create a cycle (admin)")
async def create_cycle(session: Session, actor: CycleAdmin, body: CycleCreate) -> ResourceResponse:
    cycle = await service.create(session, actor, body)
    return resource_response(await present(session, cycle), status_code=201, location=f"/api/v1/cycles/{cycle.id}")


@router.get("/{cycle_id:uuid}", response_model=Cycle, summary="Get a cycle")
async def get_cycle(session: Session, cycle: ReadableCycle) -> ResourceResponse:
    return resource_response(await present(session, cycle))


@router.patch(
    "/{cycle_id:uuid}", response_model=Cycle, responses=WRITE_RESPONSES, summary="Update a cycle or its policy (admin)"
)
async def update_cycle(
    session: Session, actor: CycleAdmin, cycle: WritableCycle, body: CycleUpdate, if_match: IfMatch = None
) -> ResourceResponse:
    await check_if_match(if_match, lambda: present(session, cycle))
    cycle = await service.update(session, actor, cycle, changed_fields(body))
    return resource_response(await present(session, cycle))


@router.get("/{cycle_id:uuid}/transitions", response_model=Page[Transition], summary="A cycle's state history")
async def list_cycle_transitions(
    session: Session, actor: CurrentActor, cycle: ReadableCycle, page: Pagination
) -> Page[Transition]:
    return await history_page(session, actor.organization_id, CYCLE_STATES, cycle.id, page)


@router.post(
    "/{cycle_id:uuid}/transitions",
    response_model=Cycle,
    responses=WRITE_RESPONSES,
    summary="Move a cycle to its next state (admin)",
    description=(
        "planning → active → review → calibration → closed; closed → calibration reopens. Entering review opens an "
        "evaluation for every approved plan; closing finalizes every evaluation in calibration and is refused (409, "
        "blockers listed) while any is still in self or manager review."
    ),
)
@bulk  # entering review and closing touch every plan and evaluation of the cycle
async def transition_cycle(
    session: Session, actor: CycleMover, cycle: MovableCycle, body: TransitionIn
) -> ResourceResponse:
    cycle = await service.transition(session, actor, cycle, body.to, body.comment)
    return resource_response(await present(session, cycle))


@router.get(
    "/{cycle_id:uuid}/summary",
    response_model=CycleSummary,
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
    cycle: ReadableCycle,
    as_of: AsOf = None,
) -> ResourceResponse:
    return resource_response(await reports.cycle_summary(session, actor, cycle, as_of))


@router.get(
    "/{cycle_id:uuid}/calibration",
    response_model=CycleCalibration,
    summary="A cycle's rating distribution against the policy's guidelines (admin, service)",
    description="Final ratings per band, overall and per department, with every guideline that is violated named.",
)
async def get_cycle_calibration(session: Session, cycle: CalibratedCycle) -> ResourceResponse:
    return resource_response(await reports.cycle_calibration(session, cycle))


@router.get(
    "/{cycle_id:uuid}/evaluations/export",
    response_class=StreamingResponse,
    summary="Export a cycle's evaluations as CSV or XLSX (admin, service)",
    description=(
        "One row per evaluation: employee id, name, department, manager, status, results/self/manager/final scores, "
        "rating, calibrated and final rating. The header row follows Accept-Language (zh-CN / en). CSV is UTF-8 with "
        "a byte-order mark so that Excel shows Chinese correctly."
    ),
    responses=FILE_RESPONSES,
)
@bulk
async def export_cycle_evaluations(
    session: Session,
    cycle: ExportedCycle,
    format: Annotated[Choice[ExportFormat], Query(description="csv (default) or xlsx")] = ExportFormat.CSV,
) -> StreamingResponse:
    return (await reports.export_cycle_evaluations(session, cycle, format)).response()
