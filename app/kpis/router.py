import uuid

from fastapi import APIRouter, Response

from app.checkins import service as checkins
from app.checkins.schemas import CheckIn, CheckInCreate
from app.core.auth import CurrentActor, Session
from app.core.openapi import WRITE_RESPONSES
from app.core.pagination import Pagination
from app.core.repository import changed_fields
from app.core.responses import IfMatch, check_if_match, resource_response
from app.core.routing import ApiRoute
from app.core.schemas import Page
from app.kpis import service
from app.kpis.schemas import Kpi, KpiUpdate
from app.models import Kpi as KpiRow

router = APIRouter(route_class=ApiRoute, prefix="/kpis", tags=["KPIs"])


async def _view(session: Session, kpi_row: KpiRow) -> Kpi:
    return Kpi.model_validate((await service.views(session, [kpi_row]))[0])


@router.get("/{kpi_id:uuid}", response_model=Kpi, summary="Get a KPI")
async def get_kpi(session: Session, actor: CurrentActor, kpi_id: uuid.UUID) -> Response:
    kpi, _ = await service.get(session, actor, kpi_id)
    return resource_response(await _view(session, kpi))


@router.patch("/{kpi_id:uuid}", response_model=Kpi, responses=WRITE_RESPONSES, summary="Update a KPI")
async def update_kpi(
    session: Session, actor: CurrentActor, kpi_id: uuid.UUID, body: KpiUpdate, if_match: IfMatch = None
) -> Response:
    kpi, _ = await service.get(session, actor, kpi_id, write=True)
    await check_if_match(if_match, lambda: _view(session, kpi))
    kpi = await service.update(session, actor, kpi, changed_fields(body))
    return resource_response(await _view(session, kpi))


@router.delete("/{kpi_id:uuid}", status_code=204, responses=WRITE_RESPONSES, summary="Delete a KPI")
async def delete_kpi(session: Session, actor: CurrentActor, kpi_id: uuid.UUID, if_match: IfMatch = None) -> Response:
    kpi, _ = await service.get(session, actor, kpi_id, write=True)
    await check_if_match(if_match, lambda: _view(session, kpi))
    await service.delete(session, actor, kpi)
    return Response(status_code=204)


@router.get("/{kpi_id:uuid}/check-ins", response_model=Page[CheckIn], summary="A KPI's check-ins, newest first")
async def list_kpi_check_ins(
    session: Session, actor: CurrentActor, kpi_id: uuid.UUID, page: Pagination
) -> Page[CheckIn]:
    await service.get(session, actor, kpi_id)
    rows, cursor = await checkins.page_of(session, page, kpi_id=kpi_id)
    return Page(items=[CheckIn.model_validate(r) for r in rows], next_cursor=cursor)


@router.post(
    "/{kpi_id:uuid}/check-ins",
    status_code=201,
    response_model=CheckIn,
    responses=WRITE_RESPONSES,
    summary="Record a KPI check-in",
)
async def create_kpi_check_in(
    session: Session, actor: CurrentActor, kpi_id: uuid.UUID, body: CheckInCreate
) -> Response:
    kpi, kpr = await service.get(session, actor, kpi_id, write=True, service_may_write=True)
    check_in = await checkins.create(session, actor, kpr.cycle_id, body, kpi_id=kpi.id)
    return resource_response(
        CheckIn.model_validate(check_in), status_code=201, location=f"/api/v1/kpis/{kpi.id}/check-ins"
    )
