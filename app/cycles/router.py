import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response

from app.core.auth import CurrentActor, Session
from app.core.openapi import WRITE_RESPONSES
from app.core.pagination import Pagination, paginate
from app.core.repository import changed_fields
from app.core.responses import IfMatch, check_if_match, resource_response
from app.core.routing import ApiRoute
from app.core.schemas import Page, TransitionIn
from app.core.transitions import Transition, history_page
from app.cycles import service
from app.cycles.schemas import Cycle, CycleCreate, CycleStatus, CycleUpdate
from app.models import Cycle as CycleRow

router = APIRouter(route_class=ApiRoute, prefix="/cycles", tags=["cycles"])


@router.get("", response_model=Page[Cycle], summary="List cycles")
async def list_cycles(
    session: Session,
    actor: CurrentActor,
    page: Pagination,
    status: Annotated[CycleStatus | None, Query()] = None,
) -> Page[Cycle]:
    rows, cursor = await paginate(
        session, service.list_statement(actor, status), page, [CycleRow.created_at, CycleRow.id]
    )
    return Page(items=[Cycle.model_validate(r) for r in rows], next_cursor=cursor)


@router.post("", status_code=201, response_model=Cycle, responses=WRITE_RESPONSES, summary="Create a cycle (admin)")
async def create_cycle(session: Session, actor: CurrentActor, body: CycleCreate) -> Response:
    cycle = await service.create(session, actor, body)
    return resource_response(Cycle.model_validate(cycle), status_code=201, location=f"/api/v1/cycles/{cycle.id}")


@router.get("/{cycle_id:uuid}", response_model=Cycle, summary="Get a cycle")
async def get_cycle(session: Session, actor: CurrentActor, cycle_id: uuid.UUID) -> Response:
    return resource_response(Cycle.model_validate(await service.get(session, actor, cycle_id)))


@router.patch(
    "/{cycle_id:uuid}", response_model=Cycle, responses=WRITE_RESPONSES, summary="Update a cycle or its policy (admin)"
)
async def update_cycle(
    session: Session, actor: CurrentActor, cycle_id: uuid.UUID, body: CycleUpdate, if_match: IfMatch = None
) -> Response:
    cycle = await service.get(session, actor, cycle_id, lock=True)
    await check_if_match(if_match, lambda: Cycle.model_validate(cycle))
    cycle = await service.update(session, actor, cycle, changed_fields(body))
    return resource_response(Cycle.model_validate(cycle))


@router.get("/{cycle_id:uuid}/transitions", response_model=Page[Transition], summary="A cycle's state history")
async def list_cycle_transitions(
    session: Session, actor: CurrentActor, cycle_id: uuid.UUID, page: Pagination
) -> Page[Transition]:
    await service.get(session, actor, cycle_id)
    return await history_page(session, actor.organization_id, service.CYCLE_STATES, cycle_id, page)


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
async def transition_cycle(session: Session, actor: CurrentActor, cycle_id: uuid.UUID, body: TransitionIn) -> Response:
    cycle = await service.get(session, actor, cycle_id)
    cycle = await service.transition(session, actor, cycle, body.to, body.comment)
    return resource_response(Cycle.model_validate(cycle))
